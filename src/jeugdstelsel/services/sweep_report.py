"""The summary of a finished sweep: effect table, ranking, national check and charts.

Read from the stored partitions (not from memory), so a resumed sweep summarises exactly like a
sweep that ran in one go. Labels and column names are Dutch: these files go to policy makers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

RANKING_MEASURES = {
    "trajecten_voorkomen_per_1000": "Gestarte trajecten voorkomen per 1.000 jongeren",
    "netto_euro_per_jongere": "Netto besparing per jongere (euro)",
}


def _effects(store) -> pd.DataFrame:
    import pyarrow.dataset as ds

    from jeugdstelsel.data.municipalities import names
    from jeugdstelsel.services.sweep_store import EFFECTS

    root = store.out / EFFECTS
    if not root.exists():
        return pd.DataFrame()
    frame = ds.dataset(root, format="parquet", partitioning="hive").to_table().to_pandas()
    for col in ("scenario", "gemeente"):
        frame[col] = frame[col].astype(str)
    lookup = names()
    frame.insert(2, "gemeentenaam", frame["gemeente"].map(lambda c: lookup.get(c, c)))
    order = {c: i for i, c in enumerate(store.plan.codes)}
    frame["_o"] = frame["gemeente"].map(order)
    return frame.sort_values(["scenario", "_o", "reeks"]).drop(columns="_o").reset_index(drop=True)


def ranking(effects: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and measure, municipalities from most to least pay-off (median)."""
    rows = []
    for (scenario, key), group in effects[effects["reeks"].isin(RANKING_MEASURES)].groupby(
            ["scenario", "reeks"], sort=True):
        g = group.sort_values(["verschil_mediaan", "gemeente"], ascending=[False, True])
        rows.append(pd.DataFrame({
            "scenario": scenario, "maat": key, "omschrijving": RANKING_MEASURES[key],
            "rang": np.arange(1, len(g) + 1), "gemeente": g["gemeente"].to_numpy(),
            "gemeentenaam": g["gemeentenaam"].to_numpy(),
            "mediaan": g["verschil_mediaan"].to_numpy(), "p10": g["verschil_p10"].to_numpy(),
            "p90": g["verschil_p90"].to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def national_table(plan, sums: dict[str, np.ndarray], model: dict[str, np.ndarray]
                   ) -> pd.DataFrame:
    """Sum of municipalities beside the national model, per scenario, series and year.

    Both use the same draws, so the relative difference is taken per draw (paired) and its
    median reported; the effect versus the reference is given for both as well.
    """
    from jeugdstelsel.core.outputs import SERIES_BY_KEY
    from jeugdstelsel.services.sweep import NATIONAL_KEYS

    years = np.arange(plan.start, plan.end + 1)
    derived = {n: _with_rates(sums[n]) for n in plan.names}
    derived_model = {n: _with_rates(model[n]) for n in plan.names}
    keys = [*NATIONAL_KEYS, "herhaald_beroep_pct"]
    rows = []
    for n in plan.names:
        for i, key in enumerate(keys):
            a, b = derived[n][i], derived_model[n][i]  # (draws, years)
            ea = a - derived[plan.reference][i]
            eb = b - derived_model[plan.reference][i]
            rel = 100.0 * (a - b) / np.where(b != 0, b, np.nan)
            for t, year in enumerate(years):
                qa = np.percentile(a[:, t], [50, 10, 90])
                qb = np.percentile(b[:, t], [50, 10, 90])
                rows.append({
                    "scenario": n, "reeks": key, "omschrijving": SERIES_BY_KEY[key].label_nl,
                    "jaar": int(year), "som_gemeenten_mediaan": qa[0], "som_gemeenten_p10": qa[1],
                    "som_gemeenten_p90": qa[2], "landelijk_model_mediaan": qb[0],
                    "landelijk_model_p10": qb[1], "landelijk_model_p90": qb[2],
                    "verschil_pct_mediaan": float(np.nanmedian(rel[:, t])),
                    "effect_som_mediaan": float(np.median(ea[:, t])),
                    "effect_model_mediaan": float(np.median(eb[:, t]))})
    return pd.DataFrame(rows)


def _with_rates(arr: np.ndarray) -> np.ndarray:
    """Append the national re-entry share (a ratio of sums, not a sum of ratios)."""
    from jeugdstelsel.services.sweep import NATIONAL_KEYS

    started = arr[NATIONAL_KEYS.index("trajecten_gestart")]
    reentry = arr[NATIONAL_KEYS.index("trajecten_gestart_herhaald")]
    pct = 100.0 * reentry / np.where(started > 0, started, 1.0)
    return np.concatenate([arr, pct[None]], axis=0)


def write_summary(store, plan, model: dict[str, np.ndarray], client=None):
    """Write CSVs and charts under ``samenvatting/``; return (files, national comparison)."""
    from jeugdstelsel.services.sweep_store import SUMMARY

    folder = store.out / SUMMARY
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    effects = _effects(store)
    nat = national_table(plan, store.sums, model)
    nat.to_csv(folder / "landelijk.csv", index=False)
    files.append(folder / "landelijk.csv")
    if not effects.empty:
        effects.to_csv(folder / "gemeenten.csv", index=False)
        rank = ranking(effects)
        rank.to_csv(folder / "ranking.csv", index=False)
        files += [folder / "gemeenten.csv", folder / "ranking.csv"]
        files += charts(rank, folder, client=client)
    return files, nat[nat["jaar"] == plan.end].reset_index(drop=True)


def charts(rank: pd.DataFrame, folder: Path, top: int = 20, client=None) -> list[Path]:
    """Ranking plot per scenario (top municipalities with 80% bands) and the distribution of
    the effects over all municipalities; no map, so it reads on paper and screen readers get
    the CSV beside it.

    With a Dask ``client`` the figures are drawn on the (by then idle) workers and only their
    PNG bytes come back: drawing is the slowest part of the summary, and this works on a
    remote cluster too (the driver writes the files).
    """
    jobs = [(f"ranking_{scenario}.png", _ranking_png, (group, str(scenario), top))
            for scenario, group in rank.groupby("scenario", sort=True)]
    jobs.append(("verdeling.png", _distribution_png, (rank,)))
    if client is not None:
        futures = [client.submit(draw, *args, pure=False) for _, draw, args in jobs]
        images = client.gather(futures)
    else:
        images = [draw(*args) for _, draw, args in jobs]
    from jeugdstelsel.services.sweep_store import _atomic

    files = []
    for (name, _, _), png in zip(jobs, images, strict=True):
        _atomic(folder / name, lambda tmp, png=png: Path(tmp).write_bytes(png))
        files.append(folder / name)
    return files


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    _pyplot().close(fig)
    return buffer.getvalue()


def _ranking_png(group: pd.DataFrame, scenario: str, top: int) -> bytes:
    plt = _pyplot()
    shown = min(top, group["gemeente"].nunique())
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.32 * shown + 1.8))
    for ax, (key, label) in zip(axes, RANKING_MEASURES.items(), strict=True):
        g = group[group["maat"] == key].head(top).iloc[::-1]
        y = np.arange(len(g))
        ax.errorbar(g["mediaan"], y, xerr=[g["mediaan"] - g["p10"], g["p90"] - g["mediaan"]],
                    fmt="o", color="#154273", ecolor="#8fa8c8", capsize=2)
        ax.set_yticks(y, g["gemeentenaam"])
        ax.axvline(0, color="#666", lw=0.8)
        ax.set_xlabel(f"{label}\n(mediaan, band 10-90%)")
    fig.suptitle(f"Waar loont scenario '{scenario}' het meest? Top {shown} gemeenten")
    fig.tight_layout()
    return _png(fig)


def _distribution_png(rank: pd.DataFrame) -> bytes:
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, (key, label) in zip(axes, RANKING_MEASURES.items(), strict=True):
        measure = rank[rank["maat"] == key]
        # One set of bins for all scenarios, so that their bars compare like with like.
        edges = np.histogram_bin_edges(measure["mediaan"].dropna(), bins=30)
        for scenario, group in measure.groupby("scenario", sort=True):
            ax.hist(group["mediaan"], bins=edges, alpha=0.6, label=scenario)
        ax.set_xlabel(f"{label} (mediaan per gemeente)")
        ax.set_ylabel("aantal gemeenten")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(title="scenario")
    fig.suptitle("Verdeling van de effecten over de gemeenten")
    fig.tight_layout()
    return _png(fig)
