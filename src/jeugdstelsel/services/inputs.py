"""Demographic inputs for the national default, computed from the embedded CBS figures.

Single-year ages are not in the reference set (a listed gap), so the start population spreads
the published age bands evenly over their years. Net migration of young people follows the
published series: per age band (under 18, 18-22) a rate in a year of average migration, times
that calendar year's total net migration relative to the average (CBS 37296ned; later years
from the population on 1 January and births, see :func:`net_migration`), fitted so that an
ageing-only projection reproduces the published band totals. After the last known year the
index stays at its mean over the last :data:`RECENT_YEARS` known years (aanname: no CBS
prognosis in the embedded set). Births after the last published year are held constant
(aanname, the same reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from jeugdstelsel.core.dimensions import ADULT_AGE, N_AGES
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.data.refdata import annual, series


@dataclass(frozen=True)
class DemographyNotes:
    """What was derived rather than published, for the report and ``jeugdstelsel model``."""

    interpolated_births: tuple[int, ...]
    held_births: tuple[int, ...]
    migration_rates: dict[str, float]
    migration_index: dict[int, float] = field(default_factory=dict)
    derived_migration: tuple[int, ...] = ()  # years whose net migration is derived, not published
    held_migration: tuple[int, ...] = ()  # years after the last known one (recent mean)


RECENT_YEARS = 5  # the index after the last known year: the mean of these last years (aanname)


def _point(name: str, period: str) -> float:
    rows = series(name)
    row = rows[rows["period"] == period]
    if row.empty:
        raise LookupError(f"reference figure {name} {period} missing")
    return float(row["value"].iloc[0])


def start_population() -> np.ndarray:
    """National population by single age on 1 January 2015, ``(A,)``.

    Shape within 0-17 from the 2017 bands (0-3, 4-11, 12-17), scaled to the published 0-17
    total of 2015; 18-22 from the 1 January 2017 band (aanname: stable over two years).
    """
    bands = {
        (0, 3): _point("population_0_3", "2017-01-01"),
        (4, 11): _point("population_4_11", "2017-01-01"),
        (12, 17): _point("population_12_17", "2017-01-01"),
        (18, 22): _point("population_18_22", "2017-01-01"),
    }
    pop = np.zeros(N_AGES)
    for (lo, hi), total in bands.items():
        pop[lo : hi + 1] = total / (hi - lo + 1)
    minors_2015 = annual("population_0_17")[2015][0]
    pop[:ADULT_AGE] *= minors_2015 / pop[:ADULT_AGE].sum()
    return pop


def births_by_year(first: int, last: int, data_through: int | None = None
                   ) -> tuple[np.ndarray, DemographyNotes]:
    """Live births per calendar year ``first..last``: published, interpolated or held.

    ``data_through``: use only figures of years up to it (a backtest's origin), as if nothing
    later were published yet.
    """
    known = {y: v for y, (v, _) in annual("births").items()
             if data_through is None or y <= data_through}
    years = np.arange(first, last + 1)
    out, interp, held = [], [], []
    published = sorted(known)
    for y in years:
        if y in known:
            out.append(known[y])
        elif published[0] < y < published[-1]:
            out.append(float(np.interp(y, published, [known[k] for k in published])))
            interp.append(int(y))
        else:
            out.append(known[published[-1]] if y > published[-1] else known[published[0]])
            held.append(int(y))
    return np.array(out), DemographyNotes(tuple(interp), tuple(held), {})


def _project(pop0: np.ndarray, births: np.ndarray, rates: np.ndarray, years: int,
             index: np.ndarray | None = None) -> np.ndarray:
    """Ageing-only projection: population by age on 1 January of each following year
    (row ``k``: 1 January of the start year + ``k`` + 1); ``index`` scales the year's
    migration (default 1)."""
    pop = pop0.copy()
    out = []
    for y in range(years):
        rate = rates * (1.0 if index is None else index[y])
        for _ in range(12):
            moving = pop / 12.0
            pop = pop - moving
            pop[1:] += moving[:-1]
            pop[0] += births[y] / 12.0
            pop *= 1.0 + rate / 12.0
        out.append(pop.copy())
    return np.array(out)


def _first_january(name: str) -> dict[int, float]:
    """A series' values on 1 January, by year."""
    rows = series(name)
    rows = rows[rows["period"].str.fullmatch(r"\d{4}-01-01")]
    return {int(p[:4]): float(v) for p, v in zip(rows["period"], rows["value"], strict=True)}


def net_migration(data_through: int | None = None) -> tuple[dict[int, float], tuple[int, ...]]:
    """Total net migration (all ages) per calendar year, and the years that are derived.

    Published (CBS 37296ned, migratiesaldo incl. administrative corrections) where it is;
    otherwise the change of the population between 1 January of the year and of the next,
    minus births plus deaths, with the deaths of the last published year where later ones are
    not in the data (aanname: deaths varied 147-171 thousand a year in 2015-2021, net migration
    55-108 thousand; the derived 2022 comes out at 224 thousand). A year counts as known at a
    backtest origin when the population on 1 January of the next year is (``data_through``).
    """
    def known(year: int) -> bool:
        return data_through is None or year + 1 <= data_through

    out = {y: v for y, (v, _) in annual("net_migration").items() if known(y)}
    totals = _first_january("population_total")
    births = {y: v for y, (v, _) in annual("births").items()}
    deaths = {y: v for y, (v, _) in annual("deaths").items()}
    derived = []
    for year in sorted(totals):
        if year in out or year + 1 not in totals or year not in births or not known(year):
            continue
        died = deaths.get(year, deaths[max(d for d in deaths if d <= year)])
        out[year] = totals[year + 1] - totals[year] - births[year] + died
        derived.append(year)
    return dict(sorted(out.items())), tuple(derived)


def migration_index(first: int, last: int, data_through: int | None = None
                    ) -> tuple[np.ndarray, dict[int, float], tuple[int, ...], tuple[int, ...]]:
    """Each calendar year's net migration relative to the mean of the known years, ``first..
    last``; after the last known year the mean index of the last :data:`RECENT_YEARS`."""
    total, derived = net_migration(data_through)
    known = [y for y in total if y >= first]
    mean = float(np.mean([total[y] for y in known]))
    recent = float(np.mean([total[y] for y in known[-RECENT_YEARS:]])) / mean
    years = range(first, last + 1)
    index = np.array([total[y] / mean if y in total else (recent if y > known[-1] else 1.0)
                      for y in years])
    held = tuple(y for y in years if y not in total and y > known[-1])
    return index, {y: round(float(v), 4) for y, v in zip(years, index, strict=True)}, derived, held


def fit_migration(pop0: np.ndarray, births: np.ndarray, index: np.ndarray | None = None,
                  data_through: int | None = None) -> np.ndarray:
    """Net migration per year by age (two bands: under 18, 18-22) in a year of average
    migration, fitted to band totals with the yearly ``index``.

    ``data_through``: only band totals describing years up to it (a backtest's origin). A band
    on 1 January ``Y`` is compared with the projection's 1 January ``Y`` (published in ``Y``).
    """
    def known(year: int) -> bool:  # published by the data cut-off (a backtest origin)
        return data_through is None or year <= data_through

    # (value, 1 January of year, band); the 0-17 "annual" figures are 1 January counts
    targets = [(v, y, "0_17") for y, (v, _) in annual("population_0_17").items()
               if y > 2015 and known(y)]
    targets += [(v, y, "0_19") for y, v in _first_january("population_0_19").items()
                if y > 2015 and known(y)]
    # 20-24 counts 20, 21, 22 in the model: three fifths of the band (aanname: even spread)
    targets += [(v * 3 / 5, y, "20_22") for y, v in _first_january("population_20_24").items()
                if y > 2015 and known(y)]
    targets = [t for t in targets if t[1] - 2016 < len(births)]

    def rates_of(theta: np.ndarray) -> np.ndarray:
        r = np.full(N_AGES, theta[0])
        r[ADULT_AGE:] = theta[1]
        return r

    def residuals(theta: np.ndarray) -> np.ndarray:
        proj = _project(pop0, births, rates_of(theta), max(t[1] for t in targets) - 2015, index)
        res = []
        for value, year, band in targets:
            row = proj[year - 2016]  # 1 January of ``year``
            model = {
                "0_17": row[:ADULT_AGE].sum(),
                "0_19": row[:20].sum(),
                "20_22": row[20:].sum(),
            }[band]
            res.append(model / value - 1.0)
        return np.array(res)

    return rates_of(_gauss_newton(residuals, np.zeros(2), MIGRATION_BOUNDS))


# Net migration rate per year (fraction of the band): a plausible range for the Netherlands,
# whose net migration of young people has stayed within a few percent a year (aanname).
MIGRATION_BOUNDS = (np.array([-0.05, -0.05]), np.array([0.05, 0.08]))


def _gauss_newton(residuals, x0: np.ndarray, bounds: tuple[np.ndarray, np.ndarray],
                  steps: int = 50, tol: float = 1e-12) -> np.ndarray:
    """Least squares for a handful of parameters, projected onto the bounds.

    Why not ``scipy.optimize.least_squares``: importing scipy.optimize costs 0.3-0.5 s, which
    every run paid for a two-parameter fit whose residuals are close to linear (Gauss-Newton
    converges in a few steps). ``tests/services/test_inputs.py`` checks it against scipy.
    """
    lo, hi = bounds
    x = np.clip(np.asarray(x0, dtype=float), lo, hi)
    r = residuals(x)
    for _ in range(steps):
        h = 1e-7
        jac = np.column_stack([(residuals(x + h * e) - r) / h for e in np.eye(len(x))])
        step = np.linalg.lstsq(jac, -r, rcond=None)[0]
        new = np.clip(x + step, lo, hi)
        r_new = residuals(new)
        while r_new @ r_new > r @ r and np.abs(new - x).max() > tol:  # halve until it helps
            new = x + (new - x) / 2
            r_new = residuals(new)
        done = np.abs(new - x).max() <= tol
        x, r = new, r_new
        if done:
            break
    return x


def national_inputs(
    start_year: int = 2015, end_year: int = 2030, data_through: int | None = None
) -> tuple[PopulationInputs, DemographyNotes]:
    """Inputs for the Netherlands as one area (risk index 1 by definition).

    ``data_through`` restricts the demographic figures to years up to it (the backtest). The
    arrays are fresh copies, so a caller may change them without touching the cache.
    """
    pop0, births, rates, index, notes = _demography(start_year, end_year, data_through)
    inputs = PopulationInputs(
        start_year, pop0[None, :].copy(), births[:, None].copy(), rates[None, :].copy(),
        np.ones(1), ("NL01",), index.copy(),
    )
    return inputs, notes


@lru_cache(maxsize=16)
def _demography(start_year: int, end_year: int, data_through: int | None = None):
    """Start population, births and the fitted migration: the fit takes ~0.1 s and every run,
    sweep chunk and calibration step needs the same result, so it is computed once."""
    pop0 = start_population()
    births, notes = births_by_year(start_year, end_year, data_through)
    index, by_year, derived, held = migration_index(start_year, end_year, data_through)
    rates = fit_migration(pop0, births, index, data_through)
    notes = DemographyNotes(
        notes.interpolated_births,
        notes.held_births,
        {"0_17": float(rates[0]), "18_22": float(rates[ADULT_AGE])},
        by_year, derived, held,
    )
    return pop0, births, rates, index, notes


# Municipal risk index: how a municipality's indicators scale the need for help (flow 1).
# CBS (Jeugdmonitor, via Skipr 2022): 15.7% of young people in the poorest income quintile have
# jeugdhulp against 6.3% in the richest; one-parent households are a named risk factor in
# seed 003. The elasticities are an aanname until `jeugdstelsel calibrate <gemeente>` fits the
# index to the municipality's own figures.
RISK_ELASTICITIES = {
    "bijstand_per_1000_2020": (
        0.25,
        "aanname: armoede (bijstand per 1.000 inwoners, CBS "
        "84799NED 2020); inkomensgradiënt 15,7% vs 6,3% jeugdhulp",
    ),
    "one_parent_share_2022": (
        0.5,
        "aanname: eenoudergezinnen (CBS 71487ned 2022); seed 003 "
        "noemt echtscheidingen als risicofactor",
    ),
}


def municipal_risk(table) -> np.ndarray:
    """Risk index per municipality, population-weighted mean 1."""
    risk = np.ones(len(table))
    weights = table["pop_0_14_2020"].to_numpy(dtype=float)
    for column, (elasticity, _) in RISK_ELASTICITIES.items():
        values = table[column].to_numpy(dtype=float)
        national = np.average(values, weights=weights)
        risk *= (values / national) ** elasticity
    return risk / np.average(risk, weights=weights)


def municipal_inputs(
    codes: list[str] | None,
    start_year: int = 2015,
    end_year: int = 2030,
    risk: dict[str, float] | None = None,
) -> PopulationInputs:
    """Inputs for municipalities of the 2024 division (``None``: all of them).

    The national single-age population and births are shared out by each municipality's
    children (0-14) and young people (15-24) in 2020 (CBS 84799NED): an aanname about the age
    structure within the bands, which keeps the municipalities summing to the country. ``risk``
    overrides the indicator-based index with calibrated values.
    """
    from jeugdstelsel.data.municipalities import municipality_table

    all_table = municipality_table()
    table = all_table
    if codes is not None:
        order = {c: i for i, c in enumerate(codes)}
        table = table[table["gm_code"].isin(order)].copy()
        table["_order"] = table["gm_code"].map(order)
        table = table.sort_values("_order")
        missing = sorted(set(codes) - set(table["gm_code"]))
        if missing:
            raise LookupError(f"onbekende gemeentecode(s): {', '.join(missing)}")
    national, _ = national_inputs(start_year, end_year)
    pop = national.population0[0]
    young = table["pop_0_14_2020"].to_numpy(dtype=float)
    older = table["pop_15_24_2020"].to_numpy(dtype=float)
    share_young = young / all_table["pop_0_14_2020"].sum()
    share_older = older / all_table["pop_15_24_2020"].sum()
    pop0 = np.where(
        np.arange(N_AGES)[None, :] <= 14,
        share_young[:, None] * pop[None, :],
        share_older[:, None] * pop[None, :],
    )
    births = national.births[:, 0][:, None] * share_young[None, :]
    migration = np.repeat(national.migration, len(table), axis=0)
    index = _aligned(all_table, table, municipal_risk(all_table))
    if risk:
        index = np.array([risk.get(c, r) for c, r in zip(table["gm_code"], index, strict=True)])
    return PopulationInputs(start_year, pop0, births, migration, index, tuple(table["gm_code"]),
                            national.migration_index)


def _aligned(all_table, table, values: np.ndarray) -> np.ndarray:
    """Values computed on the full table, in the row order of ``table``."""
    lookup = dict(zip(all_table["gm_code"], values, strict=True))
    return np.array([lookup[c] for c in table["gm_code"]])
