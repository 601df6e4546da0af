"""The national sweep: same numbers as ``run()``, independent of chunking, on a real cluster,
through a killed worker and an interrupted run.

Cluster tests start a real ``distributed.LocalCluster`` on loopback (2 processes, 1 thread each).
Small sizes (3 municipalities x 2 scenarios x 20 draws x 3 years) keep the module at seconds.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from jeugdstelsel.services import sweep
from jeugdstelsel.services.run import run
from jeugdstelsel.services.scenario import ScenarioError, load

CODES = ["GM0014", "GM0363", "GM0034"]

# Dask emits these on purpose while a worker is killed or a cluster shuts down; they are the
# behaviour under test, not a fault of ours.
DASK_NOISE = [
    "ignore::ResourceWarning",
    "ignore:.*[Ww]orker.*:UserWarning",
    "ignore:.*connection.*:UserWarning",
]


def _partitions(out: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(out)): pq.read_table(p).to_pandas()
            for p in sorted(out.glob("resultaten/*/*/part.parquet"))}


def _assert_same_results(a: Path, b: Path) -> None:
    pa_, pb = _partitions(a), _partitions(b)
    assert pa_.keys() == pb.keys() and len(pa_) == len(CODES) * 2
    for key in pa_:
        pd.testing.assert_frame_equal(pa_[key], pb[key], check_exact=True)
    for name in ("landelijk.csv", "gemeenten.csv", "ranking.csv"):
        ta = pd.read_csv(a / "samenvatting" / name)
        tb = pd.read_csv(b / "samenvatting" / name)
        pd.testing.assert_frame_equal(ta, tb, check_exact=True)


# -- without a cluster -------------------------------------------------------------------------

def test_chunk_equals_unchunked_run(scenario_files):
    """A chunk's draws are the unchunked run's draws: bit-identical series for any draw split."""
    plan = sweep.plan(scenario_files, codes=CODES[:2])
    scenario = plan.scenarios[1]
    whole = run(scenario, codes=CODES[:2])
    full = sweep.draw_parameters(plan)["nazorg"]
    first = sweep.simulate_cells(plan, scenario, full, CODES[:2], 0, 7)
    rest = sweep.simulate_cells(plan, scenario, full, CODES[:2], 7, 20)
    single = sweep.simulate_cells(plan, scenario, full, CODES[1:2], 0, 20)
    for key, value in whole.series.items():
        joined = np.concatenate([first[key], rest[key]], axis=0)
        np.testing.assert_array_equal(joined, value, err_msg=key)
        np.testing.assert_array_equal(single[key][:, 0], value[:, 1], err_msg=key)


def test_lever_scenario_chunks_like_run(tmp_path):
    """Lever paths are built for all draws and sliced: chunking does not change the numbers."""
    text = (Path(__file__).parents[2] / "examples" / "poh_en_school.toml").read_text()
    text = text.replace("trekkingen = 1000", "trekkingen = 12").replace("eind = 2033",
                                                                         "eind = 2027")
    path = tmp_path / "poh.toml"
    path.write_text(text, encoding="utf-8")
    plan = sweep.plan([path], codes=CODES[:1])
    scenario = plan.scenarios[0]
    whole = run(scenario, codes=CODES[:1])
    full = sweep.draw_parameters(plan)[plan.names[0]]
    parts = [sweep.simulate_cells(plan, scenario, full, CODES[:1], lo, hi)
             for lo, hi in ((0, 5), (5, 12))]
    assert whole.series["uitgaven_hefbomen"].sum() > 0
    for key, value in whole.series.items():
        np.testing.assert_array_equal(np.concatenate([p[key] for p in parts]), value,
                                      err_msg=key)


@pytest.mark.parametrize("n", [1, 2, 7, 20, 1000])
def test_sorted_statistics_equal_numpy_bit_for_bit(n):
    """The sweep sorts rows instead of calling np.percentile/np.median; same bits, ties and NaN
    included, and means along the draws as before."""
    rng = np.random.default_rng(n)
    rows = rng.lognormal(size=(40, n))
    rows[1] = 3.0  # all ties
    rows[2, : n // 2] = rows[2, -1]  # many ties
    rows[3, 0] = np.nan
    rows[4, -1] = np.inf
    rows[5] = -rows[5]
    q = (*sweep.STAT_Q, 0.0, 100.0, 33.3)
    with np.errstate(invalid="ignore"):  # inf - inf, as inside np.percentile
        got, want = sweep.quantiles(rows, q), np.percentile(rows, q, axis=1)
        got_median = sweep.medians(rows)
        want_median = np.array([np.median(r) for r in rows])
        in_place = sweep.quantiles(rows.copy(), q, overwrite_input=True)
    assert got.tobytes() == want.tobytes() == in_place.tobytes()
    assert got_median.tobytes() == want_median.tobytes()
    values = rng.normal(size=(n, 3, 11))
    stats = sweep.statistics(values)
    for j in range(3):
        column = np.ascontiguousarray(values[:, j])
        assert stats[:5, j].tobytes() == np.percentile(column, sweep.STAT_Q, axis=0).tobytes()
        assert stats[5, j].tobytes() == column.mean(axis=0).tobytes()


def test_plan_refuses_mixed_periods_and_unknown_codes(scenario_files, tmp_path):
    other = tmp_path / "ander.toml"
    other.write_text(scenario_files[0].read_text().replace("eind = 2027", "eind = 2028"))
    with pytest.raises(ScenarioError, match="dezelfde periode"):
        sweep.plan([scenario_files[0], other], codes=CODES)
    with pytest.raises(sweep.SweepError, match="GM9999"):
        sweep.plan(scenario_files, codes=["GM9999"])


def test_plan_depends_on_the_plan_only(scenario_files):
    """Chunk sizes follow from the plan (never from the workers), so reruns cut the same way."""
    a = sweep.plan(scenario_files, codes=None, draws=1000)
    b = sweep.plan(scenario_files, codes=None, draws=1000)
    assert a.chunks() == b.chunks() and a.identity() == b.identity()
    assert a.block * 1000 * 2 * sweep.bytes_per_cell(a.n_months, 13) <= (
        sweep.DEFAULT_CHUNK_MB * 2**20)
    small = sweep.plan(scenario_files, codes=None, draws=1000, chunk_mb=16)
    assert small.chunk_draws < 1000 and small.block == 1
    assert sweep.plan(scenario_files, codes=CODES, basis=scenario_files[1]).reference == "nazorg"


# -- on a real LocalCluster --------------------------------------------------------------------

@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_cluster_sweep_matches_run_and_other_chunking(scenario_files, tmp_path, cluster_client):
    """Partitions hold ``run()``'s statistics exactly; another chunking gives the same files."""
    plan = sweep.plan(scenario_files, codes=CODES)
    report = sweep.run_sweep(plan, tmp_path / "a", client=cluster_client)
    assert report.partitions_computed == 6 and report.partitions_skipped == 0
    direct = run(plan.scenarios[1], codes=CODES).summary()
    part = pq.read_table(tmp_path / "a/resultaten/scenario=nazorg/gemeente=GM0363/part.parquet"
                         ).to_pandas()
    for stat in ("mediaan", "p10", "p90", "gemiddelde"):
        want = direct[(direct.gebied == "GM0363") & (direct.statistiek == stat)
                      & (direct.reeks == "jeugdzorg_0_22")].sort_values("jaar")["waarde"]
        got = part[(part.statistiek == stat) & (part.reeks == "jeugdzorg_0_22")].sort_values(
            "jaar")["waarde"]
        # run() reduces a (draws, areas, years) array, the sweep each municipality's contiguous
        # copy: NumPy's pairwise SIMD sums may then differ in the last bit (seen once in CI).
        # The per-draw series are compared bit for bit in test_chunk_equals_unchunked_run.
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-13, atol=0)
    # paired differences: the aftercare plan lowers re-entry, in every municipality
    diff = part[(part.statistiek == "p90") & (part.reeks == "trajecten_gestart_herhaald")]
    assert (diff["verschil"] < 0).all()
    split = sweep.plan(scenario_files, codes=CODES, chunk_draws=7)
    assert len(split.chunks()) == 3 * len(plan.chunks())
    sweep.run_sweep(split, tmp_path / "b", client=cluster_client)
    _assert_same_results(tmp_path / "a", tmp_path / "b")
    files = {p.name for p in (tmp_path / "a/samenvatting").iterdir()}
    assert {"ranking.csv", "gemeenten.csv", "landelijk.csv", "verdeling.png",
            "ranking_nazorg.png"} <= files


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_default_local_pool_matches_cluster(scenario_files, tmp_path, cluster_client):
    """The default path (a LocalCluster of its own) equals a run on a connected cluster."""
    plan = sweep.plan(scenario_files, codes=CODES, chunk_draws=10)
    sweep.run_sweep(plan, tmp_path / "cluster", client=cluster_client)
    report = sweep.run_sweep(plan, tmp_path / "local", workers=2)
    assert report.workers == 2
    _assert_same_results(tmp_path / "cluster", tmp_path / "local")


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_killed_worker_still_gives_complete_identical_result(scenario_files, tmp_path,
                                                              own_cluster_client):
    """On a cluster of its own: a killed and restarted worker must not disturb later tests."""
    cluster_client = own_cluster_client
    plan = sweep.plan(scenario_files, codes=CODES, chunk_draws=4)
    sweep.run_sweep(plan, tmp_path / "clean", client=cluster_client)
    before = cluster_client.run(os.getpid)
    killed: list[int] = []

    def kill_once(piece) -> None:
        if not killed:
            busy = cluster_client.processing()
            address = max(busy, key=lambda a: len(busy[a]))  # a worker with chunks in flight
            killed.append(before[address])
            os.kill(before[address], signal.SIGKILL)

    report = sweep.run_sweep(plan, tmp_path / "killed", client=cluster_client,
                             on_chunk=kill_once)
    assert killed and report.partitions_computed == 6
    cluster_client.wait_for_workers(2, timeout=60)
    assert killed[0] not in cluster_client.run(os.getpid).values()
    _assert_same_results(tmp_path / "clean", tmp_path / "killed")


