"""The lever library: policy levers from the seeds as data, and their effect on a run.

Each lever is one TOML file in ``jeugdstelsel/data/levers/`` (users add their own through the
environment variable ``JEUGDSTELSEL_HEFBOMEN``, a folder or folders separated by ``os.pathsep``),
so a municipality can read, question and extend the assumptions without touching engine code.
A lever declares where the seeds recommend it, which model parameters it moves per unit of dose
(``optellen``, ``vermenigvuldigen``, ``instellen``), its ramp-up, an effect range with its
evidence or a labelled ``aanname``, and its cost per unit of dose.

Prevention levers follow the rule of seed 003 (p. 19) literally: "klein effect x groot bereik x
lage kosten x samenhangende aanpak". Their dose is the reach; the effect is the effect per reached
child x reach x a coherence factor that grows with the number of the four ingredients of seed 003
(basis, preventie, eerste lijn, intensieve hulp) the scenario combines; the cost is the cost per
reached child x reach.

Effect sizes are drawn per Monte Carlo draw from each lever's own random stream
(``default_rng([seed, stable_hash(key)])``): adding a lever never shifts the draws of the model or
of other levers, and two scenarios with the same seed share the effect draws (common random
numbers). Zero doses leave every parameter untouched, so such a scenario equals the baseline.

Errors: :class:`~jeugdstelsel.errors.LeverError` for a library file that is not valid (names
file and key); :class:`~jeugdstelsel.errors.LeverUseError` for a scenario's ``[[hefbomen]]`` that
cannot be run (unknown lever, dose out of range, a start after the period, contradicting levers).
:func:`validate_levers` is the one lever validation: the pipeline calls it for every interface.
"""

from __future__ import annotations

import difflib
import functools
import os
import tomllib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jeugdstelsel.core.dimensions import ADULT_AGE, MONTHS_PER_YEAR, REFERENCE_YEAR
from jeugdstelsel.core.model import KERNEL_PARAMS, PARAMETERS_BY_NAME
from jeugdstelsel.core.parameters import ParameterSet
from jeugdstelsel.errors import LeverError, LeverUseError
from jeugdstelsel.services.scenario import LeverUse, Scenario

LIBRARY_DIR = Path(__file__).parent / "data" / "levers"
ENV_DIRS = "JEUGDSTELSEL_HEFBOMEN"
SEEDS = ("000_adfe27b376e99f25.txt", "001_664e04fa24476569.txt", "002_d1b17e9c2e7160b6.txt",
         "003_0291368d2290c932.txt", "004_f3d949291d9ed7ec.txt")
# The four ingredients of seed 003 whose combination makes prevention coherent.
INGREDIENTS = ("basis", "preventie", "eerste lijn", "intensieve hulp")
OPERATIONS_NL = {"optellen": "+", "vermenigvuldigen": "×", "instellen": "="}
SCHOOL_AGE = 4  # primary school starts at 4 (Leerplichtwet: in practice from the 4th birthday)




class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Strict):
    """Where a number comes from: a study, the NJi databank, a CBS figure, or an assumption."""

    soort: Literal["studie", "nji", "cbs", "seed", "aanname"]
    tekst: str = Field(min_length=10)

    def text_nl(self) -> str:
        return f"{self.soort}: {self.tekst}"


class SeedPassage(_Strict):
    seed: str
    passage: str = Field(min_length=10)

    @model_validator(mode="after")
    def _known_seed(self) -> SeedPassage:
        if self.seed not in SEEDS:
            raise ValueError(f"onbekende seed '{self.seed}'; bekend: {', '.join(SEEDS)}")
        return self


class Dose(_Strict):
    eenheid: str = Field(min_length=3)
    min: float
    max: float
    voorbeeld: float

    @model_validator(mode="after")
    def _ordered(self) -> Dose:
        if not self.min <= self.voorbeeld <= self.max or self.min >= self.max:
            raise ValueError(f"dosis: nodig min < max en min <= voorbeeld <= max, kreeg min "
                             f"{self.min:g}, voorbeeld {self.voorbeeld:g}, max {self.max:g}")
        return self


def _check_range(name: str, pair: tuple[float, float], same_sign: bool) -> None:
    low, high = pair
    if low > high:
        raise ValueError(f"{name}: ondergrens {low:g} is groter dan bovengrens {high:g}")
    if same_sign and low < 0 < high:
        raise ValueError(f"{name}: de band [{low:g}, {high:g}] bevat zowel negatieve als "
                         "positieve waarden; een hefboom werkt in één richting")


