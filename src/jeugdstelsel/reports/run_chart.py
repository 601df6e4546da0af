"""The chart of one run (``grafiek.png``): six main series with 80%/95% bands and published figures.

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no GUI
backend, nothing global), with fixed margins instead of a layout engine, plain bands (no
hatching) and no tight-bbox pass: the same picture as before in a fraction of the time, which
counts because every ``jeugdstelsel run`` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from jeugdstelsel.numbers import nl_number

if TYPE_CHECKING:  # the drawing runs in a child process that never needs pandas
    import pandas as pd

BAND_95 = "#9ecae1"
BAND_80 = "#4292c6"
MEDIAN = "#08306b"
OBSERVED = "#a50f15"


def _tick(value: float, _pos: object = None) -> str:
    """12345.6 -> '12.346'; small values keep one decimal with a decimal comma; never '-0'."""
    return nl_number(value, 1 if abs(value) < 100 and value != int(value) else 0)


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The frame's columns as NumPy arrays, taken once (masking a DataFrame per panel is slow)."""
    return {c: frame[c].to_numpy() for c in ("reeks", "gebied", "statistiek", "jaar", "waarde",
                                             "waargenomen", "status") if c in frame.columns}


def _panel_data(cols: dict[str, np.ndarray], key: str, area: str) -> dict[str, np.ndarray]:
    """year -> statistic arrays, and the published figures, of one series of one area."""
    rows = np.flatnonzero((cols["reeks"] == key) & (cols["gebied"] == area))
    out: dict[str, np.ndarray] = {}
    stats = cols["statistiek"][rows]
    for stat in ("mediaan", "p10", "p90", "p2.5", "p97.5"):
        sel = rows[stats == stat]
        sel = sel[np.argsort(cols["jaar"][sel], kind="stable")]
        out["jaar"] = cols["jaar"][sel]
        out[stat] = cols["waarde"][sel].astype(float)
        if stat == "mediaan" and "waargenomen" in cols:
            out["waargenomen"] = cols["waargenomen"][sel].astype(float)
            out["status"] = cols["status"][sel]
    return out


def run_chart(result, frame: pd.DataFrame, path: Path,
              series: Sequence[tuple[str, str]], charts=None) -> Path:
    """Draw ``series`` ((key, title) pairs, six of them) of the run's first area into ``path``.

    ``charts``: a :class:`jeugdstelsel.reports.chart_process.ChartProcess` that draws in a
    child process (started before the simulation, so matplotlib is imported meanwhile); the
    caller then waits for it. Without one the chart is drawn here. Same function either way.
    """
    area = result.areas[0]
    cols = _columns(frame)
    panels = [(key, title, _panel_data(cols, key, area)) for key, title in series]
    suptitle = (f"jeugdstelsel — {result.scenario.scenario.naam}, {result.area_names[0]} "
                f"({len(result.series['uitgaven'])} trekkingen)")
    if charts is not None:
        charts.submit("run", panels=panels, suptitle=suptitle, path=str(path))
    else:
        draw(panels, suptitle, str(path))
    return Path(path)


def warm_up(_name: str, target) -> None:
    """Draw six made-up panels into ``target`` (a file object): see ``chart_process``."""
    years = np.arange(2015, 2031)
    base = np.linspace(1.0, 2.0, len(years))
    d = {"jaar": years, "mediaan": base, "p10": base * 0.9, "p90": base * 1.1,
         "p2.5": base * 0.8, "p97.5": base * 1.2,
         "waargenomen": np.where(years < 2024, base, np.nan),
         "status": np.array(["definitief"] * (len(years) - 1) + ["voorlopig"], dtype=object)}
    draw([("x", "x", d)] * 5 + [("uitgaven", "x", d)], "x", target)


def draw(panels: list[tuple[str, str, dict[str, np.ndarray]]], suptitle: str, path) -> None:
    """The picture itself, from plain arrays (what the child process receives); ``path``: a
    file name or a binary file object."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    fig = Figure(figsize=(11, 10))
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 2, sharex=True)  # one set of year labels per column
    fig.subplots_adjust(left=0.075, right=0.985, top=0.93, bottom=0.085, wspace=0.16,
                        hspace=0.2)
    legend: dict[str, object] = {}
    for ax, (key, title, d) in zip(axes.flat, panels, strict=True):
        scale = 1.0
        if key == "uitgaven":  # billions for the country, millions for a municipality
            scale = 1e9 if np.nanmax(d["p97.5"]) >= 1e9 else 1e6
            title = f"{title} ({'mld' if scale == 1e9 else 'mln'} euro)"
        years = d["jaar"]
        handles = [
            ax.fill_between(years, d["p2.5"] / scale, d["p97.5"] / scale, color=BAND_95,
                            alpha=0.45, linewidth=0, label="95%-interval"),
            ax.fill_between(years, d["p10"] / scale, d["p90"] / scale, color=BAND_80,
                            alpha=0.55, linewidth=0, label="80%-interval"),
            *ax.plot(years, d["mediaan"] / scale, color=MEDIAN, linewidth=2,
                     label="model (mediaan)"),
        ]
        observed = d.get("waargenomen")
        if observed is not None and np.isfinite(observed).any():
            seen = np.isfinite(observed)
            provisional = seen & (d["status"] == "voorlopig")
            final = seen & ~provisional
            if final.any():
                handles += ax.plot(years[final], observed[final] / scale, "o", color=OBSERVED,
                                   markersize=6, label="gepubliceerd (CBS/NJi)")
            if provisional.any():
                handles += ax.plot(years[provisional], observed[provisional] / scale, "D",
                                   mfc="white", color=OBSERVED, markersize=6,
                                   label="gepubliceerd, voorlopig")
        if years.min() <= 2021 <= years.max():
            ax.axvline(2020.5, color="#555555", linestyle="--", linewidth=1)
            ax.text(2020.6, 0.98, " trendbreuk 2021", va="top", fontsize=8, color="#333333",
                    transform=ax.get_xaxis_transform())
        ax.set_title(title, fontsize=11, y=1.0)  # a fixed y skips the slow title-placement pass
        ax.grid(alpha=0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(_tick))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        # every five years: readable, and fewer tick artists (the bulk of the drawing time)
        ax.xaxis.set_major_locator(MultipleLocator(5))
        for h in handles:
            legend.setdefault(h.get_label(), h)
    fig.legend(list(legend.values()), list(legend), loc="lower center", ncol=5,
               bbox_to_anchor=(0.5, 0.005), frameon=False)
    fig.suptitle(suptitle, fontsize=13)
    # compress_level 1 instead of 6: a fifth of the encoding time for a somewhat larger file
    fig.savefig(path, dpi=110, pil_kwargs={"compress_level": 1})