class _InterruptError(Exception):
    pass


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_resume_recomputes_nothing_finished(scenario_files, tmp_path, cluster_client):
    plan = sweep.plan(scenario_files, codes=CODES)
    seen: list[int] = []

    def stop_after_two(piece) -> None:
        seen.append(piece.block)
        if len(seen) == 3:
            raise _InterruptError

    with pytest.raises(_InterruptError):
        sweep.run_sweep(plan, tmp_path / "run", client=cluster_client, on_chunk=stop_after_two)
    finished = len(list((tmp_path / "run").glob("resultaten/*/*/part.parquet")))
    assert finished == 4  # two blocks x two scenarios were written before the interruption
    computed: list[int] = []
    report = sweep.run_sweep(plan, tmp_path / "run", client=cluster_client,
                             on_chunk=lambda p: computed.append(p.block))
    assert report.partitions_skipped == 4 and report.partitions_computed == 2
    assert len(computed) == 1 and computed[0] not in seen[:2]
    again = sweep.run_sweep(plan, tmp_path / "run", client=cluster_client)
    assert again.partitions_computed == 0 and again.chunks_computed == 0
    sweep.run_sweep(plan, tmp_path / "fresh", client=cluster_client)
    _assert_same_results(tmp_path / "run", tmp_path / "fresh")
    # a changed plan does not reuse stale partitions
    changed = sweep.plan(scenario_files, codes=CODES, draws=21)
    report = sweep.run_sweep(changed, tmp_path / "run", client=cluster_client)
    assert report.partitions_computed == 6


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_sobol_on_cluster(scenario_files, tmp_path, cluster_client):
    """Sobol indices over the uncertain parameters; the aftercare override is held fixed."""
    from jeugdstelsel.services.sweep_sobol import problem, run_sobol

    scenario = load(scenario_files[1])
    prob = problem(scenario)
    assert "relapse_prevention" not in prob.names and "need_incidence" in prob.names
    result = run_sobol(scenario, tmp_path, n=8, client=cluster_client)
    assert result.runs == 8 * (len(prob.names) + 2)
    table = pd.read_csv(tmp_path / "sobol_indices.csv")
    assert set(table.columns) >= {"uitkomst", "parameter", "S1", "S1_conf", "ST", "ST_conf"}
    assert table["ST"].notna().all()
    assert (tmp_path / "sobol_indices.png").stat().st_size > 0


