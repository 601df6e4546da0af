"""Parameter declarations: every parameter documented, ranges checked, overrides refused."""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import FLOWS, OUTPUT_PARAMETERS, PARAMETERS
from jeugdstelsel.core.simulate import KERNEL_PARAMS


def test_every_parameter_has_unit_range_and_provenance():
    for p in PARAMETERS:
        assert p.unit and p.label_nl and p.description
        assert p.low <= p.default <= p.high
        assert p.source.reference
        if p.source.kind == "aanname":
            assert p.source.detail, f"{p.name}: an assumption needs its reasoning"


def test_every_parameter_is_used_by_a_flow_or_an_output_and_the_kernel_knows_them():
    used = set(OUTPUT_PARAMETERS)
    for f in FLOWS:
        used |= set(f.parameters)
    names = {p.name for p in PARAMETERS}
    assert names == used
    assert set(KERNEL_PARAMS) | set(OUTPUT_PARAMETERS) >= names


def test_override_outside_range_is_refused_in_dutch():
    with pytest.raises(P.ParameterError, match="buiten het toegestane bereik"):
        P.build(PARAMETERS, 2, 1, None, overrides={"reentry_rate": 5.0})
    with pytest.raises(P.ParameterError, match="onbekende parameter"):
        P.build(PARAMETERS, 2, 1, None, overrides={"bestaat_niet": 1.0})


def test_draws_stay_inside_declared_ranges():
    ps = P.build(PARAMETERS, 500, 2, np.random.default_rng(0))
    for p in PARAMETERS:
        values = ps[p.name]
        assert values.shape == (500, 2)
        assert values.min() >= p.low - 1e-12 and values.max() <= p.high + 1e-12
        np.testing.assert_array_equal(values[:, 0], values[:, 1])


def test_logit_transform_round_trips():
    for p in PARAMETERS:
        if p.low < p.high:
            x = np.linspace(p.low, p.high, 7)[1:-1]
            np.testing.assert_allclose(p.from_unit(p.to_unit(x)), x, rtol=1e-9, atol=1e-12)
