"""Scenario files: Dutch errors naming file and key; load-save-load round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.services.scenario import ScenarioError, dumps, load, parse


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[periode]\nstart = 2020\neind = 2018\n", "eind (2018) ligt vóór start (2020)"),
        ("[periode]\nstart = 2010\n", "'periode.start'"),
        ("[periode]\nbegin = 2016\n", "onbekende sleutel 'periode.begin'; toegestaan: eind, start"),
        ('[simulatie]\ntrekkingen = "veel"\n', "verwacht een geheel getal"),
        ("[parameters]\nfoo = 1\n", "onbekende parameter 'foo'"),
        ("[parameters]\nreentry_rate = 5\n", "buiten het toegestane bereik"),
        ("[gebeid]\ngemeente = 'Utrecht'\n", "onbekende sleutel 'gebeid'"),
        ("x = [", "geen geldige TOML"),
    ],
)
def test_bad_scenarios_are_refused_with_file_and_key(text, fragment):
    with pytest.raises(ScenarioError) as info:
        parse(text, "plan.toml")
    assert str(info.value).startswith("plan.toml")
    assert fragment in str(info.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="bestand niet gevonden"):
        load(tmp_path / "weg.toml")


_free = [p for p in PARAMETERS if p.low < p.high]


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(2015, 2030),
    span=st.integers(0, 15),
    draws=st.integers(1, 5000),
    seed=st.integers(0, 2**31),
    picks=st.lists(st.sampled_from(_free), max_size=4, unique=True),
    u=st.floats(0, 1),
)
def test_load_save_load_round_trip(start, span, draws, seed, picks, u):
    # inside the declared range also at u = 1 (-0.2 + 1 * 0.3 is 0.10000000000000003 in floats)
    params = {p.name: min(p.high, p.low + u * (p.high - p.low)) for p in picks}
    text = (
        f"[periode]\nstart = {start}\neind = {start + span}\n"
        f"[simulatie]\ntrekkingen = {draws}\nzaad = {seed}\n[parameters]\n"
        + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    )
    first = parse(text)
    assert parse(dumps(first)) == first