class Effect(_Strict):
    parameter: str
    bewerking: Literal["optellen", "vermenigvuldigen", "instellen"]
    per_eenheid: tuple[float, float]
    onderbouwing: Evidence

    @model_validator(mode="after")
    def _valid(self) -> Effect:
        _check_parameter(self.parameter)
        _check_range("per_eenheid", self.per_eenheid, self.bewerking != "instellen")
        if self.per_eenheid == (0.0, 0.0) and self.bewerking != "instellen":
            raise ValueError("per_eenheid: een effect van precies 0 doet niets")
        return self


class Prevention(_Strict):
    parameter: str = "protection"
    effect_per_bereikt_kind: tuple[float, float]
    samenhangfactor: tuple[float, float]
    onderbouwing_effect: Evidence
    onderbouwing_samenhang: Evidence

    @model_validator(mode="after")
    def _valid(self) -> Prevention:
        _check_parameter(self.parameter)
        _check_range("effect_per_bereikt_kind", self.effect_per_bereikt_kind, True)
        _check_range("samenhangfactor", self.samenhangfactor, True)
        if self.samenhangfactor[0] < 1.0:
            raise ValueError("samenhangfactor: samenhang vermenigvuldigt het effect, dus >= 1")
        return self


class Cost(_Strict):
    euro_per_eenheid_per_jaar: float = Field(ge=0.0)
    grondslag: Literal["kinderen_0_17", "per_1000_kinderen_0_17", "scholen", "geen"]
    eenmalig_euro_per_eenheid: float = Field(0.0, ge=0.0)
    # True: the cost is the staff who help the children this lever brings to the first line,
    # so those children's first-line cost per child is not charged again (cost counted once)
    dekt_eerstelijnshulp: bool = False
    onderbouwing: Evidence


class Lever(_Strict):
    """One lever as declared in its file; ``key`` is the file name without ``.toml``."""

    key: str
    bestand: str
    naam: str = Field(min_length=3)
    beschrijving: str = Field(min_length=10)
    ingredient: str
    aanloop_maanden: int = Field(ge=0, le=120)
    bronnen: tuple[SeedPassage, ...] = Field(min_length=1)
    dosis: Dose
    effecten: tuple[Effect, ...] = ()
    preventie: Prevention | None = None
    kosten: Cost

    @model_validator(mode="after")
    def _acts(self) -> Lever:
        if not self.effecten and self.preventie is None:
            raise ValueError("een hefboom heeft minstens één effect of een [preventie]-blok nodig")
        return self

    @property
    def all_effects(self) -> tuple[Effect, ...]:
        """Declared effects plus the prevention rule as an ``optellen`` effect (per reach)."""
        if self.preventie is None:
            return self.effecten
        p = self.preventie
        rule = Effect(parameter=p.parameter, bewerking="optellen",
                      per_eenheid=p.effect_per_bereikt_kind, onderbouwing=p.onderbouwing_effect)
        return (*self.effecten, rule)

    def direction(self, effect: Effect, dose: float) -> int:
        """+1 or -1: which way ``effect`` moves its parameter at ``dose`` (0 when it does not)."""
        if effect.bewerking == "instellen":
            mid = sum(effect.per_eenheid) / 2 - PARAMETERS_BY_NAME[effect.parameter].default
            return int(np.sign(mid)) if dose else 0
        return int(np.sign(sum(effect.per_eenheid) * dose))

    def n_random(self) -> int:
        """Uniform numbers each draw needs: one per effect, one for the coherence factor."""
        return len(self.all_effects) + (1 if self.preventie is not None else 0)


def _check_parameter(name: str) -> None:
    if name not in KERNEL_PARAMS:
        close = difflib.get_close_matches(name, KERNEL_PARAMS, n=3)
        hint = f" Bedoelt u: {', '.join(close)}?" if close else ""
        raise ValueError(f"parameter '{name}' kan niet door een hefboom worden bewogen "
                         f"(alleen modelparameters met een tijdpad).{hint}")


# -- loading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Library:
    """All levers by key, plus the cost bases (price year, pupils per school)."""

    levers: dict[str, Lever]
    price_year: int
    pupils_per_school: float
    bases_source: str

    def __getitem__(self, key: str) -> Lever:
        return self.levers[key]

    def __iter__(self):
        return iter(self.levers.values())

    def __len__(self) -> int:
        return len(self.levers)


