"""Charts with matplotlib (Agg): bands over time, flows through the layers, tornado, Sobol.

Scenarios are told apart by line style, marker and a label, not by colour alone (readable in
black and white and for colour-blind readers); colours follow the Okabe-Ito palette.

Speed: figures are bare :class:`~matplotlib.figure.Figure` objects on the Agg canvas (no
pyplot: no GUI backend, no global figure registry, a lighter import) with fixed margins instead
of ``tight_layout`` (which measures every tick label once more), and PNGs are compressed at
level 3: a comparison's three charts take about a third of the time they took.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from jeugdstelsel.numbers import nl_number

if TYPE_CHECKING:  # the drawing functions also run in a child process (chart_process) that
    # imports neither the services nor pandas; matplotlib is imported where it is used
    from matplotlib.figure import Figure

    from jeugdstelsel.services.compare import Comparison

COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
BAND_PANELS = ("specialistisch", "eerste_lijn", "wachttijd_weken", "herhaald_beroep_pct",
               "verblijf_plaatsingen", "uitgaven")


PNG = {"compress_level": 3}


def _subplots(rows: int, cols: int, figsize: tuple[float, float], **kwargs):
    """Like ``plt.subplots`` but without pyplot: a Figure on its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, cols, **kwargs)


def _save(fig: Figure, path: Path, dpi: int = 130) -> Path:
    fig.savefig(path, dpi=dpi, pil_kwargs=PNG)
    return path


def _style(i: int) -> dict:
    return {"color": COLOURS[i % len(COLOURS)], "linestyle": STYLES[i % len(STYLES)],
            "marker": MARKERS[i % len(MARKERS)], "markersize": 4}


def _scale(key: str) -> tuple[float, str]:
    from jeugdstelsel.services.compare import INDICATORS_BY_KEY

    unit = INDICATORS_BY_KEY[key].unit
    return (1e6, "mln euro") if unit == "euro" else (1.0, unit)


def _wrap(text: str, width: int = 56) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)[:2])


def _nl(x: float, _pos=None) -> str:
    return nl_number(x, 0 if abs(x) >= 100 else 1)


def bands(comp: Comparison, path: Path, *, differences: bool = False,
          panels: tuple[str, ...] = BAND_PANELS, charts=None) -> Path:
    """Median and 80% band per scenario over the years (or paired differences vs reference).

    ``charts``: a :class:`~jeugdstelsel.reports.chart_process.ChartProcess` to draw in.
    """
    from jeugdstelsel.services.compare import INDICATORS_BY_KEY

    results = comp.results[1:] if differences else comp.results
    data = []
    for key in panels:
        div, unit = _scale(key)
        lines = []
        for res in results:
            v = res.indicators[key] / div
            if differences:
                v = v - comp.base.indicators[key] / div
            lines.append((res.name, np.percentile(v, [10, 50, 90], axis=0)))
        data.append((INDICATORS_BY_KEY[key].label_nl, ("verschil, " if differences else "") + unit,
                     lines))
    title = ("Verschil met " + comp.base.name + " (gepaarde trekkingen)" if differences
             else "Scenario's over de jaren")
    job = {"years": np.asarray(comp.years), "panels": data, "offset": 1 if differences else 0,
           "zero_line": differences,
           "suptitle": f"{title} — {comp.area_name}; lijn: mediaan, band: 80%-interval",
           "path": path}
    if charts is not None:
        charts.submit("bands", **job)
    else:
        draw_bands(**job)
    return path