def test_store_folds_in_order_blocks_without_block_files(scenario_files, tmp_path):
    """In-order blocks are folded in memory (no 4 MB block file each); the checkpoint makes
    them count as done, a process killed before it recomputes them; out-of-order blocks wait
    on disk. The national sum is the same either way."""
    import pyarrow as pa

    from jeugdstelsel.services import sweep_store as store

    plan = sweep.plan(scenario_files, codes=CODES)
    rng = np.random.default_rng(1)
    parts = [{n: rng.normal(size=(2, plan.draws, 1, plan.n_years)) for n in plan.names}
             for _ in plan.blocks()]

    def write(state, b):
        table = store.encode(pa.table({"x": [1.0]}))
        finished = sweep.BlockResult({(n, c): table for n in plan.names
                                      for c in plan.blocks()[b]})
        state.write_block(plan, b, plan.blocks()[b], finished, parts[b])

    state = store.open_store(tmp_path, plan)
    write(state, 0)
    write(state, 2)  # block 1 missing: block 2 must wait on disk
    assert state.through == 1
    assert sorted(p.name for p in (tmp_path / store.NATIONAL_DIR).iterdir()) == [
        "blok-00002.npz"]
    killed = store.Store(tmp_path, plan)  # killed before any checkpoint: block 0 is redone
    assert not killed.block_done(0) and killed.block_done(2)
    state.checkpoint()
    resumed = store.Store(tmp_path, plan)
    assert resumed.block_done(0) and not resumed.block_done(1) and resumed.block_done(2)
    write(resumed, 1)
    assert resumed.through == 3
    want = {n: sum(p[n][:, :, 0] for p in parts) for n in plan.names}
    for n in plan.names:
        np.testing.assert_allclose(resumed.sums[n], want[n], rtol=1e-15)


