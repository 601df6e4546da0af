"""Calibration of one municipality (or all of them) to its own figures, with the country as prior.

Why: a policy advisor needs a model of *her* municipality. Its own CBS figures are few, rounded
to multiples of 5 and partly suppressed, so a fit on them alone would be unstable for a small
municipality. The national calibration therefore acts as a prior (partial pooling):

* the municipal risk index (flow 1 multiplier: need level) gets a log-normal prior centred on the
  indicator-based index of :func:`jeugdstelsel.services.inputs.municipal_risk` with sd
  ``RISK_PRIOR_SD``;
* the municipal parameters (child-protection and probation inflow, routing weights, residential
  share, cost level) get a Gaussian prior on the logit scale: mean = the national posterior mean,
  covariance = the national posterior covariance plus a between-municipality variance ``tau**2``
  (the national posterior describes the national mean, not how much municipalities differ);
* every other parameter stays at the national calibration (point and posterior).

The fit is maximum a posteriori with a Levenberg-Marquardt loop written here so that it runs for
many municipalities at once: municipalities are independent cells of one ``simulate`` call, and the
Jacobian is batched over municipalities x parameters (each perturbed vector is one more cell).
The Laplace approximation at the optimum is the municipal posterior. A municipality without
figures keeps the prior, and the report says so in Dutch.

Observed figures are mapped to model outputs through :data:`MAPPINGS`. CBS definitions differ
from the model's (in natura only vs incl. PGB, persons vs measures): each mapping has a *national
anchor*, the ratio of the national published figure in the same definition to the national model
value in the same year (or the nearest year on the same side of the 2021 trend break). The
municipal model value is multiplied by that definition factor, so the municipal data inform how
the municipality deviates from the country, not the national level again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.core.outputs import aggregate
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import BREAK_YEAR
from jeugdstelsel.data import refdata
from jeugdstelsel.services.calibration import (
    FIRST_YEAR,
    Calibration,
    Target,
    _residuals,
    fit_table,
    load_shipped,
)
from jeugdstelsel.services.pipeline import simulate_draws

RISK = "risk_index"  # the pseudo-parameter: log of the municipal risk index (an input, not a
# model parameter); the others are declared model parameters on their logit scale
RISK_PRIOR_SD = 0.3  # aanname: CBS municipal shares with jeugdzorg range ~4%-17% around ~10%
# Between-municipality spread (logit units) of each municipal parameter, added to the national
# posterior variance. Aanname: municipal referrer mixes and residential shares in 85097NED/85098NED
# differ by factors of about 1.5-2 between municipalities; 0.5 logit units allows that.
TAU = {
    "jb_rate": 0.5,
    "jr_rate": 0.5,
    "route_first_line": 0.5,
    "route_gp": 0.5,
    "route_youth_doctor": 0.5,
    "route_medical_specialist": 0.5,
    "residential_share": 0.5,
    "cost_scale": 0.3,
}
FREE = (RISK, *TAU)
VOORLOPIG_FACTOR = 1.5  # provisional figures: tolerance x 1.5 (final ones came out 1-2% higher)
EPS = 1e-4  # finite-difference step (logit / log units)
MAX_ITER = 25
LABELS_NL = {
    RISK: "risico-index (hulpvraag t.o.v. landelijk)",
    "jb_rate": "instroom jeugdbescherming",
    "jr_rate": "instroom jeugdreclassering",
    "route_first_line": "routering naar eerste lijn / gemeentelijke toegang",
    "route_gp": "verwijzing door huisarts",
    "route_youth_doctor": "verwijzing door jeugdarts",
    "route_medical_specialist": "verwijzing door medisch specialist",
    "residential_share": "aandeel met verblijf bij start",
    "cost_scale": "kostenniveau",
}


# -- mapping of observed series to model outputs -------------------------------------------------
def _nat(*names: str) -> Callable[[int], float | None]:
    """National published value of a sum of reference series in one year (None when missing)."""

    def value(year: int) -> float | None:
        parts = [refdata.annual(n).get(year) for n in names]
        if any(p is None for p in parts):
            return None
        return float(sum(p[0] for p in parts))

    return value


def _nat_share(num: Callable[[int], float | None], den: Callable[[int], float | None]):
    def value(year: int) -> float | None:
        a, b = num(year), den(year)
        return None if a is None or not b else 100.0 * a / b

    return value


def _nat_referrer(label: str) -> Callable[[int], float | None]:
    def value(year: int) -> float | None:
        rows = refdata.series("jh_trajecten_begonnen_by_verwijzer")
        rows = rows[rows["period"] == str(year)]
        cats = dict(zip(rows["category"], rows["value"].astype(float), strict=False))
        total = cats.get("Totaal verwijzer")
        return 100.0 * cats[label] / total if total and label in cats else None

    return value


def _nat_spending(year: int) -> float | None:
    low = refdata.annual("muni_spending_jeugd_range_low").get(year)
    high = refdata.annual("muni_spending_jeugd_range_high").get(year)
    return None if low is None or high is None else (low[0] + high[0]) / 2


_NATURA = _nat("youth_jeugdhulp_only_natura", "youth_jeugdhulp_natura_and_pgb")


@dataclass(frozen=True)
class Mapping:
    """How one kind of observed figure compares with the model, and which parameter it informs."""

    kind: str
    label_nl: str
    unit: str  # "%", "personen", "trajecten", "euro", "% van jeugdhulp", "% van gestart"
    model: tuple[str, ...]  # one output key, or (numerator, denominator) for a share
    target_kind: str  # "rel" (relative error) or "pp" (percentage points)
    sigma: float  # base tolerance (relative, or pp)
    anchor: Callable[[int], float | None] | None  # national published value, same definition
    informs: tuple[str, ...]
    definition_nl: str

    def value(self, out: dict[str, np.ndarray], bucket: int, keys: tuple[str, ...] = ()):
        """Model value per cell (first draw) in one bucket (year or half-year)."""
        keys = keys or self.model
        first = out[keys[0]][0, :, bucket]
        if len(keys) == 1:
            return first
        den = out[keys[1]][0, :, bucket]
        return 100.0 * first / np.where(den > 0, den, 1.0)

    @property
    def anchor_model(self) -> tuple[str, ...]:
        """The national model series the anchor compares with: counts, never percentages of
        the model's own population (the national anchors are published counts)."""
        if len(self.model) == 1 and self.model[0].endswith("_pct") and self.unit == "%":
            return (self.model[0].removesuffix("_pct"),)
        return self.model


