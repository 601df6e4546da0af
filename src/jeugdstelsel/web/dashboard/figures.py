"""What the dashboard shows: headline series from the embedded national figures, declared once.

Each panel declares its series, unit and whether the 2021 trend break applies (DESIGN section 5:
from 2021 many more providers reported to CBS, so youth-care figures are not comparable across
it). Child-protection measures come from another CBS registration and have no such break.
The rows keep the status of every figure so provisional ones can be marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jeugdstelsel.data import refdata
from jeugdstelsel.web import modelbridge, storebridge
from jeugdstelsel.web.charts import Band, LineChart, Point, Series

TREND_BREAK_YEAR = 2021
TREND_BREAK_LABEL = "Trendbreuk 2021"
BAND_BUSY = modelbridge.BUSY.format(area="deze gemeente")


@dataclass(frozen=True)
class Panel:
    slug: str
    title: str
    unit: str
    series: tuple[tuple[str, str], ...]  # (series name in figures.csv, Dutch label)
    explanation: str
    trend_break: bool = True
    band_series: str | None = None  # the series the model's band belongs to


PANELS: tuple[Panel, ...] = (
    Panel(
        "jeugdzorg",
        "Jongeren met jeugdzorg",
        "aantal jongeren per jaar",
        (
            ("youth_with_jeugdzorg_total_incl_pgb", "0 tot 23 jaar, totaal"),
            ("youth_0_17_with_jeugdzorg", "0 tot 18 jaar"),
            ("youth_18_22_with_jeugdzorg", "18 tot 23 jaar"),
        ),
        "Unieke jongeren met jeugdhulp, jeugdbescherming of jeugdreclassering in een jaar, "
        "in natura en met pgb (NJi op basis van CBS).",
        band_series="youth_with_jeugdzorg_total_incl_pgb",
    ),
    Panel(
        "aandeel",
        "Aandeel jongeren met jeugdzorg",
        "procent van de leeftijdsgroep",
        (
            ("youth_with_jeugdzorg_pct", "0 tot 23 jaar"),
            ("youth_0_17_with_jeugdzorg_pct", "0 tot 18 jaar"),
            ("youth_18_22_with_jeugdzorg_pct", "18 tot 23 jaar"),
        ),
        "Jongeren met jeugdzorg als percentage van alle jongeren van die leeftijd.",
    ),
    Panel(
        "verblijf",
        "Jeugdhulp met en zonder verblijf",
        "aantal jongeren per jaar",
        (
            ("youth_jeugdhulp_zonder_verblijf", "zonder verblijf"),
            ("youth_jeugdhulp_wijkteam", "door het wijkteam"),
            ("youth_jeugdhulp_met_verblijf", "met verblijf"),
        ),
        "Jongeren naar vorm van jeugdhulp. Eén jongere kan meer vormen krijgen; tel de lijnen "
        "dus niet op. Gepubliceerd tot en met 2019.",
    ),
    Panel(
        "trajecten",
        "Lopende jeugdhulptrajecten",
        "aantal trajecten per jaar",
        (
            ("jh_trajecten_active", "alle trajecten"),
            ("jh_trajecten_active_overig_zonder_verblijf", "zonder verblijf (niet wijkteam)"),
            ("jh_trajecten_active_wijkteam", "door het wijkteam"),
            ("jh_trajecten_active_met_verblijf", "met verblijf"),
        ),
        "Jeugdhulptrajecten die in het jaar liepen (CBS). Een jongere kan meer trajecten hebben.",
    ),
    Panel(
        "jeugdbescherming",
        "Jeugdbeschermingsmaatregelen",
        "aantal maatregelen per jaar",
        (
            ("jb_measures_instroom_fig", "begonnen maatregelen"),
            ("jb_measures_uitstroom_fig", "beëindigde maatregelen"),
        ),
        "Ondertoezichtstellingen en voogdij die in het jaar begonnen of eindigden (CBS). "
        "Deze registratie kent geen trendbreuk in 2021.",
        trend_break=False,
    ),
)


@dataclass
class Row:
    year: int
    values: list[tuple[float, str] | None]


@dataclass
class PanelData:
    panel: Panel
    chart: LineChart
    rows: list[Row]
    labels: list[str]
    band_reason: str = ""
    band_rows: list[tuple[int, float, float]] = field(default_factory=list)
    spans_break: bool = False  # data on both sides of the trend break: say so
    sources: list[tuple[str, str]] = field(default_factory=list)


def _sources(names: list[str]) -> list[tuple[str, str]]:
    frame = refdata.load_figures()
    rows = frame[frame["series"].isin(names)][["source_title", "source_url"]]
    return sorted({(t, u) for t, u in rows.itertuples(index=False, name=None)})


def panel_data(panel: Panel, geo: str = "Nederland") -> PanelData:
    """Observed figures of one panel, with the model's band where the model provides one."""
    by_series = []
    for name, _ in panel.series:
        values = refdata.annual(name) if geo == "Nederland" else storebridge.annual(name, geo)
        by_series.append(values)
    years = sorted({y for values in by_series for y in values})
    rows = [Row(y, [values.get(y) for values in by_series]) for y in years]
    series = [
        Series(
            label,
            tuple(Point(float(y), v, s == "voorlopig") for y, (v, s) in sorted(values.items())),
        )
        for (_, label), values in zip(panel.series, by_series, strict=True)
        if values
    ]
    chart = LineChart(
        title=f"{panel.title} ({geo})",
        unit=panel.unit,
        series=series,
        vlines=[(TREND_BREAK_YEAR - 0.5, TREND_BREAK_LABEL)] if panel.trend_break else [],
    )
    spans = panel.trend_break and bool(years) and years[0] < TREND_BREAK_YEAR <= years[-1]
    data = PanelData(
        panel,
        chart,
        rows,
        [label for _, label in panel.series],
        sources=_sources([n for n, _ in panel.series]),
        spans_break=spans,
    )
    if panel.band_series and (rows or geo == "Nederland"):
        # a municipality's run is not waited for: it is computed in the background; and not
        # started at all for a panel without figures (the page leaves that panel out)
        answer = modelbridge.band_for(panel.band_series, None if geo == "Nederland" else geo,
                                      wait=geo == "Nederland")
        if answer.available:
            chart.band = answer.value
            data.band_rows = list(
                zip(
                    (int(x) for x in answer.value.xs),
                    answer.value.lower,
                    answer.value.upper,
                    strict=True,
                )
            )
        else:
            data.band_reason = answer.reason
    return data


