"""The backtest as a picture: per headline series the published figures and what each origin's
model forecast (median and 80% band) and the two naive methods said about the years after it.

Methods are told apart by marker and line style, not by colour alone (Okabe-Ito palette).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.numbers import nl_number

STYLE = {"model": ("#0072B2", "o", "-"), "trend": ("#D55E00", "^", "--"),
         "vorig_jaar": ("#009E73", "s", ":")}
LABEL = {"model": "model (mediaan, 80%-band)", "trend": "rechte trendlijn",
         "vorig_jaar": "vorig jaar herhaald"}


def chart(cases: pd.DataFrame, published: dict[str, dict[int, tuple[float, str]]],
          keys: list[str], path: Path) -> Path:
    """A grid of panels, one per series in ``keys`` that has backtest cases."""
    keys = [k for k in keys if (cases["reeks"] == k).any()]
    cols = 2
    rows = max(1, (len(keys) + cols - 1) // cols)
    fig = Figure(figsize=(10, 3.1 * rows))
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, key in zip(axes, keys, strict=False):
        obs = published.get(key, {})
        years = sorted(obs)
        ax.plot(years, [obs[y][0] for y in years], color="#000000", marker="o", markersize=4,
                linewidth=1.2, label="gepubliceerd")
        g = cases[cases["reeks"] == key]
        for method, (colour, marker, style) in STYLE.items():
            m = g[g["methode"] == method]
            for origin, part in m.groupby("oorsprong"):
                part = part.sort_values("jaar")
                start = obs.get(int(origin))
                xs = ([int(origin)] if start else []) + part["jaar"].tolist()
                ys = ([start[0]] if start else []) + part["mediaan"].tolist()
                ax.plot(xs, ys, color=colour, linestyle=style, marker=marker, markersize=3,
                        linewidth=0.9, label=LABEL[method] if origin == m["oorsprong"].min()
                        else None)
                if method == "model":
                    ax.vlines(part["jaar"], part["p10"], part["p90"], color=colour,
                              linewidth=2.5, alpha=0.35)
        shown = [*years, *g["jaar"].tolist()]
        ax.set_xlim(min(shown) - 0.5, max(shown) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(SERIES_BY_KEY[key].label_nl, fontsize=9, loc="left")
        ax.yaxis.set_major_formatter(lambda v, _p: nl_number(v, 0))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    if keys:
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("Toets: voorspellingen vanaf elk oorsprongsjaar tegen wat daarna gepubliceerd "
                 "werd", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92 if rows > 1 else 0.85, bottom=0.07,
                        hspace=0.45, wspace=0.22)
    fig.savefig(path, dpi=110, pil_kwargs={"compress_level": 3})
    return path
