"""The one place where the web application talks to the model and scenario services.

Why an adapter: the services (``jeugdstelsel.services``) are built in parallel with the web
layer. Pages and API ask this module and render whatever it gives, or say plainly that the model
is not available. When the services land, only this module changes.

What this module expects from the services (the contract; see also docs/web.md):

``jeugdstelsel.services.run.run_default(draws: int, seed: int) -> results``
    A Monte Carlo run of the calibrated default model. ``results.band(output_key, lower=0.05,
    upper=0.95)`` returns ``{year: (lower, median, upper)}`` for an output such as
    ``"jeugdzorg_0_22"`` (the keys of ``jeugdstelsel.core.outputs.SERIES``; the series'
    ``observed`` attribute names the embedded reference series with the same definition, which
    is how a dashboard chart finds its band).
``jeugdstelsel.services.run.output_keys() -> dict[str, str]`` (optional)
    Output key -> Dutch label; goals may be tied to these keys. Without it the declared
    ``core.outputs.SERIES`` are used.
``jeugdstelsel.services.run.model_declaration() -> dict``
    For the transparency page: ``method`` (str), ``assumptions`` (list of dicts with ``name``,
    ``value``, ``unit``, ``source``, ``evidence``), ``holdout`` (list of dicts with ``series``,
    ``year``, ``observed``, ``predicted``, ``error_pct``), ``limits`` (list of str) and
    ``version`` (str). Unknown keys are shown as they are.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jeugdstelsel.web.charts import Band

log = logging.getLogger(__name__)

SERVICE_MODULE = "jeugdstelsel.services.run"
DEFAULT_DRAWS = 200
DEFAULT_SEED = 0


def _declared_outputs():
    """The model's declared output series, or () when the core is not installed."""
    try:
        from jeugdstelsel.core.outputs import SERIES
    except ImportError:
        return ()
    return SERIES


def observed_to_output() -> dict[str, str]:
    """Observed reference series -> model output key with the same definition."""
    return {s.observed: s.key for s in _declared_outputs() if s.observed}


@dataclass(frozen=True)
class Answer:
    """A value from the services, or why there is none (shown to the user in Dutch)."""

    value: Any = None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None


NOT_YET = "Het rekenmodel is in deze installatie nog niet beschikbaar."


def _service():
    try:
        return importlib.import_module(SERVICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and SERVICE_MODULE.startswith(exc.name):
            return None
        raise


def _call(name: str, *args) -> Answer:
    service = _service()
    fn = getattr(service, name, None) if service else None
    if fn is None:
        return Answer(reason=NOT_YET)
    try:
        return Answer(value=fn(*args))
    except Exception:  # the page must still render; the log keeps the details
        log.exception("modelbridge: %s failed", name)
        return Answer(reason="Het rekenmodel gaf een fout; de beheerder kan het logboek bekijken.")


@lru_cache(maxsize=1)
def _default_run() -> Answer:
    """One default run per process: the dashboard must answer fast for every visitor."""
    return _call("run_default", DEFAULT_DRAWS, DEFAULT_SEED)


def clear_cache() -> None:
    _default_run.cache_clear()


def band_for(observed_series: str) -> Answer:
    """The model's 90% band for an observed dashboard series, as a chart ``Band``."""
    key = observed_to_output().get(observed_series)
    if key is None:
        return Answer(reason="Het model rekent deze reeks niet uit.")
    run = _default_run()
    if not run.available:
        return run
    try:
        by_year = run.value.band(key, lower=0.05, upper=0.95)
    except Exception:
        log.exception("modelbridge: band(%s) failed", key)
        return Answer(reason="De modelband voor deze reeks kon niet worden berekend.")
    years = sorted(by_year)
    return Answer(
        value=Band(
            name="Model, 90%-interval",
            xs=tuple(float(y) for y in years),
            lower=tuple(float(by_year[y][0]) for y in years),
            upper=tuple(float(by_year[y][2]) for y in years),
        )
    )


def output_keys() -> dict[str, str]:
    """Model outputs a goal can be tied to (key -> Dutch label); empty without a model."""
    answer = _call("output_keys")
    if answer.available:
        return dict(answer.value)
    return {s.key: s.label_nl for s in _declared_outputs()}


def model_declaration() -> Answer:
    return _call("model_declaration")
