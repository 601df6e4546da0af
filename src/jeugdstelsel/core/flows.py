"""The flows of shared/DESIGN.md section 2 as named functions of named parameters.

Rates are monthly hazards. Competing hazards out of one stock become probabilities through
``1 - exp(-sum)``, split in proportion, so no stock can go negative and everyone leaving a stock
arrives in another (mass conservation). The functions work on scalars and are compiled with
Numba so that the engine's kernel (:mod:`jeugdstelsel.core.simulate`) calls them per cell without
Python overhead; :data:`jeugdstelsel.core.model.FLOWS` documents them for users.
"""

from __future__ import annotations

import math

from numba import njit

from jeugdstelsel.core.dimensions import ADULT_AGE, AGE_BANDS

# Floating-point licence of every compiled model function: the compiler may assume there are
# no NaNs or infinities and ignore the sign of zero, but it may not fuse, reorder or
# approximate arithmetic ('contract', 'reassoc', 'arcp', 'afn'). Those would let the same
# formula round differently in SIMD and scalar code, in different specialisations of the
# kernel, or after a fresh compile versus a cached one; results must be bit-identical
# however draws are chunked (docs/sweep.md).
FASTMATH = {"nnan", "ninf", "nsz"}

MAX_ESCALATION = 0.95  # at most this share of first-line episodes escalates
_YOUNG_HIGH = AGE_BANDS["0_3"][1]
_TEEN_LOW = AGE_BANDS["12_17"][0]


@njit(cache=True, fastmath=FASTMATH)
def age_profile(age: int, rel_0_3: float, rel_12_17: float) -> float:
    """Relative incidence of new needs at ``age`` (4-11 = 1); 0 from 18 on.

    From 18 new needs go to adult services (Wmo, Zvw); youth help only continues (flow 18).
    """
    if age >= ADULT_AGE:
        return 0.0
    if age <= _YOUNG_HIGH:
        return rel_0_3
    if age >= _TEEN_LOW:
        return rel_12_17
    return 1.0


@njit(cache=True, fastmath=FASTMATH)
def threshold(level: float, trend: float, years_since_2015: float) -> float:
    """The societal threshold ('geluksnorm', seed 003): level x exp(trend x years)."""
    return level * math.exp(trend * years_since_2015)


@njit(cache=True, fastmath=FASTMATH)
def need_hazard(
    incidence: float, profile: float, risk: float, thresh: float, protection: float
) -> float:
    """Flow 1: monthly hazard that a need reaching a helper arises in the base."""
    return incidence * profile * risk * thresh * (1.0 - protection)


@njit(cache=True, fastmath=FASTMATH)
def supply_factor(supply_induced: float, fragmentation: float) -> float:
    """'Aanbod schept vraag' (seed 002): fragmented supply lengthens care and adds referrals."""
    return 1.0 + supply_induced * fragmentation


@njit(cache=True, fastmath=FASTMATH)
def routing(
    fl: float, gp: float, yd: float, ms: float, poh: float, school: float, sid: float
) -> tuple[float, float, float, float, float]:
    """Flow 2: shares of a new need per route (first line, GP, youth doctor, specialist, none).

    Weights are relative to 'geen verwijzer' and normalised by their observed sum, so that the
    POH-jeugd and school levers shift needs to the first line without changing their total,
    while fragmented supply adds direct referrals.
    """
    total = fl + gp + yd + ms + 1.0
    fl_new = fl + gp * poh + (yd + 1.0) * school
    return (
        fl_new / total,
        gp * (1.0 - poh) * sid / total,
        yd * (1.0 - school) * sid / total,
        ms * sid / total,
        (1.0 - school) * sid / total,
    )


@njit(cache=True, fastmath=FASTMATH)
def escalation_share(fl_escalation: float, defensive: float) -> float:
    """Flow 3: share of first-line episodes referred to specialist care (defensive decisions
    raise it; team decisions and outcome monitoring lower it)."""
    return min(max(fl_escalation * defensive, 0.0), MAX_ESCALATION)


@njit(cache=True, fastmath=FASTMATH)
def reentry_hazard(rate: float, relapse_prevention: float, age: int) -> float:
    """Flow 6: re-entry (herhaald beroep) hazard in after-care; none from 18 on."""
    if age >= ADULT_AGE:
        return 0.0
    return rate * (1.0 - relapse_prevention)


@njit(cache=True, fastmath=FASTMATH)
def leave(hazard: float) -> float:
    """Probability of leaving within a month at a constant monthly hazard."""
    return -math.expm1(-hazard)


@njit(cache=True, fastmath=FASTMATH)
def care_keep(age: int, extension_share: float, extension_max_age: float) -> float:
    """Share of specialist care that continues on reaching ``age`` (the 18-year boundary).

    1 below 18, ``extension_share`` at 18 (verlengde jeugdhulp), 1 while under the maximum
    extension age, 0 from it on.
    """
    if age < ADULT_AGE:
        return 1.0
    if age == ADULT_AGE:
        return extension_share
    return 1.0 if age < extension_max_age else 0.0
