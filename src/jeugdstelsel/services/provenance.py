"""Provenance of a result: which tool, calibration, data, seed and scenario produced it.

Every result the tool hands out carries one :class:`Provenance`: ``meta.json`` and the REST API
use :meth:`Provenance.as_dict`, the CLI header, the PDF colophon and the Excel notes use
:meth:`Provenance.lines_nl`. Build one with :func:`for_run` (one scenario) or
:func:`for_comparison` (a reference and its plans, run on common draws).

Content hashes are short (12 hex digits of SHA-256) and identify the calibration and the
embedded figures exactly: two results with the same hashes, seed and draws come from the same
inputs.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jeugdstelsel.services.calibration import Calibration
    from jeugdstelsel.services.scenario import Scenario

FIGURES_FILE = "figures.csv"
MUNICIPALITIES_FILE = "gemeenten_2024.csv"
MUNICIPAL_DIVISION = 2024
HASH_LENGTH = 12


def short_hash(data: bytes) -> str:
    """The first 12 hex digits of SHA-256: enough to tell versions apart, short to read."""
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def tool_version() -> str:
    """The version of jeugdstelsel (``jeugdstelsel.__version__``, which ``pyproject.toml``
    reads as the package version: one place, and no package-metadata import on every run)."""
    from jeugdstelsel import __version__

    return __version__


def _refdata_bytes(name: str) -> bytes:
    return (resources.files("jeugdstelsel.data") / "refdata" / name).read_bytes()


@functools.cache
def figures_vintage() -> tuple[int, str]:
    """(last year with a published national figure, content hash of ``figures.csv``).

    Rows of ``seed_*`` series are figures quoted from the literature (trends, projections), not
    published observations, so they do not count for the vintage.
    """
    data = _refdata_bytes(FIGURES_FILE)
    last = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        period = (row.get("period") or "")[:4]
        if period.isdigit() and not (row.get("series") or "").startswith("seed_"):
            last = max(last, int(period))
    return last, short_hash(data)


@functools.cache
def municipal_vintage() -> tuple[str, int, str] | None:
    """(file, municipal division year, content hash) of the embedded municipal table."""
    try:
        data = _refdata_bytes(MUNICIPALITIES_FILE)
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    return MUNICIPALITIES_FILE, MUNICIPAL_DIVISION, short_hash(data)


_HASHES: dict[int, tuple[Any, str]] = {}


def calibration_hash(calibration: Calibration) -> str:
    """A content hash of a calibration, independent of how its JSON file was indented.

    Its fields are plain JSON values, so the instance dict is dumped directly (``asdict`` deep
    copies everything first: ten times slower); the hash is remembered per live object.
    """
    key = id(calibration)
    known = _HASHES.get(key)
    if known is not None and known[0]() is calibration:
        return known[1]
    try:
        fields = vars(calibration)
    except TypeError:  # pragma: no cover - a slotted calibration
        fields = asdict(calibration)
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    digest = short_hash(text.encode("utf-8"))
    with contextlib.suppress(TypeError):  # no weak references: do not remember
        _HASHES[key] = (weakref.ref(calibration), digest)
    return digest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Provenance:
    """Where a result comes from; frozen, so it can be attached to a result and shared."""

    tool_version: str
    calibration_area: str
    calibration_fitted_through: int
    calibration_created: str
    calibration_hash: str
    figures_last_year: int
    figures_hash: str
    seed: int
    draws: int
    scenario_name: str
    scenario_source: str | None = None
    #: GM code -> Dutch description of the municipal calibration (or its absence) used.
    municipal: Mapping[str, str] = field(default_factory=dict)
    #: (file, division year, hash) of the municipal table, for runs on municipalities.
    municipal_data: tuple[str, int, str] | None = None
    #: for a comparison: (name, source) of every scenario, the reference first.
    scenarios: tuple[tuple[str, str | None], ...] = ()
    created: str = field(default_factory=_now)

    @property
    def municipal_calibrated(self) -> bool:
        """Whether any area used its own (municipal) calibration."""
        return any(text.startswith("gemeentelijke kalibratie") for text in self.municipal.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (Dutch keys, like the rest of ``meta.json`` and the API)."""
        out: dict[str, Any] = {
            "versie": self.tool_version,
            "kalibratie": {
                "gebied": self.calibration_area,
                "gekalibreerd_tot_en_met": self.calibration_fitted_through,
                "gemaakt": self.calibration_created,
                "hash": self.calibration_hash,
                "soort": "gemeentelijk" if self.municipal_calibrated else "landelijk",
            },
            "gegevens": {
                "bestand": FIGURES_FILE,
                "laatste_jaar": self.figures_last_year,
                "hash": self.figures_hash,
            },
            "zaad": self.seed,
            "trekkingen": self.draws,
            "scenario": {"naam": self.scenario_name, "bestand": self.scenario_source},
            "gemaakt": self.created,
        }
        if self.municipal:
            out["kalibratie"]["per_gemeente"] = dict(self.municipal)
        if self.municipal_data is not None:
            name, division, digest = self.municipal_data
            out["gemeentegegevens"] = {"bestand": name, "indeling": division, "hash": digest}
        if self.scenarios:
            out["scenarios"] = [{"naam": n, "bestand": s} for n, s in self.scenarios]
        return out

    def lines_nl(self) -> list[str]:
        """Short Dutch lines for the CLI header, the PDF colophon and the Excel notes."""
        cal = (f"kalibratie: {self.calibration_area}, gekalibreerd t/m "
               f"{self.calibration_fitted_through}, gemaakt {self.calibration_created[:10]} "
               f"(hash {self.calibration_hash})")
        lines = [f"jeugdstelsel {self.tool_version}", cal]
        for code, text in self.municipal.items():
            if code != "NL01":
                lines.append(f"  {code}: {text}")
        lines.append(f"gegevens: ingebedde cijfers t/m {self.figures_last_year} "
                     f"({FIGURES_FILE}, hash {self.figures_hash})")
        if self.municipal_data is not None:
            name, division, digest = self.municipal_data
            lines.append(f"gemeentegegevens: indeling {division} ({name}, hash {digest})")
        if self.scenarios:
            for i, (name, source) in enumerate(self.scenarios):
                role = "referentie" if i == 0 else "plan"
                lines.append(f"scenario ({role}): {name}" + (f" ({source})" if source else ""))
        else:
            lines.append(f"scenario: {self.scenario_name}"
                         + (f" ({self.scenario_source})" if self.scenario_source else ""))
        lines.append(f"trekkingen: {self.draws:,}".replace(",", ".") + f"; zaad: {self.seed}")
        lines.append(f"gemaakt: {self.created}")
        return lines


