"""Shared fixtures for the scenario-lab tests: small scenarios (20 draws) for speed."""

from __future__ import annotations

import pytest

from jeugdstelsel.services import scenario as S

BASE = """
[scenario]
naam = "{naam}"
[periode]
start = 2024
eind = 2030
[gebied]
gemeente = "{gemeente}"
[simulatie]
trekkingen = {draws}
zaad = 7
"""


def make(naam: str = "basis", levers: str = "", draws: int = 20,
         gemeente: str = "Utrecht") -> S.Scenario:
    return S.parse(BASE.format(naam=naam, draws=draws, gemeente=gemeente) + levers,
                   f"{naam}.toml")


def lever(key: str, dose: float, start: int = 2025, extra: str = "") -> str:
    return f'\n[[hefbomen]]\nnaam = "{key}"\ndosis = {dose}\nstart = {start}\n{extra}'


@pytest.fixture
def base() -> S.Scenario:
    return make()
