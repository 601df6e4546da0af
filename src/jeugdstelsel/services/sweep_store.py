"""Where a sweep keeps its results: Parquet partitions, a manifest, the national fold, a summary.

Layout under the output folder::

    manifest.json                                   plan identity (scenario hashes, seed, draws)
    resultaten/scenario=<naam>/gemeente=<GM>/part.parquet    statistics per series and year
    effecten/scenario=<naam>/gemeente=<GM>/part.parquet      effects vs the reference
    routekaart/scenario=<naam>/gemeente=<GM>/part.parquet    targets per draw (routekaart --alle)
    _landelijk/som.npz, _landelijk/blok-<n>.npz     national per-draw sum and unfolded blocks
    samenvatting/*.csv, *.png                       summary tables and charts

Why this shape: every file is written to a temporary name and renamed (atomic on POSIX), so an
interrupted sweep leaves only whole partitions; a block counts as finished when all its
partitions and its national part exist, so a rerun skips it. A changed plan (another hash in
the manifest) clears the old results instead of mixing them with new ones. The national total
is folded municipality by municipality in code order, whatever order the chunks finish in, so
it is the same on every run and every cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jeugdstelsel.core.outputs import SERIES_BY_KEY

MANIFEST = "manifest.json"
RESULTS = "resultaten"
EFFECTS = "effecten"
NATIONAL_DIR = "_landelijk"
SUMMARY = "samenvatting"
ROUTEKAART = "routekaart"  # only when the plan has a Routekaart (``routekaart --alle``)
_OWNED = (RESULTS, EFFECTS, NATIONAL_DIR, SUMMARY, ROUTEKAART)


def _atomic(path: Path, write) -> None:
    """Write through ``write(tmp_path)`` and rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; results are meant to be read
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def partition_table(stats: dict[str, np.ndarray], diffs: dict[str, np.ndarray] | None, j: int,
                    years: np.ndarray) -> pa.Table:
    """Long format for one municipality: series x year x statistic, value and paired diff."""
    from jeugdstelsel.services.sweep import STAT_NAMES

    keys = list(stats)
    n_s, n_y = len(STAT_NAMES), len(years)
    values = np.stack([stats[k][:, j, :] for k in keys])  # (keys, stats, years)
    diff = (np.stack([diffs[k][:, j, :] for k in keys]) if diffs is not None
            else np.full(values.shape, np.nan))
    reeks = np.repeat(np.arange(len(keys)), n_s * n_y)
    return pa.table({
        "reeks": pa.DictionaryArray.from_arrays(pa.array(reeks, pa.int32()), pa.array(keys)),
        "eenheid": pa.DictionaryArray.from_arrays(
            pa.array(reeks, pa.int32()), pa.array([SERIES_BY_KEY[k].unit for k in keys])),
        "jaar": pa.array(np.tile(years, len(keys) * n_s).astype(np.int16)),
        "statistiek": pa.DictionaryArray.from_arrays(
            pa.array(np.tile(np.repeat(np.arange(n_s), n_y), len(keys)), pa.int32()),
            pa.array(list(STAT_NAMES))),
        "waarde": pa.array(values.reshape(-1)),
        "verschil": pa.array(diff.reshape(-1)),
    })


def effect_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows)