REFERRER_LABELS = {
    "gemeentelijke_toegang": ("Gemeentelijke toegang", ("gemeente", "toegang", "wijkteam")),
    "huisarts": ("Huisarts", ("huisarts",)),
    "jeugdarts": ("Jeugdarts", ("jeugdarts",)),
    "medisch_specialist": ("Medisch specialist", ("medisch specialist", "medisch_specialist")),
    "gecertificeerde_instelling": (
        "Gecertificeerde instelling",
        ("gecertificeerde", "gecertificeerde_instelling"),
    ),
    "rechter": ("Rechter, Officier van Justitie", ("rechter", "justitie", "officier")),
    "geen_verwijzer": ("Geen verwijzer", ("geen verwijzer", "geen")),
}
_ROUTING = ("route_first_line", "route_gp", "route_youth_doctor", "route_medical_specialist")


def _mappings() -> dict[str, Mapping]:
    natura_def = (
        "CBS 85098NED telt jeugdhulp in natura (zonder alleen-PGB); het model telt incl. PGB: "
        "definitiefactor = landelijk in natura / landelijk model"
    )
    items = [
        Mapping("jeugdhulp_natura_pct", "Jongeren met jeugdhulp in natura (% 0-22 jaar)", "%",
                ("jeugdhulp_0_22_pct",), "rel", 0.04, _NATURA, (RISK,), natura_def),
        Mapping("jeugdbescherming_pct", "Jongeren met jeugdbescherming (% 0-22 jaar)", "%",
                ("jeugdbescherming_0_22_pct",), "rel", 0.06,
                _nat("youth_jeugdbescherming"), (RISK, "jb_rate"),
                "personen met een maatregel; factor t.o.v. landelijk CBS-cijfer"),
        Mapping("jeugdreclassering_pct", "Jongeren met jeugdreclassering (% 0-22 jaar)", "%",
                ("jeugdreclassering_0_22_pct",), "rel", 0.10,
                _nat("youth_jeugdreclassering"), (RISK, "jr_rate"),
                "CBS telt personen, het model maatregelen: factor t.o.v. landelijk CBS-cijfer"),
        Mapping("met_verblijf_aandeel", "Jeugdhulp met verblijf (% van jongeren met jeugdhulp)",
                "% van jeugdhulp", ("jeugdhulp_met_verblijf_0_22", "jeugdhulp_0_22"), "rel", 0.08,
                _nat_share(_nat("youth_jeugdhulp_met_verblijf"), _NATURA),
                ("residential_share",),
                "85098NED: aandeel met verblijf in natura; factor t.o.v. landelijk aandeel"),
        Mapping("jeugdzorg_pct", "Jongeren met jeugdzorg (% 0-22 jaar)", "%",
                ("jeugdzorg_0_22_pct",), "rel", 0.04,
                _nat("youth_with_jeugdzorg_total_incl_pgb"), (RISK,),
                "jeugdhulp incl. PGB, jeugdbescherming en jeugdreclassering (personen)"),
        Mapping("jeugdzorg_0_17_pct", "Jongeren met jeugdzorg (% 0-17 jaar)", "%",
                ("jeugdzorg_0_17_pct",), "rel", 0.04, _nat("youth_0_17_with_jeugdzorg"), (RISK,),
                "jeugdzorg, jongeren tot 18 jaar"),
        Mapping("jeugdhulp_0_17_pct", "Jongeren met jeugdhulp (% 0-17 jaar)", "%",
                ("jeugdhulp_0_17_pct",), "rel", 0.08, None, (RISK,),
                "geen landelijk cijfer in dezelfde definitie: factor 1, ruimere marge"),
        Mapping("jeugdzorg_0_17", "Jongeren met jeugdzorg, 0-17 jaar", "personen",
                ("jeugdzorg_0_17",), "rel", 0.08, _nat("youth_0_17_with_jeugdzorg"), (RISK,),
                "aantal; de gemeentelijke leeftijdsopbouw is een aanname, vandaar ruimere marge"),
        Mapping("jeugdzorg", "Jongeren met jeugdzorg, 0-22 jaar", "personen",
                ("jeugdzorg_0_22",), "rel", 0.08, _nat("youth_with_jeugdzorg_total_incl_pgb"),
                (RISK,), "aantal (eigen cijfers, CBS-definitie: vorm 'totaal')"),
        Mapping("jeugdhulp", "Jongeren met jeugdhulp, 0-22 jaar", "personen",
                ("jeugdhulp_0_22",), "rel", 0.08, _nat("youth_jeugdhulp_total_incl_pgb"),
                (RISK,), "aantal incl. PGB"),
        Mapping("met_verblijf", "Jongeren met jeugdhulp met verblijf", "personen",
                ("jeugdhulp_met_verblijf_0_22",), "rel", 0.10,
                _nat("youth_jeugdhulp_met_verblijf"), (RISK, "residential_share"), "aantal"),
        Mapping("jeugdbescherming", "Jongeren met jeugdbescherming", "personen",
                ("jeugdbescherming_0_22",), "rel", 0.10, _nat("youth_jeugdbescherming"),
                (RISK, "jb_rate"), "aantal"),
        Mapping("jeugdreclassering", "Jongeren met jeugdreclassering", "personen",
                ("jeugdreclassering_0_22",), "rel", 0.12, _nat("youth_jeugdreclassering"),
                (RISK, "jr_rate"), "aantal"),
        Mapping("trajecten_gestart", "Begonnen jeugdhulptrajecten", "trajecten",
                ("trajecten_gestart",), "rel", 0.08, _nat("jh_trajecten_begonnen"), (RISK,),
                "85097NED, totaal verwijzers"),
        Mapping("uitgaven", "Gerealiseerde kosten jeugdzorg", "euro", ("uitgaven",), "rel",
                0.08, _nat_spending, ("cost_scale",),
                "CBS 83454NED; factor t.o.v. landelijke uitgaven (midden van de bandbreedte)"),
    ]
    informs = {
        "gemeentelijke_toegang": ("route_first_line",),
        "huisarts": ("route_gp",),
        "jeugdarts": ("route_youth_doctor",),
        "medisch_specialist": ("route_medical_specialist",),
    }
    for key, (label, _) in REFERRER_LABELS.items():
        items.append(
            Mapping(f"verwijzer_{key}", f"Verwijzer {label.lower()} (% van gestarte trajecten)",
                    "% van gestart", (f"verwijzer_{key}_pct",), "pp", 1.5, _nat_referrer(label),
                    informs.get(key, _ROUTING),
                    "85097NED begonnen trajecten; verschil t.o.v. landelijk in procentpunten")
        )
    return {m.kind: m for m in items}


MAPPINGS = _mappings()
# What a profile should have; a missing one is reported (the prior fills the gap).
CORE_KINDS = {
    "jeugdhulp_natura_pct": RISK,
    "jeugdbescherming_pct": "jb_rate",
    "jeugdreclassering_pct": "jr_rate",
    "met_verblijf_aandeel": "residential_share",
    "verwijzer_huisarts": "route_gp",
    "uitgaven": "cost_scale",
}