def for_run(scenario: Scenario, calibration: Calibration,
            municipal: dict[str, str] | None = None, source: str | None = None) -> Provenance:
    """The provenance of one scenario run with ``calibration`` (national or explicit).

    ``municipal`` is the run's per-area description of the calibration used (GM code -> Dutch
    text, as ``RunResult.calibration_info["gemeentelijke_kalibratie"]``).
    """
    last, figures = figures_vintage()
    municipal = dict(municipal or {})
    uses_municipalities = any(code.startswith("GM") for code in municipal) or (
        not municipal and scenario.gebied.gemeente.strip().lower()
        not in ("nederland", "nl", "nl01", "landelijk"))
    return Provenance(
        tool_version=tool_version(),
        calibration_area=calibration.area,
        calibration_fitted_through=int(calibration.fitted_through),
        calibration_created=calibration.created,
        calibration_hash=calibration_hash(calibration),
        figures_last_year=last,
        figures_hash=figures,
        seed=int(scenario.simulatie.zaad),
        draws=int(scenario.simulatie.trekkingen),
        scenario_name=scenario.scenario.naam,
        scenario_source=str(source) if source is not None else None,
        municipal=municipal,
        municipal_data=municipal_vintage() if uses_municipalities else None,
    )


def for_comparison(scenarios: Sequence[tuple[str | None, Scenario]], calibration: Calibration,
                   municipal: dict[str, str] | None = None,
                   names: Sequence[str] | None = None) -> Provenance:
    """The provenance of a comparison: the reference's, plus every scenario's name and file."""
    (source, reference), *_ = scenarios
    base = for_run(reference, calibration, municipal, source)
    labels = list(names) if names is not None else [sc.scenario.naam for _, sc in scenarios]
    listed = tuple((label, str(src) if src is not None else None)
                   for label, (src, _) in zip(labels, scenarios, strict=True))
    return _replace(base, scenarios=listed)


def _replace(p: Provenance, **changes: Any) -> Provenance:
    import dataclasses

    return dataclasses.replace(p, **changes)


def of(result: Any) -> Provenance:
    """The provenance the pipeline attached to a run, comparison or Routekaart.

    There is no fallback: a result without its provenance did not come through the pipeline,
    and computing one afterwards could name a calibration it was not made with.
    """
    attached = getattr(result, "provenance", None)
    if isinstance(attached, Provenance):
        return attached
    raise ValueError(f"{type(result).__name__} without provenance: it did not come through "
                     "jeugdstelsel.services.pipeline")
