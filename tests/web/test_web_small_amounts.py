"""A small municipality's amounts and flows read as numbers, not "0,0 miljoen" and "0 → 0"
(issue 17 item 5, Vlieland)."""

from __future__ import annotations

from jeugdstelsel.web.lab import flowchart, results


def test_euros_are_scaled_by_their_size():
    assert results._scale("euro", [12_500_000.0]) == (1e6, "miljoen euro")
    assert results._scale("euro", [48_000.0, -20_000.0]) == (1e3, "duizend euro")
    assert results._scale("euro", [950.0]) == (1.0, "euro")
    assert results._scale("jongeren", [3.0]) == (1.0, "jongeren")
    rows = [{"netto_uitgaven_mediaan": -35_000.0, "netto_uitgaven_p10": -60_000.0,
             "netto_uitgaven_p90": 4_000.0, "kosten_hefbomen_mediaan": 20_000.0}]
    assert results.money_scale(rows) == (1e3, "duizend euro")


def test_small_flows_keep_a_decimal():
    assert flowchart._flow(0.43) == "0,4"
    assert flowchart._flow(0) == "0"
    assert flowchart._flow(None) == "0"
    assert flowchart._flow(1234.4) == "1.234"
    keys = [e[2] for e in flowchart.EDGES]
    flows = {"ref": dict.fromkeys(keys, 0.4), "plan": dict.fromkeys(keys, 0.3)}
    svg = str(flowchart.render(flows, {"ref": "A", "plan": "B"}))
    assert "0 → 0" not in svg and "0,4 → 0,3" in svg
