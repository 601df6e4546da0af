"""Fixtures of the municipal calibration tests.

The PostgreSQL fixture of tests/data (``on_postgres``, and the ``postgres`` database alias it
registers when ``JEUGDSTELSEL_TEST_DATABASE_URL`` is set) is loaded from that conftest, not
copied, so both test folders run against the same throw-away server the same way.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "_data_conftest", Path(__file__).parents[1] / "data" / "conftest.py"
)
_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_data)

PG_URL = _data.PG_URL
on_postgres = _data.on_postgres


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch) -> Path:
    """Each test gets its own JEUGDSTELSEL_HOME, never the user's store or cache."""
    home = tmp_path / "home"
    monkeypatch.setenv("JEUGDSTELSEL_HOME", str(home))
    return home
