"""Which of several published figures for one period the model sees (data/refdata.py)."""

from __future__ import annotations

import pytest

from jeugdstelsel.data.refdata import annual, rounding_zeros


@pytest.mark.parametrize(("value", "zeros"), [(7000, 3), (7475, 0), (8290, 1), (13.6, 0), (0, 0)])
def test_rounding_zeros(value, zeros):
    assert rounding_zeros(value) == zeros


def test_a_precise_figure_beats_a_rounded_one_of_the_same_status():
    """Jeugdreclassering 2022: a press release's 'ruim 7 duizend' (7,000) and CBS's 7,475, both
    provisional; the rounded one made the series fall 12% and rise 14% in two years."""
    jr = annual("youth_jeugdreclassering")
    assert jr[2022] == (7475.0, "voorlopig")
    assert jr[2023] == (7665.0, "voorlopig")


def test_a_final_figure_still_beats_a_more_precise_provisional_one():
    """Status first: jeugdzorg 0-22 2022 is NJi's final 476,560 (precise anyway), and jeugdhulp
    2021 the final derived sum, not the provisional 'bijna 450 duizend'."""
    assert annual("youth_jeugdhulp_total_incl_pgb")[2021] == (458465.0, "afgeleid")
    assert annual("youth_with_jeugdzorg_total_incl_pgb")[2022][1] == "definitief"
