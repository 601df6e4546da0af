"""Write a run's results: long-format CSV and Parquet, a chart, and the scenario used.

Files are written into a temporary folder beside the target and moved into place only when all
of them are complete, so an interrupted or failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from jeugdstelsel.numbers import nl_number
from jeugdstelsel.services.run import RunResult, observed_national
from jeugdstelsel.services.scenario import dumps

CHART_SERIES = (
    ("jeugdzorg_0_22", "Jongeren met jeugdzorg (0-22)"),
    ("jeugdhulp_zonder_verblijf_0_22", "Jeugdhulp zonder verblijf"),
    ("jeugdhulp_met_verblijf_0_22", "Jeugdhulp met verblijf"),
    ("jeugdbescherming_0_22", "Jeugdbescherming"),
    ("trajecten_gestart", "Gestarte trajecten"),
    ("uitgaven", "Uitgaven"),
)


def dutch_number(value: float, _pos: object = None) -> str:
    """12345.6 -> '12.346'; small values keep one decimal with a decimal comma."""
    return nl_number(value, 1 if abs(value) < 100 and value != int(value) else 0)


def table(result: RunResult) -> pd.DataFrame:
    """The long-format results with the published figure beside the model where one exists."""
    frame = result.summary()
    if result.areas == ("NL01",):
        obs = observed_national()
        frame = frame.merge(obs, on=["reeks", "jaar"], how="left")
    else:
        frame["waargenomen"] = float("nan")
        frame["status"] = None
        frame["bron"] = None
    return frame


def chart(result: RunResult, frame: pd.DataFrame, path: Path) -> None:
    """Main series with 80% and 95% bands; published figures as markers beside the model."""
    fig, axes = plt.subplots(3, 2, figsize=(11, 10), constrained_layout=True)
    area = result.areas[0]
    for ax, (key, title) in zip(axes.flat, CHART_SERIES, strict=True):
        rows = frame[(frame["reeks"] == key) & (frame["gebied"] == area)]
        wide = rows.pivot_table(index="jaar", columns="statistiek", values="waarde")
        scale = 1.0
        if key == "uitgaven":  # billions for the country, millions for a municipality
            scale = 1e9 if wide["p97.5"].max() >= 1e9 else 1e6
            title = f"{title} ({'mld' if scale == 1e9 else 'mln'} euro)"
        years = wide.index.to_numpy()
        ax.fill_between(
            years,
            wide["p2.5"] / scale,
            wide["p97.5"] / scale,
            color="#9ecae1",
            alpha=0.45,
            label="95%-interval",
            hatch="..",
            linewidth=0,
        )
        ax.fill_between(
            years,
            wide["p10"] / scale,
            wide["p90"] / scale,
            color="#4292c6",
            alpha=0.55,
            label="80%-interval",
            linewidth=0,
        )
        ax.plot(
            years, wide["mediaan"] / scale, color="#08306b", linewidth=2, label="model (mediaan)"
        )
        observed = rows[rows["statistiek"] == "mediaan"].dropna(subset=["waargenomen"])
        if not observed.empty:
            final = observed[observed["status"] != "voorlopig"]
            prov = observed[observed["status"] == "voorlopig"]
            ax.plot(
                final["jaar"],
                final["waargenomen"] / scale,
                "o",
                color="#a50f15",
                markersize=6,
                label="gepubliceerd (CBS/NJi)",
            )
            if not prov.empty:
                ax.plot(
                    prov["jaar"],
                    prov["waargenomen"] / scale,
                    "D",
                    mfc="white",
                    color="#a50f15",
                    markersize=6,
                    label="gepubliceerd, voorlopig",
                )
        if years.min() <= 2021 <= years.max():
            ax.axvline(2020.5, color="#555555", linestyle="--", linewidth=1)
            ax.text(
                2020.6, ax.get_ylim()[1], " trendbreuk 2021", va="top", fontsize=8, color="#333333"
            )
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(dutch_number))
    legend: dict[str, object] = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    labels, handles = list(legend), list(legend.values())
    fig.legend(
        handles, labels, loc="lower center", ncol=5, bbox_to_anchor=(0.5, -0.03), frameon=False
    )
    name = result.area_names[0]
    fig.suptitle(
        f"jeugdstelsel — {result.scenario.scenario.naam}, {name} "
        f"({len(result.series['uitgaven'])} trekkingen)",
        fontsize=13,
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def write(result: RunResult, out_dir: Path) -> list[Path]:
    """Write results.csv, results.parquet, grafiek.png, scenario.toml and meta.json atomically."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    frame = table(result)
    tmp = Path(tempfile.mkdtemp(prefix=".jeugdstelsel-", dir=out_dir.parent))
    try:
        frame.to_csv(tmp / "results.csv", index=False)
        frame.to_parquet(tmp / "results.parquet", index=False)
        chart(result, frame, tmp / "grafiek.png")
        (tmp / "scenario.toml").write_text(dumps(result.scenario), encoding="utf-8")
        meta = {
            "gebieden": list(result.areas),
            "jaren": [int(y) for y in result.years],
            "trekkingen": int(result.params.n_draws),
            "kalibratie": result.calibration_info,
            "eenheden": "zie kolom 'eenheid'; statistieken over Monte Carlo-trekkingen",
        }
        (tmp / "meta.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for item in sorted(tmp.iterdir()):
            target = out_dir / item.name
            os.replace(item, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