# -- observed figures ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One observed municipal figure, already in the unit of its :class:`Mapping`."""

    kind: str
    period: str  # "2022" or "2020H1"
    value: float
    status: str
    source: str
    rounding: float = 0.0  # half width of the publication rounding, in the figure's unit
    bound: str = ""  # "", "min", "max"
    count: float | None = None  # the count behind a share (binomial noise), when known

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def half(self) -> int | None:
        return int(self.period[-1]) if "H" in self.period else None

    @property
    def comparable_since(self) -> int:
        return BREAK_YEAR if self.year >= BREAK_YEAR else FIRST_YEAR


@dataclass
class Missing:
    """A figure that is absent or suppressed; the national prior fills the gap."""

    kind: str
    reason: str  # Dutch


def _round_half(decimals: int) -> float:
    """Half the last published digit: CBS percentages have one decimal."""
    return 0.5 * 10.0 ** (-decimals)


_STORE_SERIES = {
    "JongerenMetJeugdhulpInNatura": "jeugdhulp_natura_pct",
    "JongerenMetJeugdbescherming": "jeugdbescherming_pct",
    "JongerenMetJeugdreclassering": "jeugdreclassering_pct",
    "JongerenMetJeugdhMetVerblInNat": "met_verblijf_aandeel",
}
_STARTED = "BegonnenJeugdhulptrajecten"


def _period(text: str) -> str | None:
    """CBS/own period -> "2022" or "2022H1"; other periods are not used."""
    text = str(text).strip()
    if m := re.fullmatch(r"(\d{4})(JJ00)?", text):
        return m.group(1)
    if m := re.fullmatch(r"(\d{4})\s*-?\s*H[JA]?0?([12])", text, flags=re.I):
        return f"{m.group(1)}H{m.group(2)}"
    return None


def _referrer_key(label: str) -> str | None:
    text = label.lower()
    if "totaal" in text:
        return "totaal"
    for key, (_, needles) in REFERRER_LABELS.items():
        if any(n in text for n in needles):
            return key
    return None


def cbs_style(figures: list[Figure], suppress: tuple[str, str] | None, source: str
              ) -> list[Figure]:
    """Publish model figures the way CBS does, to test and benchmark recovery honestly.

    Percentages to one decimal, trajectory counts to multiples of 5 (referrer shares recomputed
    from the rounded counts) and the cell ``(kind, period)`` suppressed ('.', i.e. missing).
    """
    started = {f.period: f.value for f in figures if f.kind == "trajecten_gestart"}
    out, rows = [], []
    for f in figures:
        if (f.kind, f.period) == suppress:
            continue
        if f.kind == "trajecten_gestart":
            rows.append((f.period, "totaal", 5 * round(f.value / 5), f.status))
        elif f.kind.startswith("verwijzer_"):
            count = 5 * round(f.value / 100 * started[f.period] / 5)
            rows.append((f.period, f.kind.removeprefix("verwijzer_"), count, f.status))
        else:
            out.append(Figure(f.kind, f.period, round(f.value, 1), f.status, source,
                              rounding=0.05))
    return out + _started_shares(rows, source, 2.5)


def _started_shares(rows: Iterable[tuple[str, str, float, str]], source: str, rounding: float):
    """Referrer shares from started-trajectory counts: (period, referrer key, count, status)."""
    by_period: dict[str, dict[str, tuple[float, str]]] = {}
    for period, key, value, status in rows:
        by_period.setdefault(period, {})[key] = (value, status)
    figures: list[Figure] = []
    for period, cats in sorted(by_period.items()):
        total = cats.get("totaal")
        if total is None:
            parts = [v for k, (v, _) in cats.items() if k in REFERRER_LABELS]
            if len(parts) < len(REFERRER_LABELS):
                continue
            total = (float(sum(parts)), next(iter(cats.values()))[1])
        if not total[0] or total[0] <= 0:
            continue
        figures.append(Figure("trajecten_gestart", period, total[0], total[1], source, rounding))
        for key in REFERRER_LABELS:
            if key in cats and not math.isnan(cats[key][0]):
                share = 100.0 * cats[key][0] / total[0]
                figures.append(
                    Figure(f"verwijzer_{key}", period, share, cats[key][1], source,
                           100.0 * rounding / total[0], count=total[0])
                )
    return figures


def store_figures(code: str) -> tuple[list[Figure], list[Missing]]:
    """The municipality's CBS figures and own (CBS-definition) counts from the store."""
    from jeugdstelsel.data import store_service

    figures: list[Figure] = []
    missing: list[Missing] = []
    frame = store_service.observations(code)
    if not frame.empty:
        base = frame["series"].str.replace(r"_\d+$", "", regex=True)
        for row, series in zip(frame.itertuples(), base, strict=True):
            kind = _STORE_SERIES.get(series)
            period = _period(row.period)
            if kind is None or period is None:
                continue
            if row.category not in ("", None) and "totaal" not in str(row.category_label).lower():
                continue
            if pd.isna(row.value):
                missing.append(Missing(kind, f"{row.dataset} {row.period}: geheim of niet "
                                             "gepubliceerd (CBS '.')"))
                continue
            figures.append(Figure(kind, period, float(row.value), row.status,
                                  f"CBS {row.dataset} {row.period}", _round_half(1)))
        started = frame[base == _STARTED]
        rows = []
        for r in started.itertuples():
            key = _referrer_key(str(r.category_label) or str(r.category))
            period = _period(r.period)
            if key is None or period is None or pd.isna(r.value):
                continue
            rows.append((period, key, float(r.value), r.status))
        figures += _started_shares(rows, f"CBS {started['dataset'].iloc[0]}"
                                   if not started.empty else "CBS", 2.5)
    local = store_service.local_figures(code)
    used_local = local[local["definition"] == "cbs"]
    if len(local) > len(used_local):
        missing.append(Missing("eigen_cijfers", "eigen cijfers in lokale definitie worden "
                                                "getoond maar niet gekalibreerd"))
    vorm_kind = {"totaal": "jeugdzorg", "met_verblijf": "met_verblijf",
                 "jeugdbescherming": "jeugdbescherming",
                 "jeugdreclassering": "jeugdreclassering"}
    people = used_local[(used_local["measure"] == "jongeren") & (used_local["wijk"] == "")
                        & (used_local["aanbieder"] == "") & (used_local["verwijzer"] == "")]
    for r in people.itertuples():
        period = _period(r.period)
        if r.vorm in vorm_kind and period and "H" not in period and not pd.isna(r.value):
            figures.append(Figure(vorm_kind[r.vorm], period, float(r.value), "definitief",
                                  f"eigen cijfers {r.period}"))
    started = used_local[(used_local["measure"] == "trajecten_gestart")
                         & (used_local["wijk"] == "") & (used_local["aanbieder"] == "")]
    rows = []
    local_ref = {"gemeente": "gemeentelijke_toegang", "huisarts": "huisarts",
                 "jeugdarts": "jeugdarts", "medisch_specialist": "medisch_specialist",
                 "gecertificeerde_instelling": "gecertificeerde_instelling",
                 "justitie": "rechter", "geen": "geen_verwijzer", "": "totaal"}
    sums = started.groupby(["period", "verwijzer"], as_index=False)["value"].sum(min_count=1)
    for r in sums.itertuples():
        period = _period(r.period)
        if period and r.verwijzer in local_ref and not pd.isna(r.value):
            rows.append((period, local_ref[r.verwijzer], float(r.value), "definitief"))
    figures += _started_shares(rows, "eigen cijfers", 0.0)
    return figures, missing


