"""Published-style output series from a simulation: what CBS and NJi report, per year.

Unique young people in a period are counted as those in a group at the start of the period plus
those entering it during the period (a person who leaves and re-enters within a period counts
twice; with care durations of about a year this is a small overcount that the calibration
absorbs). Jeugdhulp counts before 2021 are multiplied by the reporting coverage: CBS observed
fewer providers then (trend break, shared/DESIGN.md section 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jeugdstelsel.core import units as U
from jeugdstelsel.core.dimensions import AGE_GROUP_LABELS_NL, MONTHS_PER_YEAR, Referrer
from jeugdstelsel.core.parameters import ParameterSet
from jeugdstelsel.core.simulate import BREAK_YEAR, PERIOD_MONTHS, SimulationResult

GROUPS = ("0_22", "0_17", "18_22")
REFERRER_KEYS = {
    Referrer.LOCAL_TEAM: "gemeentelijke_toegang",
    Referrer.GP: "huisarts",
    Referrer.YOUTH_DOCTOR: "jeugdarts",
    Referrer.MEDICAL_SPECIALIST: "medisch_specialist",
    Referrer.CERTIFIED_INSTITUTION: "gecertificeerde_instelling",
    Referrer.COURT: "rechter",
    Referrer.NONE: "geen_verwijzer",
}


@dataclass(frozen=True)
class Series:
    """An output series: key, Dutch label, unit, and the reference series it compares with."""

    key: str
    label_nl: str
    unit: U.Unit  # a checked unit; ``str(unit)`` and ``unit == "euro"`` give its Dutch label
    observed: str | None = None  # series name in the embedded reference figures
    headline: bool = False

    def __post_init__(self) -> None:
        U.check_unit(f"series {self.key}", self.unit)


def _person_series() -> list[Series]:
    forms = [
        ("jeugdzorg", "Jongeren met jeugdzorg", True),
        ("jeugdhulp", "Jongeren met jeugdhulp", False),
        ("jeugdhulp_zonder_verblijf", "Jeugdhulp zonder verblijf", True),
        ("jeugdhulp_met_verblijf", "Jeugdhulp met verblijf", True),
        ("jeugdbescherming", "Jeugdbescherming", True),
        ("jeugdreclassering", "Jeugdreclassering", True),
    ]
    observed = {
        ("jeugdzorg", "0_22"): "youth_with_jeugdzorg_total_incl_pgb",
        ("jeugdzorg", "0_17"): "youth_0_17_with_jeugdzorg",
        ("jeugdzorg", "18_22"): "youth_18_22_with_jeugdzorg",
        ("jeugdhulp", "0_22"): "youth_jeugdhulp_total_incl_pgb",
        ("jeugdhulp_met_verblijf", "0_22"): "youth_jeugdhulp_met_verblijf",
        ("jeugdhulp_zonder_verblijf", "0_22"): "youth_jeugdhulp_zonder_verblijf",
        ("jeugdbescherming", "0_22"): "youth_jeugdbescherming",
        ("jeugdreclassering", "0_22"): "youth_jeugdreclassering",
    }
    observed_pct = {
        ("jeugdzorg", "0_22"): "youth_with_jeugdzorg_pct",
        ("jeugdzorg", "0_17"): "youth_0_17_with_jeugdzorg_pct",
        ("jeugdzorg", "18_22"): "youth_18_22_with_jeugdzorg_pct",
    }
    out = []
    for key, label, headline in forms:
        for g in GROUPS:
            age = AGE_GROUP_LABELS_NL[g]
            out.append(
                Series(
                    f"{key}_{g}",
                    f"{label}, {age}",
                    U.PERSONS,
                    observed.get((key, g)),
                    headline and g == "0_22",
                )
            )
            out.append(
                Series(
                    f"{key}_{g}_pct",
                    f"{label}, {age}",
                    U.PERCENT_OF_AGE_GROUP,
                    observed_pct.get((key, g)),
                )
            )
    return out


SERIES: tuple[Series, ...] = (
    *_person_series(),
    Series(
        "jeugdhulp_wijkteam_0_22",
        "Jeugdhulp door wijkteam, 0 t/m 22 jaar",
        U.PERSONS,
        "youth_jeugdhulp_wijkteam",
    ),
    Series(
        "trajecten_gestart",
        "Gestarte jeugdhulptrajecten",
        U.TRAJECTORIES,
        "jh_trajecten_begonnen",
        True,
    ),
    Series("trajecten_gestart_nieuw", "Gestarte trajecten, nieuw", U.TRAJECTORIES),
    Series("trajecten_gestart_herhaald", "Gestarte trajecten, herhaald beroep", U.TRAJECTORIES),
    Series("herhaald_beroep_pct", "Herhaald beroep", U.PERCENT_OF_STARTS, None, True),
    Series(
        "trajecten_beeindigd_volgens_plan", "Beëindigde trajecten, volgens plan", U.TRAJECTORIES
    ),
    Series("trajecten_beeindigd_voortijdig", "Beëindigde trajecten, voortijdig", U.TRAJECTORIES),
    *(
        Series(
            f"verwijzer_{k}_pct", f"Verwijzer: {k.replace('_', ' ')}", U.PERCENT_OF_STARTS
        )
        for k in REFERRER_KEYS.values()
    ),
    Series(
        "jeugdbescherming_stand",
        "Jeugdbeschermingsmaatregelen op 1 januari",
        U.MEASURES,
        "jb_measures_stock_begin",
    ),
    Series(
        "jeugdbescherming_instroom",
        "Instroom jeugdbescherming",
        U.MEASURES,
        "jb_measures_instroom_fig",
    ),
    Series(
        "jeugdreclassering_stand",
        "Jeugdreclassering op 1 januari",
        U.MEASURES,
        "jr_measures_stock_begin",
    ),
    Series(
        "jeugdreclassering_instroom",
        "Instroom jeugdreclassering",
        U.MEASURES,
        "jr_measures_instroom",
    ),
    Series("wachtlijst", "Wachtlijst specialistische hulp (eind jaar)", U.PERSONS, None, True),
    Series("wachttijd_weken", "Gemiddelde wachttijd", U.WEEKS, None, True),
    Series("verblijf_stand", "Jongeren in verblijf (eind jaar)", U.PERSONS),
    Series("verblijf_plaatsingen", "Nieuwe plaatsingen met verblijf", U.PERSONS),
    Series("achttien_in_zorg", "18 geworden in specialistische hulp", U.PERSONS),
    Series("achttien_verlengd", "Hulp voortgezet na 18", U.PERSONS),
    Series("uitgaven", "Uitgaven jeugdzorg", U.EURO, None, True),
    Series("uitgaven_hefbomen", "Kosten van maatregelen (hefbomen)", U.EURO),
    Series(
        "uitgaven_per_jongere_in_zorg",
        "Uitgaven per jongere met jeugdzorg",
        U.Unit(U.Dimension.EURO, "jongere"),
        "cost_per_child_jeugdzorg",
    ),
    *(Series(f"bevolking_{g}", f"Bevolking {AGE_GROUP_LABELS_NL[g]}", U.PERSONS) for g in GROUPS),
)
SERIES_BY_KEY = {s.key: s for s in SERIES}


def _sum_pair(x: np.ndarray, axis: int) -> np.ndarray:
    """Sum over an axis; a length-2 axis as one element-wise addition.

    Why: ``ndarray.sum`` over a length-2 axis runs a reduction loop per output element, about
    5x slower than adding the two slices, and ``aggregate`` does it ~70 times per call. NumPy's
    reduction of two values is ``a + b`` too, so the result is bit for bit the same.
    """
    if x.shape[axis] != 2:
        return x.sum(axis)
    first, second = np.moveaxis(x, axis, 0)
    return first + second


def _combine(by_group: np.ndarray, group: str) -> np.ndarray:
    """(D, M, P, 2) -> (D, M, P) for one age group."""
    if group == "0_17":
        return by_group[..., 0]
    if group == "18_22":
        return by_group[..., 1]
    return _sum_pair(by_group, -1)


def _bucket(x: np.ndarray, span: int, how: str) -> np.ndarray:
    """Periods -> buckets of ``span`` periods along axis 2: sum, first or last."""
    d, m, p = x.shape[:3]
    y = x.reshape(d, m, p // span, span, *x.shape[3:])
    if how == "sum":
        return _sum_pair(y, 3)
    return y[:, :, :, 0] if how == "first" else y[:, :, :, -1]


def aggregate(
    result: SimulationResult,
    params: ParameterSet,
    span_months: int = 12,
    *,
    first_year: int | None = None,
) -> dict[str, np.ndarray]:
    """All :data:`SERIES` per bucket of ``span_months`` (12: years, 6: half-years).

    Returns ``{key: (draws, municipalities, buckets)}``, buckets from ``first_year`` (default:
    the simulation's start). Every bucket is computed from its own periods only, so a later
    ``first_year`` gives bit for bit the trailing buckets of the full aggregation; callers that
    report a later period (run, sweep) skip the spin-up years' work that way (a third of it
    for 2015-2030 reported from 2021).
    """
    span = span_months // PERIOD_MONTHS
    bg, tot = result.by_group, result.totals
    n_periods, start_year = result.n_periods, result.start_year
    if first_year is not None and first_year != start_year:
        skip = (first_year - start_year) * MONTHS_PER_YEAR // PERIOD_MONTHS
        if first_year < start_year or skip > n_periods or skip % span:
            raise ValueError(
                f"first_year {first_year} is not a bucket start of a simulation "
                f"from {start_year} with {n_periods} periods"
            )
        bg = {k: v[:, :, skip:] for k, v in bg.items()}
        tot = {k: v[:, :, skip:] for k, v in tot.items()}
        n_periods, start_year = n_periods - skip, first_year
    starts = np.arange(n_periods)[::span] * PERIOD_MONTHS
    years = start_year + starts // 12
    before_break = years[None, None, :] < BREAK_YEAR
    coverage = np.where(before_break, params["coverage_pre2021"][..., None], 1.0)
    coverage_met = np.where(before_break, params["coverage_pre2021_residential"][..., None], 1.0)
    jb_ov = params["jb_overlap"][..., None]
    jr_ov = params["jr_overlap"][..., None]
    jb_ppm = params["jb_persons_per_measure"][..., None]
    jr_ppm = params["jr_persons_per_measure"][..., None]
    out: dict[str, np.ndarray] = {}

    def first(name: str, g: str) -> np.ndarray:
        return _bucket(_combine(bg[name], g), span, "first")

    def summed(name: str, g: str) -> np.ndarray:
        return _bucket(_combine(bg[name], g), span, "sum")

    for g in GROUPS:
        pop = summed("population", g) / span
        out[f"bevolking_{g}"] = pop
        cross = g == "18_22"

        def persons(
            stock: str, entries: str, crossing: str | None, cross: bool = cross, g: str = g
        ) -> np.ndarray:
            value = first(stock, g) + summed(entries, g)
            if cross and crossing is not None:
                value = value + summed(crossing, g)
            return value

        # Before 2021 CBS missed part of the providers, a share per form of care; the young
        # people it missed drop out of the total once (they are counted under one form).
        zonder_all = persons("jh_zonder", "jh_zonder_in", "cross18_zonder")
        met_all = persons("jh_met", "jh_met_in", "cross18_met")
        zonder = zonder_all * coverage
        met = met_all * coverage_met
        total = np.maximum(persons("jh_total", "jh_total_in", "cross18_total")
                           - (zonder_all - zonder) - (met_all - met), 0.0)
        # CBS counts unique young people; the model counts measures (running plus started)
        jb = persons("jb", "jb_in", None) * jb_ppm
        jr = persons("jr", "jr_in", "cross18_jr") * jr_ppm
        values = {
            "jeugdhulp_zonder_verblijf": zonder,
            "jeugdhulp_met_verblijf": met,
            "jeugdhulp": total,
            "jeugdbescherming": jb,
            "jeugdreclassering": jr,
            "jeugdzorg": total + jb * (1 - jb_ov) + jr * (1 - jr_ov),
        }
        for key, value in values.items():
            out[f"{key}_{g}"] = value
            out[f"{key}_{g}_pct"] = 100.0 * value / np.where(pop > 0, pop, 1.0)

    cbs = params["fl_cbs_share"][..., None]
    out["jeugdhulp_wijkteam_0_22"] = (
        first("first_line", "0_22") * cbs + summed("fl_reported_starts", "0_22")
    ) * coverage
    tpe = params["trajectories_per_episode"][..., None]
    intake = summed("intake_ambulatory", "0_22") + summed("intake_residential", "0_22")
    started = (summed("fl_reported_starts", "0_22") + intake) * tpe * coverage
    reentry = _bucket(tot["starts_reentry"], span, "sum") * tpe * coverage
    out["trajecten_gestart"] = started
    out["trajecten_gestart_herhaald"] = reentry
    out["trajecten_gestart_nieuw"] = started - reentry
    safe_started = np.where(started > 0, started, 1.0)
    out["herhaald_beroep_pct"] = 100.0 * reentry / safe_started
    ended = summed("ended", "0_22") * tpe * coverage
    plan = params["plan_share"][..., None]
    out["trajecten_beeindigd_volgens_plan"] = ended * plan
    out["trajecten_beeindigd_voortijdig"] = ended * (1.0 - plan)
    ref_total = sum(_bucket(tot[f"starts_ref_{r.name.lower()}"], span, "sum") for r in Referrer)
    safe_ref = np.where(ref_total > 0, ref_total, 1.0)
    for r, key in REFERRER_KEYS.items():
        out[f"verwijzer_{key}_pct"] = (
            100.0 * _bucket(tot[f"starts_ref_{r.name.lower()}"], span, "sum") / safe_ref
        )
    # overlays: one measure per young person (aanname; OTS and voogdij rarely coincide)
    out["jeugdbescherming_stand"] = first("jb", "0_22")
    out["jeugdbescherming_instroom"] = summed("jb_in", "0_22")
    out["jeugdreclassering_stand"] = first("jr", "0_22")
    out["jeugdreclassering_instroom"] = summed("jr_in", "0_22")
    out["wachtlijst"] = _bucket(_combine(bg["waiting_end"], "0_22"), span, "last")
    waiting_months = summed("waiting_months", "0_22")
    out["wachttijd_weken"] = waiting_months / np.where(intake > 0, intake, 1.0) * 52.0 / 12.0
    out["verblijf_stand"] = _bucket(_combine(bg["residential_end"], "0_22"), span, "last")
    out["verblijf_plaatsingen"] = summed("intake_residential", "0_22")
    out["achttien_in_zorg"] = summed("turn18_in_care", "18_22")
    out["achttien_verlengd"] = summed("turn18_continue", "18_22")
    lever_cost = _bucket(tot["lever_cost"], span, "sum")
    out["uitgaven"] = summed("cost", "0_22") + lever_cost
    out["uitgaven_hefbomen"] = lever_cost
    in_care = out["jeugdzorg_0_22"]
    out["uitgaven_per_jongere_in_zorg"] = out["uitgaven"] / np.where(in_care > 0, in_care, 1.0)
    missing = set(SERIES_BY_KEY) - set(out)
    if missing:  # the declaration and the computation must not drift apart
        raise RuntimeError(f"series declared but not computed: {sorted(missing)}")
    return out
