"""Units are checked types whose text is the Dutch label callers have always read."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from jeugdstelsel.core import units as U
from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.core.outputs import SERIES, SERIES_BY_KEY
from jeugdstelsel.core.parameters import Parameter, Source


def test_a_unit_is_its_dutch_label_for_every_caller():
    unit = SERIES_BY_KEY["uitgaven"].unit
    assert unit == "euro" and str(unit) == "euro" and f"{unit}" == "euro"
    assert hash(unit) == hash("euro") and {"euro": 1}[unit] == 1
    assert json.dumps({"u": unit}) == '{"u": "euro"}'
    assert pickle.loads(pickle.dumps(unit)).dimension is U.Dimension.EURO
    assert copy.deepcopy(unit) is unit
    assert repr(unit) == "Unit(Dimension.EURO)"


def test_labels_are_derived_from_dimension_and_qualifier():
    assert U.PER_CHILD_PER_MONTH == "per kind per maand"
    assert U.per_month("jongere 12-17") == "per jongere 12-17 per maand"
    assert U.relative_to("4-11 jaar") == "factor t.o.v. 4-11 jaar"
    assert U.euro_per_month("kind") == "euro per kind per maand (2015)"
    assert U.PERCENT_OF_STARTS == "% van gestarte trajecten"
    assert U.Unit(U.Dimension.EURO, "jongere") == "euro per jongere"
    with pytest.raises(ValueError, match="takes no qualifier"):
        U.Unit(U.Dimension.MONTHS, "kind")


def test_declarations_refuse_free_text_units():
    with pytest.raises(TypeError, match="free text"):
        Parameter("x", "X", "per maand", 1.0, 0.0, 2.0, Source("aanname", "r", "d"), "x")
    with pytest.raises(TypeError, match="free text"):
        U.check_unit("series x", "personen")


def test_every_declared_unit_has_a_dimension_that_fits_its_parameter():
    for p in PARAMETERS:
        assert isinstance(p.unit, U.Unit)
    for s in SERIES:
        assert isinstance(s.unit, U.Unit)
    by = PARAMETERS_BY_NAME
    assert {n for n, p in by.items() if p.unit.dimension is U.Dimension.MONTHS} >= {
        "fl_duration", "amb_duration", "res_duration", "jb_duration", "jr_duration",
        "min_wait", "aftercare_months"}  # fmt: skip
    for p in PARAMETERS:
        if p.unit.dimension is U.Dimension.FRACTION:  # shares lie in [0, 1]
            assert 0.0 <= p.low <= p.high <= 1.0, p.name
        if p.unit.dimension is U.Dimension.RATE_PER_MONTH:  # monthly hazards
            assert p.low >= 0.0 and p.unit.dimension.is_rate, p.name
    assert by["cost_jb"].unit.dimension.vensim == "euro/Month"
    assert by["jb_rate"].unit.dimension.vensim == "1/Month"