@lru_cache(maxsize=1)
def _embedded_sample() -> pd.DataFrame:
    path = resources.files("jeugdstelsel.data") / "refdata" / "85098NED_2022_gemeente_sample10.csv"
    with path.open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def embedded_figures(code: str, name: str) -> list[Figure]:
    """Figures shipped in the package: the 85098NED residential share and ``figures.csv`` rows.

    The store's seed holds only three 85098NED measures; the residential share (``_2``: % of
    young people with jeugdhulp in natura who have it with residence, judged by its size, see
    docs/calibration.md) is read from the same embedded file. ``figures.csv`` holds municipal
    figures from CBS news and press (percentages, counts, bounds such as "meer dan 17%").
    """
    from jeugdstelsel.data.municipalities import fold

    figures: list[Figure] = []
    sample = _embedded_sample()
    for row in sample[sample["RegioS"].str.strip() == code].itertuples():
        cell = row.JongerenMetJeugdhMetVerblInNat_2.strip()
        period = _period(row.Perioden)
        if cell and period:
            figures.append(Figure("met_verblijf_aandeel", period, float(cell), "onbekend",
                                  f"CBS 85098NED {row.Perioden} (ingebouwd)", 0.05))
    table = refdata.load_figures()
    wanted = fold(name)
    rules = {
        "muni_youth_0_17_jeugdzorg_pct": ("jeugdzorg_0_17_pct", "", 0.05),
        "muni_youth_0_17_jeugdzorg_count": ("jeugdzorg_0_17", "", 0.0),
        "muni_youth_jeugdzorg_pct_gt": ("jeugdzorg_pct", "min", 0.0),
        "muni_youth_jeugdzorg_pct_lt": ("jeugdzorg_pct", "max", 0.0),
        "muni_youth_0_17_jeugdzorg_pct_low": ("jeugdzorg_0_17_pct", "max", 0.0),
        "muni_youth_0_17_jeugdhulp_pct_gt": ("jeugdhulp_0_17_pct", "min", 0.0),
        "muni_youth_jeugdzorg_pct_range_high": ("jeugdzorg_pct", "min", 0.0),
        "muni_youth_jeugdzorg_pct_range_low": ("jeugdzorg_pct", "min", 0.0),
        "muni_youth_jeugdhulp_count": ("jeugdhulp", "", 500.0),  # press: rounded to thousands
        "muni_cost_jeugdzorg_realised": ("uitgaven", "", 500.0),
    }
    rows = table[table["series"].isin(rules)]
    for r in rows.itertuples():
        if wanted not in {fold(part) for part in str(r.geo).split("/")}:
            continue
        period = _period(r.period)
        if period is None:
            continue
        kind, bound, rounding = rules[r.series]
        figures.append(Figure(kind, period, float(r.value), str(r.status),
                              f"{r.source_title} ({r.period})", rounding, bound))
    return figures


def gather(code: str, name: str, *, use_store: bool = True) -> tuple[list[Figure], list[Missing]]:
    """All usable figures of a municipality; the first source of a (kind, period, bound) wins.

    Order: the store (CBS tables, imported own figures), then the embedded figures. Without a
    working store (no Django, no database) only the embedded figures are used.
    """
    figures: list[Figure] = []
    missing: list[Missing] = []
    if use_store:
        try:
            figures, missing = store_figures(code)
        except Exception:  # no store: the embedded figures still count
            figures, missing = [], []
    figures += embedded_figures(code, name)
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for f in figures:
        key = (f.kind, f.period, f.bound)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    present = {f.kind for f in unique}
    missing = [m for m in missing if m.kind not in present]
    return unique, missing


# -- national anchors ------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _national_outputs(last_year: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The national model at the shipped calibration, per year and per half-year."""
    from jeugdstelsel.services.inputs import national_inputs

    cal = load_shipped()
    inputs, _ = national_inputs(FIRST_YEAR, last_year)
    ps = P.build(PARAMETERS, 1, 1, None, point=cal.point)
    result = simulate_draws(ps, inputs, (last_year - FIRST_YEAR + 1) * 12)
    return aggregate(result, ps), aggregate(result, ps, span_months=6)


def _anchor_year(mapping: Mapping, year: int) -> int | None:
    """The year whose national figure anchors ``year``: itself, else the nearest on its side
    of the 2021 trend break, else the nearest at all (within the embedded years)."""
    if mapping.anchor is None:
        return None
    years = [y for y in range(FIRST_YEAR, 2031) if mapping.anchor(y) is not None]
    if not years:
        return None
    same = [y for y in years if (y >= BREAK_YEAR) == (year >= BREAK_YEAR)]
    pool = same or years
    return min(pool, key=lambda y: (abs(y - year), -y))


@lru_cache(maxsize=1024)
def definition_factor(kind: str, year: int) -> tuple[float, str]:
    """National published / national model for this kind (ratio, or pp offset for shares)."""
    mapping = MAPPINGS[kind]
    ay = _anchor_year(mapping, year)
    if ay is None:
        return (0.0 if mapping.target_kind == "pp" else 1.0), "geen landelijk anker"
    nat_annual, _ = _national_outputs(max(ay, year, 2022))
    model = float(mapping.value(nat_annual, ay - FIRST_YEAR, mapping.anchor_model)[0])
    observed = float(mapping.anchor(ay))
    if mapping.target_kind == "pp":
        return observed - model, f"landelijk {ay}"
    return float(np.clip(observed / model, 0.25, 4.0)), f"landelijk {ay}"


