"""Named dimensions of the model: ages, care states, referrers, age groups.

The names follow shared/DESIGN.md section 2; Dutch labels are what a user reads.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from jeugdstelsel.errors import ShapeError

N_AGES = 23  # single years 0..22 (CBS reports youth care for "jongeren tot 23 jaar")
AGES = np.arange(N_AGES)
ADULT_AGE = 18  # Jeugdwet: specialist youth help and child protection end at 18
PROBATION_MIN_AGE = 12  # juvenile probation applies from 12 (Wetboek van Strafrecht, art. 77a)
REFERENCE_YEAR = 2015  # trends (threshold, routing, tariffs, overlays) run from 1 January 2015
MONTHS_PER_YEAR = 12


class State(IntEnum):
    """Mutually exclusive care states of a young person (every child is in exactly one)."""

    BASE = 0
    FIRST_LINE = 1
    WAITING = 2
    AMBULATORY = 3
    RESIDENTIAL = 4
    AFTER_CARE = 5


N_STATES = len(State)

STATE_LABELS_NL = {
    State.BASE: "basis (geen zorg)",
    State.FIRST_LINE: "eerste lijn (wijkteam, POH-jeugd, school)",
    State.WAITING: "wachtend op specialistische hulp",
    State.AMBULATORY: "jeugdhulp zonder verblijf",
    State.RESIDENTIAL: "jeugdhulp met verblijf",
    State.AFTER_CARE: "nazorg (minder dan 12 maanden geleden beëindigd)",
}


class Referrer(IntEnum):
    """Who referred a trajectory (CBS 85096NED/85097NED 'verwijzer')."""

    LOCAL_TEAM = 0  # gemeentelijke toegang
    GP = 1  # huisarts
    YOUTH_DOCTOR = 2  # jeugdarts
    MEDICAL_SPECIALIST = 3  # medisch specialist
    CERTIFIED_INSTITUTION = 4  # gecertificeerde instelling (child protection)
    COURT = 5  # rechter, officier van justitie
    NONE = 6  # geen verwijzer


N_REFERRERS = len(Referrer)

REFERRER_LABELS_NL = {
    Referrer.LOCAL_TEAM: "Gemeentelijke toegang",
    Referrer.GP: "Huisarts",
    Referrer.YOUTH_DOCTOR: "Jeugdarts",
    Referrer.MEDICAL_SPECIALIST: "Medisch specialist",
    Referrer.CERTIFIED_INSTITUTION: "Gecertificeerde instelling",
    Referrer.COURT: "Rechter, Officier van Justitie",
    Referrer.NONE: "Geen verwijzer",
}

# Age groups the way CBS reports youth care.
AGE_GROUPS: dict[str, tuple[int, int]] = {
    "0_22": (0, 22),
    "0_17": (0, 17),
    "18_22": (18, 22),
}
AGE_GROUP_LABELS_NL = {"0_22": "0 t/m 22 jaar", "0_17": "0 t/m 17 jaar", "18_22": "18 t/m 22 jaar"}

# Age bands for age-specific parameters (CBS publishes jeugdhulp by these bands).
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0_3": (0, 3),
    "4_11": (4, 11),
    "12_17": (12, 17),
    "18_22": (18, 22),
}


def age_mask(low: int, high: int) -> np.ndarray:
    """Boolean mask over single ages ``low..high`` inclusive."""
    return (low <= AGES) & (high >= AGES)



def check_shape(
    name: str, array: np.ndarray, dims: tuple[str, ...], shape: tuple[int, ...]
) -> None:
    """Raise :class:`ShapeError` naming each dimension when ``array`` has the wrong shape."""
    if array.shape != shape:
        expected = ", ".join(f"{d}={n}" for d, n in zip(dims, shape, strict=True))
        raise ShapeError(f"{name}: expected dims ({expected}), got shape {array.shape}")