def encode(table: pa.Table) -> bytes:
    """The Parquet file of a table, as bytes.

    Why bytes: statistics are computed on the workers, and encoding them there (1 ms a file)
    leaves the driver only bytes to write; sending Arrow tables instead cost a pickle on both
    sides plus 1.6 ms per file of encoding in the driver, which on a small machine competes
    with the workers for the cores (9 files per municipality).
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


class Store:
    """The results folder of one plan; tracks finished blocks and folds the national sum."""

    def __init__(self, out: Path, plan) -> None:
        self.out = out
        self.plan = plan
        self.blocks = plan.blocks()
        # (blocks folded into the national sum, the sums): one attribute, replaced as a whole
        self._folded: tuple[int, dict] = (0, {n: None for n in plan.names})
        self.unfolded: dict[int, dict[str, np.ndarray]] = {}
        self._load_checkpoint()
        self._fold()  # blocks finished by an interrupted run but not yet in the sum

    @property
    def through(self) -> int:
        return self._folded[0]

    @property
    def sums(self) -> dict[str, np.ndarray | None]:
        return self._folded[1]

    # -- paths ----------------------------------------------------------------------------
    def partition_path(self, scenario: str, code: str, kind: str = RESULTS) -> Path:
        return self.out / kind / f"scenario={scenario}" / f"gemeente={code}" / "part.parquet"

    def _block_path(self, b: int) -> Path:
        return self.out / NATIONAL_DIR / f"blok-{b:05d}.npz"

    def _sum_path(self) -> Path:
        return self.out / NATIONAL_DIR / "som.npz"

    # -- state ----------------------------------------------------------------------------
    def _load_checkpoint(self) -> None:
        path = self._sum_path()
        if path.exists():
            with np.load(path) as data:
                through = int(data["through"])
                self._folded = (through, {n: data[n].copy() if through else None
                                          for n in self.plan.names})

    def block_done(self, b: int) -> bool:
        parts = all(self.partition_path(n, c).exists() for n in self.plan.names
                    for c in self.blocks[b])
        return parts and (b < self.through or self._block_path(b).exists())

    def pending_chunks(self, plan) -> list:
        done = {b for b in range(len(self.blocks)) if self.block_done(b)}
        return [c for c in plan.chunks() if c.block not in done]

    # -- writing --------------------------------------------------------------------------
    def write_block(self, plan, b: int, codes, finished, national: dict[str, np.ndarray]) -> None:
        """Write a finished block: its national part first, then effects, then partitions.

        The national part goes to a block file only when the block cannot be folded at once
        (an earlier block is still missing): the next block in order is added to the sum in
        memory, and the checkpoint (every 16 blocks, at the end and when a run is interrupted,
        :meth:`checkpoint`) records it. That saves writing and deleting 4 MB per municipality
        (5 scenarios x 1,000 draws); a process killed outright recomputes the blocks folded
        since the last checkpoint, because without a block file they do not count as done.
        """
        if b != self.through:
            _atomic(self._block_path(b), lambda tmp: _save_npz(tmp, national))
        for (name, code), data in finished.effects.items():
            _atomic(self.partition_path(name, code, EFFECTS),
                    lambda tmp, d=data: Path(tmp).write_bytes(d))
        for (name, code), data in finished.routekaart.items():  # before the partitions, which
            _atomic(self.partition_path(name, code, ROUTEKAART),  # mark the block as done
                    lambda tmp, d=data: Path(tmp).write_bytes(d))
        for (name, code), data in finished.partitions.items():
            _atomic(self.partition_path(name, code), lambda tmp, d=data: Path(tmp).write_bytes(d))
        self.unfolded[b] = national
        before = self.through
        self._fold()
        if self.through != before and (self.through == len(self.blocks)
                                       or self.through // 16 != before // 16):
            self.flush(self.plan)

    def _fold(self) -> None:
        """Add finished blocks to the national sum in block order, municipality by
        municipality.

        Each block is added to copies that replace the sums together with ``through`` in one
        assignment, so an interruption (Ctrl-C) never leaves a half-added block to checkpoint.
        """
        while self.through < len(self.blocks):
            b = self.through
            part = self.unfolded.get(b)
            if part is None:
                if not self._block_path(b).exists():
                    break
                with np.load(self._block_path(b)) as data:
                    part = {n: data[n] for n in self.plan.names}
            sums = {}
            for n in self.plan.names:
                arr = part[n]  # (keys, draws, m, years)
                start = 0
                if self.sums[n] is None:
                    total = arr[:, :, 0].copy()
                    start = 1
                else:
                    total = self.sums[n].copy()
                for m in range(start, arr.shape[2]):
                    total += arr[:, :, m]
                sums[n] = total
            self._folded = (self.through + 1, sums)
            self.unfolded.pop(b, None)

    def checkpoint(self) -> None:
        """Record the folded blocks on disk (also after an interrupted run)."""
        self.flush(self.plan)

    def flush(self, plan) -> None:
        """Checkpoint the national sum, then drop the block files it now contains."""
        arrays = {"through": np.array(self.through)}
        if self.through:
            arrays.update({n: self.sums[n] for n in plan.names})
        _atomic(self._sum_path(), lambda tmp: _save_npz(tmp, arrays))
        for b in range(self.through):
            self._block_path(b).unlink(missing_ok=True)

    # -- summary --------------------------------------------------------------------------
    def summarise(self, plan, national_model: dict[str, np.ndarray], client=None):
        """Write the summary tables and charts (drawn on ``client``'s workers when given);
        return (files, national comparison)."""
        from jeugdstelsel.services import sweep_report

        if self.through < len(self.blocks):
            raise RuntimeError(f"national sum incomplete: {self.through}/{len(self.blocks)}")
        return sweep_report.write_summary(self, plan, national_model, client=client)


def _save_npz(tmp: str, arrays: dict) -> None:
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)


def open_store(out: Path, plan) -> Store:
    """Open ``out`` for ``plan``: keep matching results, clear stale ones, write the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    identity = plan.identity()
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if old != identity:
            for name in _OWNED:
                shutil.rmtree(out / name, ignore_errors=True)
    else:
        # no manifest: whatever is there was not written by a sweep; never delete it
        foreign = [name for name in _OWNED if (out / name).exists()]
        if foreign:
            from jeugdstelsel.errors import OutputError

            raise OutputError(
                f"uitvoermap {out} bevat al {', '.join(foreign)}, maar geen sweep-manifest "
                f"({MANIFEST}): dat is niet van een eerdere sweep, dus jeugdstelsel laat het "
                "staan. Kies een andere (lege) map.", file=str(out))
    _atomic(manifest, lambda tmp: Path(tmp).write_text(
        json.dumps(identity, indent=2, sort_keys=True), encoding="utf-8"))
    return Store(out, plan)