def national_reference(kind: str, period: str) -> float | None:
    """The country's value in the municipal figure's definition (for the side-by-side table)."""
    mapping = MAPPINGS[kind]
    fig = Figure(kind, period, 0.0, "", "")
    nat_annual, nat_half = _national_outputs(max(fig.year, 2022))
    out, bucket = (nat_half, (fig.year - FIRST_YEAR) * 2 + fig.half - 1) if fig.half else (
        nat_annual, fig.year - FIRST_YEAR)
    if mapping.unit in ("personen", "trajecten", "euro"):
        return mapping.anchor(fig.year) if mapping.anchor else None
    factor, _ = definition_factor(kind, fig.year)
    value = float(mapping.value(out, bucket)[0])
    return value + factor if mapping.target_kind == "pp" else value * factor


# -- targets -------------------------------------------------------------------------------------
def _target(fig: Figure) -> Target:
    mapping = MAPPINGS[fig.kind]
    if mapping.target_kind == "rel" and fig.value <= 0:
        # a published 0 (e.g. 0,0%) says "below half the last digit": an upper bound
        bound = fig.rounding or 0.5
        fig = Figure(fig.kind, fig.period, bound, fig.status, fig.source, 0.0, "max", fig.count)
    sigma = mapping.sigma
    if mapping.target_kind == "rel":
        extra = fig.rounding / math.sqrt(3) / max(abs(fig.value), 1e-9)
        sigma = math.hypot(sigma, extra)
    else:
        extra = fig.rounding / math.sqrt(3)
        if fig.count:
            p = min(max(fig.value / 100.0, 0.01), 0.99)
            extra = math.hypot(extra, 100.0 * math.sqrt(p * (1 - p) / fig.count))
        sigma = math.hypot(sigma, extra)
    if fig.status == "voorlopig":
        sigma *= VOORLOPIG_FACTOR
    return Target(fig.kind, fig.year, fig.value, fig.status, mapping.target_kind, sigma,
                  fig.source, fig.bound)


@dataclass
class _Case:
    """One municipality in a batch: its figures and prior."""

    code: str
    name: str
    figures: list[Figure]
    risk_prior: float
    targets: list[Target] = field(default_factory=list)
    factors: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        self.targets = [_target(f) for f in self.figures]
        self.factors = np.array([definition_factor(f.kind, f.year)[0] for f in self.figures])


# -- the prior -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prior:
    """Gaussian prior on (log risk, logit municipal parameters); shared except the risk mean."""

    names: tuple[str, ...]
    mean: np.ndarray  # (k,), the risk entry is a placeholder (per municipality)
    cov: np.ndarray  # (k, k)
    national: Calibration

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def national_prior(national: Calibration | None = None) -> Prior:
    """National posterior (+ between-municipality spread) as the municipal prior."""
    cal = national or load_shipped()
    post = cal.posterior()
    index = {n: i for i, n in enumerate(post.names)}
    k = len(FREE)
    mean = np.zeros(k)
    cov = np.zeros((k, k))
    cov[0, 0] = RISK_PRIOR_SD**2
    names = list(TAU)
    for a, name in enumerate(names, start=1):
        if name in index:
            mean[a] = post.mean[index[name]]
        else:
            param = PARAMETERS_BY_NAME[name]
            mean[a] = float(param.to_unit(cal.point.get(name, param.default)))
        for b, other in enumerate(names, start=1):
            if name in index and other in index:
                cov[a, b] = post.cov[index[name], index[other]]
        cov[a, a] += TAU[name] ** 2
    return Prior(FREE, mean, cov, cal)


# -- batched model evaluation --------------------------------------------------------------------
@lru_cache(maxsize=2)
def _all_inputs(last_year: int) -> PopulationInputs:
    """Inputs of every municipality, built once (the demography fit takes most of a second)."""
    from jeugdstelsel.services.inputs import municipal_inputs

    return municipal_inputs(None, FIRST_YEAR, last_year)


