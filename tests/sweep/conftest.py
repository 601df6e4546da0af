"""Fixtures for the sweep tests: two small scenario files and a real two-process Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = """
[scenario]
naam = "Referentie"
[periode]
start = 2025
eind = 2027
[simulatie]
trekkingen = 20
zaad = 7
"""

AFTERCARE = REFERENCE.replace('naam = "Referentie"', 'naam = "Nazorg"') + """
[parameters]
relapse_prevention = 0.3
"""

CODES = ["GM0014", "GM0363", "GM0034"]

# Seconds a cluster test may take, fixtures included (each takes 2-20 s on 2 cores). A test
# that hangs on the cluster fails with its stacks rather than stalling CI (once, in CI, a run
# stopped in the cluster tests until CI's own limit ended it, without a traceback).
CLUSTER_TEST_TIMEOUT = 240
# Seconds to wait for a client or cluster to shut down before a test gives up on it.
CLOSE_TIMEOUT = 30


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("cluster") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(CLUSTER_TEST_TIMEOUT))


@pytest.fixture
def scenario_files(tmp_path: Path) -> list[Path]:
    ref = tmp_path / "referentie.toml"
    plan = tmp_path / "nazorg.toml"
    ref.write_text(REFERENCE, encoding="utf-8")
    plan.write_text(AFTERCARE, encoding="utf-8")
    return [ref, plan]


def _start_cluster():
    """A real LocalCluster on loopback: 2 worker processes, 1 thread each (no mocks)."""
    from distributed import Client

    from jeugdstelsel.services.sweep import local_cluster

    cluster = local_cluster(2, numba_threads=1, memory_limit="2GiB")
    return cluster, Client(cluster)


@pytest.fixture(scope="session")
def _cluster_session():
    cluster, client = _start_cluster()
    yield client
    _shut_down(cluster, client)


@pytest.fixture
def own_cluster_client():
    """A cluster for one test that kills workers, so the shared one is never left restarting."""
    cluster, client = _start_cluster()
    yield client
    _shut_down(cluster, client)


def _shut_down(cluster, client) -> None:
    """Close with a deadline: a nanny still restarting a killed worker must not hang teardown."""
    from jeugdstelsel.services.sweep import close_cluster

    close_cluster(cluster, client, timeout=CLOSE_TIMEOUT)


@pytest.fixture
def cluster_client(_cluster_session):
    """The shared cluster with both workers up: a test that kills a worker leaves the nanny
    restarting it, and the next test must not start while one is missing."""
    _cluster_session.wait_for_workers(2, timeout=120)
    return _cluster_session