@dataclass(frozen=True)
class Referrer:
    name: str
    started: float
    new: float | None

    @property
    def repeat(self) -> float | None:
        return None if self.new is None else self.started - self.new

    @property
    def repeat_pct(self) -> float | None:
        return None if self.new is None or not self.started else 100 * self.repeat / self.started


def referrers(year: str = "2021") -> tuple[list[Referrer], Referrer | None, str]:
    """Trajectories started per referrer and how many were herhaald beroep (started - new)."""
    started = refdata.series("jh_trajecten_begonnen_by_verwijzer")
    new = refdata.series("jh_trajecten_begonnen_nieuw_by_verwijzer")
    started = started[started["period"] == year]
    new_by = {
        c: v
        for c, v, p in zip(new["category"], new["value"], new["period"], strict=True)
        if p == year
    }
    status = "voorlopig" if (started["status"] == "voorlopig").any() else "definitief"
    items = [
        Referrer(c, float(v), new_by.get(c))
        for c, v in zip(started["category"], started["value"], strict=True)
    ]
    total = next((r for r in items if r.name.lower().startswith("totaal")), None)
    items = sorted((r for r in items if r is not total), key=lambda r: -r.started)
    return items, total, status


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    year: str
    status: str
    source: str
    url: str


def spending() -> list[KeyFigure]:
    """Spending where known: there is no yearly national series yet (README_refdata, gaps)."""
    frame = refdata.load_figures()

    def one(series: str):
        row = frame[frame["series"] == series].iloc[0]
        return row

    low, high = one("muni_spending_jeugd_range_low"), one("muni_spending_jeugd_range_high")
    per_child = one("cost_per_child_jeugdzorg")
    deficit = one("jeugd_structural_deficit")
    bn = 1e9
    return [
        KeyFigure(
            "Uitgaven van gemeenten aan jeugdzorg",
            f"€ {low.value / bn:.1f} tot {high.value / bn:.1f} miljard".replace(".", ","),
            str(low.period),
            low.status,
            low.source_title,
            low.source_url,
        ),
        KeyFigure(
            "Gemiddelde kosten per jongere in zorg",
            "ruim € 10.000 per jaar",
            str(per_child.period),
            per_child.status,
            per_child.source_title,
            per_child.source_url,
        ),
        KeyFigure(
            "Becijferd tekort jeugdzorg",
            f"€ {deficit.value / bn:.1f} miljard".replace(".", ","),
            str(deficit.period),
            deficit.status,
            deficit.source_title,
            deficit.source_url,
        ),
    ]


def target_chart(target, area_name: str) -> LineChart | None:
    """A Routekaart target's path under unchanged policy: median line, 80% band, the target.

    The axis carries the target's own unit (a share in %, a number of young people, ...).
    """
    if not target.years:
        return None
    xs = tuple(float(y) for y in target.years)
    chart = LineChart(
        title=f"{target.name} ({area_name})",
        unit=target.unit,
        series=[Series("Ongewijzigd beleid, mediaan",
                       tuple(Point(x, v) for x, v in zip(xs, target.median, strict=True)))],
        band=Band("Ongewijzigd beleid, 80%-interval", xs, tuple(target.p10),
                  tuple(target.p90)),
        zero_based=target.kind in ("hoogstens", "minstens"),
    )
    if target.value is not None and target.kind in ("hoogstens", "minstens"):
        from jeugdstelsel.web.charts import nl_number

        chart.hlines.append((target.value, f"Doel {target.year}: {nl_number(target.value)}"))
    chart.vlines.append((target.year, f"Doeljaar {target.year}"))
    return chart