def _explain(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err.get("ctx", {}).get("error", err["msg"])
        if err["type"] == "extra_forbidden":
            msg = "onbekende sleutel"
        elif err["type"] == "missing":
            msg = "ontbreekt"
        lines.append(f"- '{loc}': {msg}")
    return "\n".join(lines)


def load_lever(path: Path) -> Lever:
    """Read and validate one lever file; :class:`LeverError` names the file and key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LeverError(f"{path}: geen geldige TOML: {exc}") from exc
    raw = {"key": path.stem, "bestand": path.name, **raw}
    try:
        return Lever.model_validate(raw)
    except ValidationError as exc:
        raise LeverError(f"{path}: de hefboom is niet geldig:\n{_explain(exc)}") from exc


def _lever_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    dirs = [LIBRARY_DIR, *extra]
    env = os.environ.get(ENV_DIRS, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    return dirs


@functools.lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> Library:
    bases_path = LIBRARY_DIR / "grondslagen.toml"
    bases = tomllib.loads(bases_path.read_text(encoding="utf-8"))
    levers: dict[str, Lever] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise LeverError(f"{folder}: map met hefbomen bestaat niet")
        for path in sorted(folder.glob("*.toml")):
            if path.name == "grondslagen.toml":
                continue
            lever = load_lever(path)
            if lever.key in levers:
                raise LeverError(f"{path}: hefboom '{lever.key}' bestaat al "
                                 f"({levers[lever.key].bestand}); kies een andere bestandsnaam")
            levers[lever.key] = lever
    pupils = bases["leerlingen_per_school"]
    return Library(levers, int(bases["prijsjaar"]), float(pupils["waarde"]),
                   pupils["onderbouwing"]["tekst"])


def load_library(extra_dirs: Iterable[Path] = ()) -> Library:
    """The shipped levers plus those in ``extra_dirs`` and ``$JEUGDSTELSEL_HEFBOMEN``."""
    return _load(tuple(_lever_dirs(extra_dirs)))


# -- scenario validation -----------------------------------------------------------------------

@dataclass(frozen=True)
class ActiveLever:
    """A lever as a scenario uses it."""

    lever: Lever
    use: LeverUse
    index: int  # position in the scenario's [[hefbomen]]


def validate_levers(scenario: Scenario, source: str = "<scenario>",
                    library: Library | None = None) -> list[ActiveLever]:
    """Check a scenario's levers against the library before anything runs.

    Refuses (with :class:`LeverUseError`, in Dutch, naming file and key) an unknown lever, a dose
    outside its range, the same lever twice, and two levers that move one parameter in opposite
    directions: their combined effect would rest on how the model happens to add them up.
    """
    lib = library or load_library()
    problems: list[str] = []
    active: list[ActiveLever] = []
    seen: dict[str, int] = {}
    for i, use in enumerate(scenario.hefbomen):
        key = f"hefbomen[{i}]"
        if use.naam not in lib.levers:
            close = difflib.get_close_matches(use.naam, list(lib.levers), n=3, cutoff=0.5)
            hint = f" Bedoelt u: {', '.join(close)}?" if close else ""
            problems.append(f"'{key}.naam': onbekende hefboom '{use.naam}'.{hint} Bekend: "
                            f"{', '.join(sorted(lib.levers))} (zie 'jeugdstelsel levers')")
            continue
        lever = lib[use.naam]
        if not lever.dosis.min <= use.dosis <= lever.dosis.max:
            problems.append(f"'{key}.dosis': {use.dosis:g} ligt buiten het toegestane bereik "
                            f"[{lever.dosis.min:g}, {lever.dosis.max:g}] {lever.dosis.eenheid} "
                            f"van hefboom '{use.naam}'")
            continue
        period = scenario.periode
        if use.start > period.eind:
            problems.append(f"'{key}.start': {use.start} ligt na het eind van de periode "
                            f"({period.start}-{period.eind}); de hefboom zou niets doen. Kies "
                            f"een startjaar van hoogstens {period.eind}")
            continue
        if use.naam in seen:
            problems.append(f"'{key}.naam': hefboom '{use.naam}' staat al in "
                            f"'hefbomen[{seen[use.naam]}]'; tel de doses op in één regel")
            continue
        seen[use.naam] = i
        active.append(ActiveLever(lever, use, i))
    # contradicting directions on one parameter
    moves: dict[str, list[tuple[int, ActiveLever]]] = {}
    for a in active:
        for effect in a.lever.all_effects:
            sign = a.lever.direction(effect, a.use.dosis)
            if sign:
                moves.setdefault(effect.parameter, []).append((sign, a))
    for parameter, pairs in moves.items():
        signs = {s for s, _ in pairs}
        if len(signs) > 1:
            up = [f"hefbomen[{a.index}] ({a.lever.key})" for s, a in pairs if s > 0]
            down = [f"hefbomen[{a.index}] ({a.lever.key})" for s, a in pairs if s < 0]
            label = PARAMETERS_BY_NAME[parameter].label_nl
            problems.append(f"'hefbomen': tegenstrijdige hefbomen op parameter '{parameter}' "
                            f"({label}): {', '.join(up)} verhogen hem, {', '.join(down)} "
                            "verlagen hem; kies één richting")
    if problems:
        raise LeverUseError(f"{source}: de hefbomen zijn niet geldig:\n"
                            + "\n".join(f"- {p}" for p in problems))
    return active


# -- effects over time -------------------------------------------------------------------------

def stable_hash(name: str) -> int:
    """A hash of a lever key that is the same in every Python process (unlike ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


def ramp(n_months: int, start_year: int, months: int, end_year: int | None = None
         ) -> np.ndarray:
    """Share of the full effect per model month (month 0 = January 2015), ``(months,)``.

    Linear from the first month of ``start_year`` to full strength after ``months``; 0 after
    ``end_year``. Why linear: staff must be hired and routines learned; a step would overstate
    the first year.
    """
    t = np.arange(n_months)
    first = (start_year - REFERENCE_YEAR) * MONTHS_PER_YEAR
    r = (np.clip((t - first + 1) / months, 0.0, 1.0) if months > 0
         else (t >= first).astype(float))
    if end_year is not None:
        r[t >= (end_year + 1 - REFERENCE_YEAR) * MONTHS_PER_YEAR] = 0.0
    return r


def project_population(inputs, n_months: int) -> np.ndarray:
    """Persons per month, municipality and age ``(months, municipalities, ages)``.

    The same ageing, births and migration as the engine's demography, without care states:
    lever costs are counted over children before the simulation runs.
    """
    pop = np.asarray(inputs.population0, dtype=float).copy()
    births = np.asarray(inputs.births, dtype=float)
    rate = np.asarray(inputs.migration, dtype=float) / MONTHS_PER_YEAR
    out = np.empty((n_months, *pop.shape))
    for month in range(n_months):
        out[month] = pop
        moving = pop / MONTHS_PER_YEAR
        pop = pop - moving
        pop[:, 1:] += moving[:, :-1]
        pop[:, 0] += births[month // MONTHS_PER_YEAR] / MONTHS_PER_YEAR
        pop *= 1.0 + rate
    return out


class LeverPlan:
    """The levers of one scenario, ready to turn into parameter paths and costs."""

    def __init__(self, active: Sequence[ActiveLever], library: Library, seed: int) -> None:
        self.active = [a for a in active if a.use.dosis != 0.0]
        self.library = library
        self.seed = seed
        present = {a.lever.ingredient for a in self.active} & set(INGREDIENTS)
        self.n_ingredients = len(present)

    def coherence_weight(self) -> float:
        """0 with one ingredient, 1 with all four (seed 003: 'De vier ingrediënten zijn niet
        te scheiden')."""
        return max(self.n_ingredients - 1, 0) / (len(INGREDIENTS) - 1)

    def uniforms(self, n_draws: int) -> dict[str, np.ndarray]:
        """Per lever ``(draws, n_random)`` uniforms from the lever's own stream."""
        return {a.lever.key: np.random.default_rng([self.seed, stable_hash(a.lever.key)])
                .random((n_draws, a.lever.n_random())) for a in self.active}

    def central_uniforms(self, n_draws: int) -> dict[str, np.ndarray]:
        """Every lever at the middle of its effect ranges (sensitivity and Sobol vary the
        model or one effect at a time around it)."""
        return {a.lever.key: np.full((n_draws, a.lever.n_random()), 0.5) for a in self.active}

    def effect_values(self, a: ActiveLever, u: np.ndarray) -> list[np.ndarray]:
        """Effect per unit of dose per draw for each of ``a.lever.all_effects``, ``(draws,)``.

        For a prevention lever the last effect is multiplied by the coherence factor.
        """
        values = []
        for j, effect in enumerate(a.lever.all_effects):
            low, high = effect.per_eenheid
            values.append(low + u[:, j] * (high - low))
        if a.lever.preventie is not None:
            c_low, c_high = a.lever.preventie.samenhangfactor
            factor = c_low + u[:, -1] * (c_high - c_low)
            values[-1] = values[-1] * (1.0 + (factor - 1.0) * self.coherence_weight())
        return values

    def build(self, params: ParameterSet, inputs, n_months: int,
              uniforms: dict[str, np.ndarray] | None = None
              ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """``(paths, extra_cost)`` for :func:`~jeugdstelsel.core.simulate.simulate`.

        Operations on one parameter apply in a fixed order (multiply, then add, then set), then
        the value is clipped to the parameter's declared range, so no lever can push the model
        outside the domain it was calibrated and validated on.
        """
        if not self.active:
            return {}, None
        d, m = params.n_draws, params.n_municipalities
        u_all = uniforms if uniforms is not None else self.uniforms(d)
        mult: dict[str, np.ndarray] = {}
        add: dict[str, np.ndarray] = {}
        # the routing moved by levers whose cost does *not* pay for first-line help
        own_mult: dict[str, np.ndarray] = {}
        own_add: dict[str, np.ndarray] = {}
        setto: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        cost = np.zeros((n_months, d, m))
        pop = project_population(inputs, n_months)
        price = self.price_path(params, n_months)
        for a in self.active:
            r = ramp(n_months, a.use.start, a.lever.aanloop_maanden, a.use.eind)
            dose = a.use.dosis
            for effect, value in zip(a.lever.all_effects,
                                     self.effect_values(a, u_all[a.lever.key]), strict=True):
                step = r[:, None, None] * value[None, :, None]  # (months, draws, 1)
                name = effect.parameter
                paid = a.lever.kosten.dekt_eerstelijnshulp
                if effect.bewerking == "optellen":
                    add[name] = add.get(name, 0.0) + step * dose
                    if not paid:
                        own_add[name] = own_add.get(name, 0.0) + step * dose
                elif effect.bewerking == "vermenigvuldigen":
                    factor = np.maximum(1.0 + step * dose, 0.0)
                    mult[name] = mult.get(name, 1.0) * factor
                    if not paid:
                        own_mult[name] = own_mult.get(name, 1.0) * factor
                else:
                    weight = r[:, None, None] * dose / a.lever.dosis.max
                    setto[name] = (np.broadcast_to(weight, (n_months, 1, 1)),
                                   np.broadcast_to(value[None, :, None], (1, d, 1)))
            cost += self._cost(a, r, pop, price)
        paths = {}
        for name in sorted({*mult, *add, *setto}):
            decl = PARAMETERS_BY_NAME[name]
            base = np.broadcast_to(params[name][None], (n_months, d, m))
            value = base * mult.get(name, 1.0) + add.get(name, 0.0)
            if name in setto:
                weight, target = setto[name]
                value = value + (target - value) * weight
            paths[name] = np.clip(np.broadcast_to(value, (n_months, d, m)), decl.low, decl.high)
        if any(a.lever.kosten.dekt_eerstelijnshulp for a in self.active):
            paths["cost_first_line"] = self._first_line_cost(params, inputs, n_months, paths,
                                                             own_mult, own_add)
        return paths, cost

    def _first_line_cost(self, params: ParameterSet, inputs, n_months: int,
                         paths: dict[str, np.ndarray], own_mult: dict, own_add: dict
                         ) -> np.ndarray:
        """The care cost per first-line child-month, without the children a lever's staff help.

        A lever with ``dekt_eerstelijnshulp`` (POH-jeugd, school, extra local-team staff) pays
        the people who help the children it brings to the first line; charging those children
        ``cost_first_line`` as well would count their help twice. The kernel has one first-line
        stock, so the share of that stock the levers brought is taken from the routing (flow 2,
        :func:`jeugdstelsel.core.flows.routing`): the first-line weight with all levers against
        the weight with only the levers that do not pay for first-line help, month by month,
        smoothed with the first-line duration (a stock follows its inflow with a lag of about
        one duration). The path is that cost times the share the care cost still pays for.
        Every first-line episode has the same duration and escalation whatever its route, so the
        share of entries is the share of the stock; only the ages differ slightly (POH and school
        children are of school age), which this ignores.
        """
        d, m = params.n_draws, params.n_municipalities
        shape = (n_months, d, m)
        months = np.arange(n_months)
        years = (inputs.start_year - REFERENCE_YEAR) + (months + 0.5) / MONTHS_PER_YEAR

        def value(name: str, moved: bool) -> np.ndarray:
            base = np.broadcast_to(params[name][None], shape)
            if moved:
                return paths.get(name, base)
            decl = PARAMETERS_BY_NAME[name]
            return np.clip(base * own_mult.get(name, 1.0) + own_add.get(name, 0.0), decl.low,
                           decl.high)

        trend = np.exp(params["fl_route_trend"][None] * years[:, None, None])

        def weight(moved: bool) -> np.ndarray:
            """First-line weight of flow 2 (the numerator of its first share)."""
            gp = np.broadcast_to(params["route_gp"][None], shape)
            yd = np.broadcast_to(params["route_youth_doctor"][None], shape)
            return (value("route_first_line", moved) * trend + gp * value("poh_shift", moved)
                    + (yd + 1.0) * value("school_shift", moved))

        every, own = weight(True), weight(False)
        entries = np.clip(1.0 - own / np.maximum(every, 1e-12), 0.0, 1.0)
        rate = 1.0 / np.maximum(params["fl_duration"], 1.0)  # (draws, areas), per month
        stock = np.zeros(shape)
        previous = np.zeros((d, m))
        for t in range(n_months):
            previous = previous + (entries[t] - previous) * rate
            stock[t] = previous
        return np.broadcast_to(params["cost_first_line"][None], shape) * (1.0 - stock)

    def price_path(self, params: ParameterSet, n_months: int) -> np.ndarray:
        """Price level per month against the library's price year ``(months, draws, areas)``:
        lever amounts are indexed with the drawn tariff index, like the care costs."""
        years = np.arange(n_months) / MONTHS_PER_YEAR
        return (1.0 + params["tariff_index"][None]) ** (
            years[:, None, None] - (self.library.price_year - REFERENCE_YEAR))

    def costs_by_lever(self, params: ParameterSet, inputs, n_months: int
                       ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per lever key ``(structural, incidental)`` euro per month ``(months, draws, areas)``;
        their sum over levers is the ``extra_cost`` that :meth:`build` hands the engine."""
        pop = project_population(inputs, n_months)
        price = self.price_path(params, n_months)
        return {a.lever.key: self.cost_parts(a, ramp(n_months, a.use.start,
                                                     a.lever.aanloop_maanden, a.use.eind),
                                             pop, price) for a in self.active}

    def _cost(self, a: ActiveLever, r: np.ndarray, pop: np.ndarray, price: np.ndarray
              ) -> np.ndarray:
        """Euro per month ``(months, draws, municipalities)``: running cost with the ramp, plus
        one-off cost spread evenly over the ramp-up months (or the first year)."""
        structural, incidental = self.cost_parts(a, r, pop, price)
        return structural + incidental

    def cost_parts(self, a: ActiveLever, r: np.ndarray, pop: np.ndarray, price: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
        """``(structural, incidental)`` euro per month ``(months, draws, municipalities)``.

        Kept apart because a budget ('begroting') books one-off and running costs separately;
        the engine only needs their sum (:meth:`_cost`)."""
        c = a.lever.kosten
        basis = self.cost_basis(c.grondslag, pop)  # (months, municipalities)
        monthly = c.euro_per_eenheid_per_jaar * a.use.dosis * basis / MONTHS_PER_YEAR * r[:, None]
        once = np.zeros_like(monthly)
        if c.eenmalig_euro_per_eenheid:
            spread = a.lever.aanloop_maanden or MONTHS_PER_YEAR
            first = (a.use.start - REFERENCE_YEAR) * MONTHS_PER_YEAR
            window = np.zeros(len(r))
            window[first:first + spread] = 1.0 / spread
            once = c.eenmalig_euro_per_eenheid * a.use.dosis * basis * window[:, None]
        return monthly[:, None, :] * price, once[:, None, :] * price

    def cost_basis(self, grondslag: str, pop: np.ndarray) -> np.ndarray:
        """What one unit of dose is counted over, per month and municipality."""
        children = pop[:, :, :ADULT_AGE].sum(-1)
        if grondslag == "kinderen_0_17":
            return children
        if grondslag == "per_1000_kinderen_0_17":
            return children / 1000.0
        if grondslag == "scholen":
            return pop[:, :, SCHOOL_AGE:ADULT_AGE].sum(-1) / self.library.pupils_per_school
        return np.zeros_like(children)


def plan_for(scenario: Scenario, source: str = "<scenario>",
             library: Library | None = None) -> LeverPlan:
    """Validate the scenario's levers and return their plan (possibly empty)."""
    lib = library or load_library()
    return LeverPlan(validate_levers(scenario, source, lib), lib, scenario.simulatie.zaad)
