"""Declared model parameters: unit, default, range/distribution and provenance.

Every number the model uses is a :class:`Parameter`. Descriptions live in the declaration (not in
comments) so that the parameter table, ``jeugdstelsel model`` and the Algoritmeregister text are
generated from one place and cannot drift apart.

Sampling turns declarations into arrays shaped ``(draws, municipalities)``. Randomness is passed in
as a :class:`numpy.random.Generator`; nothing here is global.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from jeugdstelsel.core.units import Unit, check_unit
from jeugdstelsel.errors import ParameterError

SourceKind = Literal["seed", "cbs", "nji", "literatuur", "aanname"]
Distribution = Literal["uniform", "triangular", "fixed"]


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a seed passage, a CBS table and period, or an assumption."""

    kind: SourceKind
    reference: str
    detail: str = ""

    def text_nl(self) -> str:
        """One line for users, e.g. ``aanname: ...`` or ``CBS 85096NED, 2021: ...``."""
        prefix = {
            "aanname": "aanname",
            "seed": "bron",
            "cbs": "CBS",
            "nji": "NJi",
            "literatuur": "literatuur",
        }[self.kind]
        tail = f" — {self.detail}" if self.detail else ""
        return f"{prefix}: {self.reference}{tail}"


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``low``/``high`` bound every value the model accepts (scenario overrides and calibration
    included); ``distribution`` says how Monte Carlo draws are spread over that range around
    ``default`` when the parameter is not calibrated. ``calibrated`` parameters are fitted to the
    reference figures; their draws then come from the calibration's posterior approximation.
    """

    name: str
    label_nl: str
    unit: Unit  # a checked unit; ``str(unit)`` is its Dutch label
    default: float
    low: float
    high: float
    source: Source
    description: str
    distribution: Distribution = "triangular"
    calibrated: bool = False
    group: str = "overig"

    def __post_init__(self) -> None:
        check_unit(f"parameter {self.name}", self.unit)
        if not self.low <= self.default <= self.high:
            raise ValueError(
                f"{self.name}: default {self.default} outside [{self.low}, {self.high}]"
            )
        if self.distribution != "fixed" and not self.low < self.high:
            raise ValueError(f"{self.name}: empty range [{self.low}, {self.high}]")

    def range_text(self) -> str:
        """The range or distribution in words, for tables."""
        if self.distribution == "fixed":
            return "vast"
        kind = {"uniform": "uniform", "triangular": "driehoek"}[self.distribution]
        return f"{kind} [{self.low:g}, {self.high:g}]"

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Map values inside ``[low, high]`` to the unbounded calibration scale (logit)."""
        u = (np.asarray(x, dtype=float) - self.low) / (self.high - self.low)
        u = np.clip(u, 1e-9, 1 - 1e-9)
        return np.log(u / (1 - u))

    def from_unit(self, z: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_unit`."""
        return self.low + (self.high - self.low) / (1 + np.exp(-np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class Posterior:
    """A Gaussian approximation of calibrated parameters on the logit scale (Laplace)."""

    names: tuple[str, ...]
    mean: np.ndarray  # (k,) logit scale
    cov: np.ndarray  # (k, k)


@dataclass
class ParameterSet:
    """Parameter values as arrays ``(draws, municipalities)``, indexed by name."""

    values: dict[str, np.ndarray]
    n_draws: int
    n_municipalities: int
    names: tuple[str, ...] = field(default=())

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def with_values(self, updates: Mapping[str, np.ndarray | float]) -> ParameterSet:
        """A copy with some parameters replaced (broadcast to ``(draws, municipalities)``)."""
        shape = (self.n_draws, self.n_municipalities)
        new = dict(self.values)
        for key, value in updates.items():
            if key not in new:
                raise ParameterError(f"onbekende parameter '{key}'")
            new[key] = np.broadcast_to(np.asarray(value, dtype=float), shape).copy()
        return ParameterSet(new, self.n_draws, self.n_municipalities, self.names)


def check_value(param: Parameter, value: float) -> None:
    """Refuse a value outside the declared range with a Dutch message naming the parameter."""
    if not np.isfinite(value) or not param.low <= value <= param.high:
        raise ParameterError(
            f"parameter '{param.name}' ({param.label_nl}): waarde {value:g} {param.unit} ligt "
            f"buiten het toegestane bereik [{param.low:g}, {param.high:g}]"
        )


def _sample_one(param: Parameter, rng: np.random.Generator, n: int) -> np.ndarray:
    if param.distribution == "fixed":
        return np.full(n, param.default)
    if param.distribution == "uniform":
        return rng.uniform(param.low, param.high, n)
    return rng.triangular(param.low, param.default, param.high, n)


def build(
    params: Iterable[Parameter],
    n_draws: int,
    n_municipalities: int,
    rng: np.random.Generator | None,
    *,
    point: Mapping[str, float] | None = None,
    posterior: Posterior | None = None,
    overrides: Mapping[str, float] | None = None,
) -> ParameterSet:
    """Make a :class:`ParameterSet`.

    ``rng=None`` gives the point estimate (calibrated values or defaults) in every draw, which
    calibration and deterministic checks use. Otherwise draws come from the posterior for the
    calibrated parameters and from the declared distributions for the rest. ``overrides`` fix a
    parameter in every draw (scenario files); each is checked against the declared range.
    Municipalities share a draw's value: per-municipality differences enter through inputs.
    """
    params = tuple(params)
    by_name = {p.name: p for p in params}
    point = dict(point or {})
    overrides = dict(overrides or {})
    for key, value in overrides.items():
        if key not in by_name:
            raise ParameterError(
                f"onbekende parameter '{key}'; toegestaan: {', '.join(sorted(by_name))}"
            )
        check_value(by_name[key], float(value))
    shape = (n_draws, n_municipalities)
    values: dict[str, np.ndarray] = {}
    for p in params:  # the order is fixed, so a seed gives the same draws every time
        centre = point.get(p.name, p.default)
        column = np.full(n_draws, centre) if rng is None else _sample_one(p, rng, n_draws)
        values[p.name] = column
    if rng is not None and posterior is not None:
        z = rng.multivariate_normal(posterior.mean, posterior.cov, size=n_draws, method="svd")
        for j, name in enumerate(posterior.names):
            values[name] = by_name[name].from_unit(z[:, j])
    for key, value in overrides.items():
        values[key] = np.full(n_draws, float(value))
    out = {
        k: np.repeat(v[:, None], n_municipalities, axis=1).reshape(shape) for k, v in values.items()
    }
    return ParameterSet(out, n_draws, n_municipalities, tuple(by_name))