def draw_bands(years, panels, offset: int, zero_line: bool, suptitle: str, path) -> None:
    """The picture of :func:`bands`, from plain arrays."""
    from matplotlib.ticker import MaxNLocator

    fig, axes = _subplots(2, 3, (12, 6.8), sharex=True)
    for ax, (label, ylabel, lines) in zip(axes.flat, panels, strict=False):
        for i, (name, (lo, med, hi)) in enumerate(lines):
            st = _style(i + offset)
            ax.fill_between(years, lo, hi, color=st["color"], alpha=0.12, linewidth=0)
            ax.plot(years, lo, color=st["color"], linestyle=st["linestyle"], linewidth=0.6)
            ax.plot(years, hi, color=st["color"], linestyle=st["linestyle"], linewidth=0.6)
            ax.plot(years, med, label=name, linewidth=1.6, **st)
        if zero_line:
            ax.axhline(0.0, color="0.4", linewidth=0.8)
        ax.set_title(label, fontsize=9, y=1.0)  # a fixed y skips the slow title placement
        ax.set_ylabel(ylabel, fontsize=8)
        ax.yaxis.set_major_formatter(_nl)
        ax.yaxis.set_major_locator(MaxNLocator(6))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(suptitle, fontsize=11)
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=8,
               frameon=False)
    rows = -(-len(labels) // 3)  # legend rows
    fig.subplots_adjust(left=0.065, right=0.985, top=0.9, bottom=0.075 + 0.035 * rows,
                        wspace=0.3, hspace=0.22)
    _save(fig, path, dpi=115)


def warm_up(name: str, target) -> None:
    """Draw chart ``name`` ('bands' or 'flows') on made-up numbers: see ``chart_process``."""
    years = np.arange(2015, 2031)
    line = np.vstack([np.linspace(1, 2, len(years)) * f for f in (0.9, 1.0, 1.1)])
    if name == "bands":
        panel = ("x", "x", [("a", line), ("b", line * 1.1)])
        draw_bands(years, [panel] * len(BAND_PANELS), 0, False, "x", target)
    else:
        keys = [k for k, _ in LEFT] + ["eerste_lijn_afgerond", "start_zonder_verblijf",
                                       "start_met_verblijf"]
        meds = [dict.fromkeys(keys, 1.0)] * 2
        draw_flows(["a", "b"], meds, 2020, "x", target)


# -- flows (alluvial / Sankey-style) -----------------------------------------------------------

LEFT = (("eerste_lijn_in", "Eerste lijn"), ("huisarts", "Huisarts"),
        ("jeugdarts_geen_verwijzer", "Jeugdarts / geen verwijzer"),
        ("medisch_specialist", "Medisch specialist"), ("rechter_gi", "Rechter / GI"),
        ("herhaald_beroep", "Herhaald beroep"))
MIDDLE = (("afgerond", "Afgerond in de eerste lijn"), ("specialistisch", "Specialistische hulp"))
RIGHT = (("start_zonder_verblijf", "Zonder verblijf"), ("start_met_verblijf", "Met verblijf"))


def _band(ax, x0, y0a, y0b, x1, y1a, y1b, colour) -> None:
    """A filled band between two vertical intervals, with S-shaped (cubic) edges."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    xm = (x0 + x1) / 2
    verts = [(x0, y0a), (xm, y0a), (xm, y1a), (x1, y1a), (x1, y1b), (xm, y1b), (xm, y0b),
             (x0, y0b), (x0, y0a)]
    codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO,
             MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MPath(verts, codes), facecolor=colour, alpha=0.35, edgecolor="none"))


def _stack(values: list[float], gap: float) -> list[tuple[float, float]]:
    out, y = [], 0.0
    for v in values:
        out.append((y, y + v))
        y += v + gap
    return out


def flows(comp: Comparison, path: Path, year: int | None = None, charts=None) -> Path:
    """Where children go through the layers in one year (medians over draws), per scenario.

    Left: how a trajectory starts (first line, referrer, re-entry); middle: resolved in the first
    line or specialist help; right: specialist help without or with residence. Widths are
    persons per year on one scale for all scenarios, so panels compare directly.
    """
    year = int(year if year is not None else comp.years[min(5, len(comp.years) - 1)])
    j = int(np.searchsorted(comp.years, year))
    job = {"names": [r.name for r in comp.results],
           "meds": [{k: float(np.median(v[:, j])) for k, v in r.flows.items()}
                    for r in comp.results],
           "year": year, "area_name": comp.area_name, "path": path}
    if charts is not None:
        charts.submit("flows", **job)
    else:
        draw_flows(**job)
    return path


def draw_flows(names: list[str], meds: list[dict[str, float]], year: int, area_name: str,
               path) -> None:
    """The picture of :func:`flows`, from the medians."""
    from matplotlib.patches import Rectangle

    n = len(meds)
    fig, axes = _subplots(1, n, (4.6 * n, 5.4), squeeze=False)
    total = max(sum(m[k] for k, _ in LEFT) for m in meds)
    gap = 0.03 * total
    for ax, name, m in zip(axes[0], names, meds, strict=True):
        left = [m[k] for k, _ in LEFT]
        spec = sum(left) - m["eerste_lijn_afgerond"]
        middle = [m["eerste_lijn_afgerond"], spec]
        right = [m["start_zonder_verblijf"], m["start_met_verblijf"]]
        scale_r = spec / max(sum(right), 1e-9)  # starts and referrals differ by the queue
        right = [r * scale_r for r in right]
        ly, my, ry = _stack(left, gap), _stack(middle, gap), _stack(right, gap)
        w = 0.06
        for (a, b), (_, label), value in zip(ly, LEFT, left, strict=True):
            ax.add_patch(Rectangle((0, a), w, b - a, color="0.25"))
            ax.text(-0.02, (a + b) / 2, f"{label}\n{_nl(value)}", ha="right", va="center",
                    fontsize=7)
        for (a, b), (_, label), value in zip(my, MIDDLE, middle, strict=True):
            ax.add_patch(Rectangle((0.5 - w / 2, a), w, b - a, color="0.25"))
            ax.text(0.5 + w, (a + b) / 2, f"{label}\n{_nl(value)}", ha="left", va="center",
                    fontsize=7, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none",
                                      "pad": 1.5})
        for (a, b), (_, label), value in zip(ry, RIGHT, right, strict=True):
            ax.add_patch(Rectangle((1 - w, a), w, b - a, color="0.25"))
            ax.text(1.02, (a + b) / 2, f"{label}\n{_nl(value / scale_r)} starts", ha="left",
                    va="center", fontsize=7)
        # first line splits into resolved and escalated; the rest all go to specialist help
        fl = ly[0]
        resolved = m["eerste_lijn_afgerond"]
        _band(ax, w, fl[0], fl[0] + resolved, 0.5 - w / 2, my[0][0], my[0][1], COLOURS[3])
        cursor = my[1][0]
        _band(ax, w, fl[0] + resolved, fl[1], 0.5 - w / 2, cursor,
              cursor + (fl[1] - fl[0] - resolved), COLOURS[1])
        cursor += fl[1] - fl[0] - resolved
        for (a, b) in ly[1:]:
            _band(ax, w, a, b, 0.5 - w / 2, cursor, cursor + (b - a), COLOURS[2])
            cursor += b - a
        cursor = my[1][0]
        for (a, b), colour in zip(ry, (COLOURS[1], COLOURS[4]), strict=True):
            _band(ax, 0.5 + w / 2, cursor, cursor + (b - a), 1 - w, a, b, colour)
            cursor += b - a
        ax.set_xlim(-0.55, 1.5)
        ax.set_ylim(-gap, total + 7 * gap)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    fig.suptitle(f"Stromen door de lagen in {year} — {area_name} (jongeren per jaar, "
                 "mediaan)", fontsize=11)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.89, bottom=0.02, wspace=0.04)
    _save(fig, path)


# -- sensitivity -------------------------------------------------------------------------------

def tornado(table, path: Path, top: int = 10) -> Path:
    """One panel per output: low/high swing of each input around the central value."""
    outputs = list(dict.fromkeys(table["uitkomst"]))
    fig, axes = _subplots(len(outputs), 1, (9, 3.1 * len(outputs)), squeeze=False)
    for ax, out in zip(axes[:, 0], outputs, strict=True):
        sub = table[table["uitkomst"] == out].nlargest(top, "bereik").iloc[::-1]
        centre = float(sub["centraal"].iloc[0]) if len(sub) else 0.0
        y = np.arange(len(sub))
        ax.barh(y, sub["laag"] - centre, left=centre, color=COLOURS[1], label="ondergrens",
                hatch="//", edgecolor="white")
        ax.barh(y, sub["hoog"] - centre, left=centre, color=COLOURS[2], label="bovengrens")
        ax.axvline(centre, color="black", linewidth=0.8)
        ax.set_yticks(y, [_wrap(t) for t in sub["label"]], fontsize=6.5)
        ax.set_title(out, fontsize=9)
        ax.xaxis.set_major_formatter(_nl)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.suptitle("Tornado: één aanname tegelijk naar de onder- en bovengrens", fontsize=11)
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.75 / fig.get_figheight(), bottom=0.05,
                        hspace=0.45)
    return _save(fig, path)


def sobol(table, path: Path) -> Path:
    """First-order and total Sobol indices with their confidence intervals, per output."""
    outputs = list(dict.fromkeys(table["uitkomst"]))
    fig, axes = _subplots(len(outputs), 1, (9, 3.1 * len(outputs)), squeeze=False)
    for ax, out in zip(axes[:, 0], outputs, strict=True):
        sub = table[table["uitkomst"] == out].sort_values("ST").iloc[-10:]
        y = np.arange(len(sub))
        ax.barh(y - 0.2, sub["S1"], height=0.4, xerr=sub["S1_conf"], color=COLOURS[1],
                label="eerste orde (S1)", hatch="//", edgecolor="white")
        ax.barh(y + 0.2, sub["ST"], height=0.4, xerr=sub["ST_conf"], color=COLOURS[2],
                label="totaal (ST)")
        ax.set_yticks(y, [_wrap(t) for t in sub["label"]], fontsize=6.5)
        ax.set_xlim(0, 1.05)
        ax.set_title(out, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Sobol-indices: aandeel van de onzekerheid per aanname (SALib)", fontsize=11)
    fig.subplots_adjust(left=0.36, right=0.97, top=1 - 0.75 / fig.get_figheight(), bottom=0.05,
                        hspace=0.45)
    return _save(fig, path)