def test_stacked_scenarios_equal_one_by_one(scenario_files):
    """All scenarios of a chunk in one engine call give exactly the per-scenario numbers."""
    plan = sweep.plan(scenario_files, codes=CODES[:2])
    draws = sweep.draw_parameters(plan)
    stacked = sweep.simulate_scenarios(plan, draws, CODES[:2], 3, 17)
    for name, scenario in zip(plan.names, plan.scenarios, strict=True):
        alone = sweep.simulate_cells(plan, scenario, draws[name], CODES[:2], 3, 17)
        assert stacked[name].keys() == alone.keys()
        for key, value in alone.items():
            np.testing.assert_array_equal(stacked[name][key], value, err_msg=f"{name} {key}")


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_local_cluster_leaves_this_process_numba_threads_alone(cluster_client):
    """The nanny copies its worker environment into our os.environ; a changed
    NUMBA_NUM_THREADS there would make every later model compile in this process fail."""
    import numba

    launched = str(numba.config.NUMBA_NUM_THREADS)
    assert os.environ.get("NUMBA_NUM_THREADS", launched) == launched


def _worker_environment(keys):
    return {k: os.environ.get(k) for k in keys}


@pytest.mark.cluster
@pytest.mark.filterwarnings(*DASK_NOISE)
def test_each_local_cluster_gets_its_own_worker_settings():
    """A cluster started after another one in the same process must not inherit its settings
    (the nanny copies them into our os.environ, where they override the next cluster's): the
    benchmark's 2-worker runs after its 1-worker run were oversubscribed that way."""
    import dask
    from distributed import Client

    from jeugdstelsel.services.sweep import KEEP_FREED_BYTES, close_cluster, local_cluster

    keys = ("JEUGDSTELSEL_NUMBA_THREADS", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")
    ours = _worker_environment(keys)
    nanny_default = str(dask.config.get("distributed.nanny.pre-spawn-environ")
                        ["MALLOC_TRIM_THRESHOLD_"])
    expected = [
        ({"numba_threads": 2}, ("2", str(KEEP_FREED_BYTES), str(KEEP_FREED_BYTES))),
        ({"numba_threads": 1}, ("1", str(KEEP_FREED_BYTES), str(KEEP_FREED_BYTES))),
        ({"numba_threads": 1, "malloc_trim": True}, ("1", nanny_default, None)),
    ]
    for kwargs, values in expected:
        cluster = local_cluster(1, memory_limit="1GiB", **kwargs)
        client = Client(cluster)
        try:
            (seen,) = client.run(_worker_environment, keys).values()
        finally:
            close_cluster(cluster, client, timeout=30)
        assert seen == dict(zip(keys, values, strict=True)), kwargs
        assert _worker_environment(keys) == ours


def test_a_folder_that_is_not_a_sweeps_is_never_cleared(tmp_path, scenario_files):
    """Issue 13 item 4: a user's folder named like a sweep's output survives, and is refused."""
    from jeugdstelsel.errors import OutputError
    from jeugdstelsel.services.sweep_store import SUMMARY, open_store

    out = tmp_path / "uit"
    (out / SUMMARY).mkdir(parents=True)
    mine = out / SUMMARY / "mijn-notities.txt"
    mine.write_text("niet weggooien", encoding="utf-8")
    plan = sweep.plan(scenario_files, codes=CODES[:1], draws=4)
    with pytest.raises(OutputError) as exc:
        open_store(out, plan)
    assert exc.value.code == "uitvoer_ongeldig"
    assert mine.read_text(encoding="utf-8") == "niet weggooien"