class _Batch:
    """Simulates municipalities x candidate vectors as independent cells of one run."""

    def __init__(self, cases: Sequence[_Case], prior: Prior, last_year: int):
        self.cases = list(cases)
        self.prior = prior
        self.last_year = last_year
        self.inputs = _all_inputs(last_year)
        position = {c: i for i, c in enumerate(self.inputs.names)}
        self.input_row = np.array([position[c.code] for c in self.cases])
        self.months = (last_year - FIRST_YEAR + 1) * 12
        self.params = [PARAMETERS_BY_NAME[n] for n in FREE[1:]]
        self.half = any(f.half for c in cases for f in c.figures)
        chol = np.linalg.cholesky(prior.cov)
        self.prior_whiten = np.linalg.inv(chol)  # residual = W (z - mu)

    def outputs(self, z: np.ndarray, rows: np.ndarray) -> tuple[dict, dict | None]:
        """Model outputs for vectors ``z`` (cells, k) of municipalities ``rows`` (cells,)."""
        inp = self.inputs
        rows = self.input_row[rows]
        sub = PopulationInputs(
            inp.start_year, inp.population0[rows], inp.births[:, rows], inp.migration[rows],
            np.exp(z[:, 0]), tuple(inp.names[r] for r in rows),
        )
        base = P.build(PARAMETERS, 1, len(rows), None, point=self.prior.national.point)
        values = {p.name: p.from_unit(z[:, j + 1])[None, :] for j, p in enumerate(self.params)}
        ps = base.with_values(values)
        result = simulate_draws(ps, sub, self.months)
        annual = aggregate(result, ps)
        return annual, (aggregate(result, ps, span_months=6) if self.half else None)

    def residuals(self, z: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
        """Whitened residuals (data, then prior) per cell."""
        annual, half = self.outputs(z, rows)
        out = []
        for cell, m in enumerate(rows):
            case = self.cases[m]
            model = self.model_values(case, annual, half, cell)
            data = _residuals(model[None, :], case.targets)[0] if case.targets else np.zeros(0)
            mu = self.prior.mean.copy()
            mu[0] = math.log(case.risk_prior)
            prior = self.prior_whiten @ (z[cell] - mu)
            out.append(np.concatenate([data, prior]))
        return out

    @staticmethod
    def model_values(case: _Case, annual: dict, half: dict | None, cell: int) -> np.ndarray:
        values = np.zeros(len(case.figures))
        for i, fig in enumerate(case.figures):
            mapping = MAPPINGS[fig.kind]
            if fig.half:
                v = mapping.value(half, (fig.year - FIRST_YEAR) * 2 + fig.half - 1)[cell]
            else:
                v = mapping.value(annual, fig.year - FIRST_YEAR)[cell]
            values[i] = v + case.factors[i] if mapping.target_kind == "pp" else v * case.factors[i]
        return values


def _solve(batch: _Batch, z0: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[dict]]:
    """Vectorised Levenberg-Marquardt over municipalities; returns z, Jacobians, diagnostics."""
    m_count, k = z0.shape
    eye = np.eye(k)
    z_acc = z0.copy()
    r_acc: list[np.ndarray | None] = [None] * m_count
    j_acc: list[np.ndarray | None] = [None] * m_count
    cost = np.full(m_count, np.inf)
    lam = np.full(m_count, 1e-2)
    active = np.ones(m_count, bool)
    z_try = z0.copy()
    iters = np.zeros(m_count, int)
    for _ in range(MAX_ITER):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        cells_z = np.concatenate([np.vstack([z_try[m], z_try[m] + EPS * eye]) for m in rows])
        cells_m = np.repeat(rows, k + 1)
        res = batch.residuals(cells_z, cells_m)
        for i, m in enumerate(rows):
            iters[m] += 1
            block = res[i * (k + 1) : (i + 1) * (k + 1)]
            r = block[0]
            jac = (np.array(block[1:]) - r).T / EPS
            c = 0.5 * float(r @ r)
            if c <= cost[m]:
                improvement = cost[m] - c
                z_acc[m], r_acc[m], j_acc[m], cost[m] = z_try[m], r, jac, c
                lam[m] = max(lam[m] / 3.0, 1e-6)
                if np.isfinite(improvement) and improvement < 1e-9 * max(c, 1.0):
                    active[m] = False
                    continue
            else:
                lam[m] *= 4.0
            jac, r = j_acc[m], r_acc[m]
            jtj = jac.T @ jac
            step = np.linalg.solve(jtj + lam[m] * np.diag(np.diag(jtj) + 1e-12), -jac.T @ r)
            step = np.clip(step, -2.0, 2.0)
            if np.max(np.abs(step)) < 1e-5 or lam[m] > 1e8:
                active[m] = False
            z_try[m] = z_acc[m] + step
    diagnostics = [
        {"iteraties": int(iters[m]), "kosten": float(cost[m]), "geconvergeerd": not active[m]}
        for m in range(m_count)
    ]
    return z_acc, [j for j in j_acc], diagnostics


# -- results -------------------------------------------------------------------------------------
@dataclass
class MunicipalCalibrationResult:
    """A municipality's calibration: what the store keeps and the CLI prints."""

    code: str
    name: str
    fitted_through: int | None
    created: str
    risk: float
    risk_sd: float  # log units
    risk_indicator: float
    parameters: list[dict]  # per free parameter: prior, estimate, sd, where it came from
    point: dict[str, float]  # full parameter point (national with municipal values)
    posterior: dict  # {"names", "mean", "cov"} on the logit scale, like Calibration
    fit: list[dict]
    holdout: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    optimizer: dict = field(default_factory=dict)

    @property
    def from_prior_only(self) -> bool:
        return not self.fit

    def calibration(self) -> Calibration:
        """As a :class:`Calibration`, so every scenario service can use it unchanged."""
        return Calibration(
            area=self.name, fitted_through=self.fitted_through or 0, created=self.created,
            point=dict(self.point), posterior_names=list(self.posterior["names"]),
            posterior_mean=list(self.posterior["mean"]), posterior_cov=self.posterior["cov"],
            fit=self.fit, holdout=self.holdout, optimizer=self.optimizer,
        )

    def municipal_block(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Names, mean and covariance (logit) of the municipally fitted model parameters."""
        names = [p["name"] for p in self.parameters if p["name"] != RISK]
        index = {n: i for i, n in enumerate(self.posterior["names"])}
        idx = [index[n] for n in names]
        mean = np.array(self.posterior["mean"])[idx]
        cov = np.array(self.posterior["cov"])[np.ix_(idx, idx)]
        return names, mean, cov

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MunicipalCalibrationResult:
        return cls(**data)


def _result(case: _Case, prior: Prior, z: np.ndarray, jac: np.ndarray | None,
            model: np.ndarray | None, diag: dict, fitted_through: int | None,
            missing: list[Missing]) -> MunicipalCalibrationResult:
    k = len(FREE)
    mu = prior.mean.copy()
    mu[0] = math.log(case.risk_prior)
    cov = np.linalg.pinv(jac.T @ jac) if jac is not None else prior.cov
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    informed: set[str] = set()
    for f in case.figures:
        informed.update(MAPPINGS[f.kind].informs)
    national = prior.national
    post = national.posterior()
    names = list(post.names)
    mean = np.array(post.mean, dtype=float)
    full = np.array(post.cov, dtype=float)
    index = {n: i for i, n in enumerate(names)}
    free_idx = [index[n] for n in FREE[1:] if n in index]
    keep = np.ones(len(names), bool)
    keep[free_idx] = False
    # block-diagonal: national block for the rest, municipal Laplace block for the fitted ones
    full[np.ix_(free_idx, keep)] = 0.0
    full[np.ix_(keep, free_idx)] = 0.0
    full[np.ix_(free_idx, free_idx)] = cov[1:, 1:][: len(free_idx), : len(free_idx)]
    point = dict(national.point)
    parameters = []
    for j in range(k):
        name = FREE[j]
        if j == 0:
            estimate, prior_value = float(math.exp(z[0])), case.risk_prior
        else:
            param = PARAMETERS_BY_NAME[name]
            prior_value = float(param.from_unit(mu[j]))
            # Without figures the national value itself, not its round trip through the logit
            # scale: NumPy's SIMD log/exp differ in the last bit from one CPU to another.
            estimate = (float(param.from_unit(z[j])) if case.figures
                        else float(national.point.get(name, prior_value)))
            point[name] = estimate
            mean[index[name]] = z[j]
        shrink = sd[j] / math.sqrt(prior.cov[j, j])
        from_data = name in informed and shrink < 0.9
        parameters.append({
            "name": name, "label": LABELS_NL[name], "prior": prior_value, "estimate": estimate,
            "sd_logit": float(sd[j]), "prior_sd_logit": float(math.sqrt(prior.cov[j, j])),
            "bron": "eigen cijfers" if from_data else "landelijke prior",
        })
    fit = []
    if model is not None and case.figures:
        fit = fit_table(model, case.targets)
        for row, fig, target in zip(fit, case.figures, case.targets, strict=True):
            row.update({"label": MAPPINGS[fig.kind].label_nl, "period": fig.period,
                        "bound": target.bound, "factor": definition_factor(fig.kind, fig.year)[0],
                        "comparable_since": fig.comparable_since})
    notes = _notes(case, parameters, missing)
    kinds = sorted({f.kind for f in case.figures})
    return MunicipalCalibrationResult(
        code=case.code, name=case.name, fitted_through=fitted_through,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        risk=float(math.exp(z[0])), risk_sd=float(sd[0]), risk_indicator=case.risk_prior,
        parameters=parameters, point=point,
        posterior={"names": names, "mean": [float(v) for v in mean], "cov": full.tolist()},
        fit=fit,
        data={"n_figures": len(case.figures), "kinds": kinds,
              "years": sorted({f.year for f in case.figures}),
              "voorlopig": sum(f.status == "voorlopig" for f in case.figures),
              "bounds": sum(bool(f.bound) for f in case.figures),
              "sources": sorted({f.source for f in case.figures}),
              "missing": [asdict(m) for m in missing]},
        notes=notes,
        optimizer={"method": "Levenberg-Marquardt, gebatcht over gemeenten", **diag},
    )


def _notes(case: _Case, parameters: list[dict], missing: list[Missing]) -> list[str]:
    """Dutch lines: which figures are missing and which parameters the prior fills in."""
    notes = []
    present = {f.kind for f in case.figures}
    if not case.figures:
        notes.append(
            f"Voor {case.name} zijn geen bruikbare cijfers gevonden: de risico-index blijft de "
            f"index uit indicatoren ({case.risk_prior:.2f}) en alle parameters komen uit de "
            "landelijke kalibratie (prior)."
        )
    reasons = {m.kind: m.reason for m in missing}
    for kind, param in CORE_KINDS.items():
        if kind in present:
            continue
        why = reasons.get(kind, "ontbreekt")
        notes.append(f"{MAPPINGS[kind].label_nl}: {why}; '{LABELS_NL[param]}' komt "
                     "daarom uit de landelijke prior.")
    for m in missing:
        if m.kind not in MAPPINGS:
            notes.append(m.reason[0].upper() + m.reason[1:] + ".")
    prior_params = [p["label"] for p in parameters if p["bron"] == "landelijke prior"]
    if prior_params and case.figures:
        notes.append("Uit de landelijke prior (geen of te weinig eigen cijfers): "
                     + ", ".join(prior_params) + ".")
    return notes


# -- public API ----------------------------------------------------------------------------------
def _risk_prior(codes: Sequence[str]) -> dict[str, float]:
    from jeugdstelsel.data.municipalities import municipality_table
    from jeugdstelsel.services.inputs import municipal_risk

    table = municipality_table()
    return dict(zip(table["gm_code"], municipal_risk(table), strict=True))


def _names() -> dict[str, str]:
    from jeugdstelsel.data.municipalities import names

    return names()


def calibrate_many(
    figures: dict[str, list[Figure]],
    *,
    missing: dict[str, list[Missing]] | None = None,
    national: Calibration | None = None,
    holdout: bool = True,
    risk_prior: dict[str, float] | None = None,
) -> dict[str, MunicipalCalibrationResult]:
    """Calibrate municipalities (code -> figures) together.

    The full fits and the leave-last-year-out fits are cases of one batch, so one
    Levenberg-Marquardt loop (one simulation per step) and one final simulation serve them all.
    """
    prior = national_prior(national)
    risk_prior = {**_risk_prior(list(figures)), **(risk_prior or {})}
    names = _names()
    missing = missing or {}
    cases = [_Case(c, names.get(c, c), list(f), float(risk_prior[c])) for c, f in figures.items()]
    results: dict[str, MunicipalCalibrationResult] = {}
    for case in cases:
        if not case.figures:
            z = prior.mean.copy()
            z[0] = math.log(case.risk_prior)
            results[case.code] = _result(case, prior, z, None, None, {"iteraties": 0},
                                         None, missing.get(case.code, []))
    with_data = [c for c in cases if c.figures]
    train: list[_Case] = []
    test: list[_Case] = []
    if holdout:
        for case in with_data:
            years = sorted({f.year for f in case.figures})
            if len(years) < 2:
                continue
            train.append(_Case(case.code, case.name,
                               [f for f in case.figures if f.year < years[-1]], case.risk_prior))
            test.append(_Case(case.code, case.name,
                              [f for f in case.figures if f.year == years[-1]], case.risk_prior))
    if with_data:
        last = max(2022, max(f.year for c in with_data for f in c.figures))
        batch = _Batch([*with_data, *train], prior, last)
        z0 = np.tile(prior.mean, (len(batch.cases), 1))
        z0[:, 0] = np.log([c.risk_prior for c in batch.cases])
        z, jacs, diags = _solve(batch, z0)
        annual, half = batch.outputs(z, np.arange(len(batch.cases)))
        for i, case in enumerate(with_data):
            model = _Batch.model_values(case, annual, half, i)
            fitted = max(f.year for f in case.figures)
            results[case.code] = _result(case, prior, z[i], jacs[i], model, diags[i], fitted,
                                         missing.get(case.code, []))
        predictions = {}
        for i, (fit_case, case) in enumerate(zip(train, test, strict=True)):
            model = _Batch.model_values(case, annual, half, len(with_data) + i)
            predictions[case.code] = _holdout_report(fit_case, case, model)
        for case in with_data:
            results[case.code].holdout = predictions.get(case.code) or {
                "beschikbaar": False,
                "reden": "cijfers van maar één jaar: geen toets buiten de steekproef"
                if holdout else "niet gevraagd",
            }
    return {c.code: results[c.code] for c in cases}


def _holdout_report(fit_case: _Case, case: _Case, model: np.ndarray) -> dict:
    """Prediction of the left-out last year against its figures, and the naive forecast."""
    rows = fit_table(model, case.targets)
    for row, fig, target in zip(rows, case.figures, case.targets, strict=True):
        row["period"] = fig.period
        row["bound"] = target.bound
        row["label"] = MAPPINGS[fig.kind].label_nl
        earlier = [f for f in fit_case.figures if f.kind == fig.kind and not f.bound]
        if earlier and not fig.bound:
            prev = max(earlier, key=lambda f: f.year).value
            row["vorig_cijfer_herhaald_error"] = (
                100 * (prev / fig.value - 1) if row["unit"] == "%" else prev - fig.value
            )
    point = [r for r in rows if not r["bound"]]
    naive = [abs(r["vorig_cijfer_herhaald_error"]) for r in point
             if "vorig_cijfer_herhaald_error" in r]
    return {
        "beschikbaar": True,
        "fit_through": max(f.year for f in fit_case.figures),
        "year": case.figures[0].year,
        "rows": rows,
        "mean_abs_error": float(np.mean([abs(r["error"]) for r in point])) if point else None,
        "naive_mean_abs_error": float(np.mean(naive)) if naive else None,
        "bounds_met": sum(1 for r in rows if r["bound"] and (
            (r["bound"] == "min" and r["model"] >= r["observed"])
            or (r["bound"] == "max" and r["model"] <= r["observed"]))),
        "bounds": sum(1 for r in rows if r["bound"]),
    }


def calibrate_municipality(code: str, *, use_store: bool = True, holdout: bool = True,
                           national: Calibration | None = None) -> MunicipalCalibrationResult:
    """Calibrate one municipality (GM code of the 2024 division) to all figures found for it."""
    name = _names().get(code, code)
    figures, missing = gather(code, name, use_store=use_store)
    return calibrate_many({code: figures}, missing={code: missing}, national=national,
                          holdout=holdout)[code]


def municipalities_with_data(use_store: bool = True) -> dict[str, tuple[list[Figure],
                                                                        list[Missing]]]:
    """Every current municipality that has at least one usable figure."""
    from jeugdstelsel.data.municipalities import municipality_table

    table = municipality_table()
    found = {}
    for code, name in zip(table["gm_code"], table["name"], strict=True):
        figures, missing = gather(code, name, use_store=use_store)
        if figures:
            found[code] = (figures, missing)
    return found


# -- the store -----------------------------------------------------------------------------------
def save(result: MunicipalCalibrationResult):
    """Store a calibration (a new row; the newest per municipality is the one scenarios use)."""
    from jeugdstelsel.store.models import MunicipalCalibration

    return MunicipalCalibration.objects.create(
        gemeente_id=result.code,
        fitted_through=result.fitted_through,
        risk=result.risk,
        risk_indicator=result.risk_indicator,
        point=result.point,
        posterior=result.posterior,
        fit={"rows": result.fit, "holdout": result.holdout, "parameters": result.parameters,
             "notes": result.notes, "optimizer": result.optimizer, "risk_sd": result.risk_sd,
             "created": result.created, "name": result.name},
        data_summary=result.data,
    )


def _from_row(row) -> MunicipalCalibrationResult:
    fit = row.fit or {}
    return MunicipalCalibrationResult(
        code=row.gemeente_id, name=fit.get("name", row.gemeente_id),
        fitted_through=row.fitted_through, created=fit.get("created", row.created.isoformat()),
        risk=row.risk, risk_sd=float(fit.get("risk_sd", 0.0)),
        risk_indicator=row.risk_indicator, parameters=fit.get("parameters", []),
        point=row.point, posterior=row.posterior, fit=fit.get("rows", []),
        holdout=fit.get("holdout", {}), data=row.data_summary or {},
        notes=fit.get("notes", []), optimizer=fit.get("optimizer", {}),
    )


def latest(codes: Iterable[str]) -> dict[str, MunicipalCalibrationResult]:
    """The newest stored calibration per municipality (only those that have one)."""
    from jeugdstelsel.store.models import MunicipalCalibration

    rows = MunicipalCalibration.objects.filter(gemeente_id__in=list(codes)).order_by(
        "gemeente_id", "-created", "-pk")
    found: dict[str, MunicipalCalibrationResult] = {}
    for row in rows:
        found.setdefault(row.gemeente_id, _from_row(row))
    return found


def stored_for_run(codes: Sequence[str]) -> dict[str, MunicipalCalibrationResult]:
    """Stored calibrations for a scenario run; empty when the store is unavailable.

    A run must never fail or create a database because of this look-up: without Django, without
    a database file, with an unmigrated database or outside a permitted test, it returns ``{}``
    and the run uses the indicator-based risk index.
    """
    codes = [c for c in codes if c.startswith("GM")]
    if not codes:
        return {}
    try:
        from pathlib import Path

        from jeugdstelsel.data.store_service import setup_django

        setup_django()
        from django.db import connections, router

        from jeugdstelsel.store.models import MunicipalCalibration

        alias = router.db_for_read(MunicipalCalibration) or "default"
        settings = connections[alias].settings_dict
        if settings["ENGINE"].endswith("sqlite3"):
            name = str(settings.get("NAME") or "")
            is_memory = name.startswith(("file:", ":memory:")) or "mode=memory" in name
            test_name = (settings.get("TEST") or {}).get("NAME")
            if not is_memory and not test_name and not Path(name).exists():
                return {}
        return latest(codes)
    except Exception:
        return {}


def describe_for_run(codes: Sequence[str],
                     stored: dict[str, MunicipalCalibrationResult]) -> dict[str, str]:
    """Per municipality, in Dutch, which risk index and parameters a run used."""
    out = {}
    for code in codes:
        if code == "NL01":
            out[code] = "landelijke kalibratie (risico-index 1)"
        elif code in stored:
            s = stored[code]
            risk = f"{s.risk:.2f}".replace(".", ",")
            out[code] = (f"gemeentelijke kalibratie van {s.created[:10]} (risico-index "
                         f"{risk}, t/m {s.fitted_through})")
        else:
            out[code] = ("geen gemeentelijke kalibratie: risico-index uit indicatoren, "
                         "landelijke parameters")
    return out


def model_figures(code: str, truth: dict[str, float], kinds: Sequence[str],
                  periods: Sequence[str], *, national: Calibration | None = None) -> list[Figure]:
    """The figures the model would publish for a municipality with parameters ``truth``.

    Why: recovery tests and the benchmark need data whose true parameters are known. ``truth``
    holds ``risk_index`` and/or municipal parameter values (others stay at the prior mean);
    values come out in the published definition (definition factors applied), unrounded.
    """
    return model_figures_many({code: truth}, kinds, periods, national=national)[code]


def model_figures_many(truths: dict[str, dict[str, float]], kinds: Sequence[str],
                       periods: Sequence[str], *, national: Calibration | None = None,
                       ) -> dict[str, list[Figure]]:
    """:func:`model_figures` for many municipalities in one simulation."""
    prior = national_prior(national)
    indicator = _risk_prior(list(truths))
    names = _names()
    z = np.tile(prior.mean, (len(truths), 1))
    cases = []
    for i, (code, truth) in enumerate(truths.items()):
        risk = truth.get(RISK, indicator[code])
        z[i, 0] = math.log(risk)
        for j, name in enumerate(FREE[1:], start=1):
            if name in truth:
                z[i, j] = float(PARAMETERS_BY_NAME[name].to_unit(truth[name]))
        blank = [Figure(k, p, 1.0, "definitief", "synthetisch") for p in periods for k in kinds]
        cases.append(_Case(code, names.get(code, code), blank, risk))
    batch = _Batch(cases, prior, max(2022, *(int(p[:4]) for p in periods)))
    annual, half = batch.outputs(z, np.arange(len(cases)))
    out = {}
    for i, case in enumerate(cases):
        values = _Batch.model_values(case, annual, half, i)
        out[case.code] = [Figure(f.kind, f.period, float(v), f.status, "synthetisch (model)")
                          for f, v in zip(case.figures, values, strict=True)]
    return out
