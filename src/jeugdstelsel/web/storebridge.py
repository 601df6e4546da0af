"""The seam to the data store (CBS figures per municipality), built in parallel by another issue.

Why a seam: the dashboard and the municipality list should show a municipality's own figures and
names as soon as ``jeugdstelsel.data.store_service`` exists, without the web layer knowing how
the store keeps them. Expected from that module (see docs/web.md):

``municipalities() -> list[tuple[str, str]]``
    ``(code, name)`` of every municipality in the store, e.g. ``("GM0363", "Amsterdam")``.
``annual(series: str, geo: str) -> dict[int, tuple[float, str]]``
    The same shape as ``jeugdstelsel.data.refdata.annual``: ``{year: (value, status)}`` for a
    municipality code (``GM0363``) or a region; empty when the store has no such figures.

Until then municipality names come from the embedded CBS Kerncijfers wijken en buurten file.
"""

from __future__ import annotations

import csv
import importlib
import io
import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)
SERVICE_MODULE = "jeugdstelsel.data.store_service"
#: Answers of the store per version (``version()``): the dashboard asks the same figures for
#: every visitor, and ``annual`` costs tens of milliseconds of pandas work holding the GIL.
_answers: dict[tuple, object] = {}
_answers_lock = threading.Lock()
_MAX_ANSWERS = 4096


def _service():
    try:
        return importlib.import_module(SERVICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == SERVICE_MODULE:
            return None
        raise


def available() -> bool:
    return _service() is not None


@lru_cache(maxsize=1)
def _embedded_municipalities() -> tuple[tuple[str, str], ...]:
    try:  # the current (2024) division, as the municipal figures use it
        from jeugdstelsel.data.municipalities import names_2024

        return tuple(sorted(names_2024().items(), key=lambda cn: cn[1]))
    except Exception:
        log.debug("storebridge: no 2024 division, using KWB 2020", exc_info=True)
    path = resources.files("jeugdstelsel.data") / "refdata" / "kwb2020_84799NED_gemeenten.csv"
    text = path.read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    found = {
        (r["Codering_3"].strip(), r["Gemeentenaam_1"].strip())
        for r in rows
        if r.get("SoortRegio_2", "").strip() == "Gemeente"
    }
    return tuple(sorted(found, key=lambda cn: cn[1]))


def version() -> tuple:
    """Changes when figures were imported or an import undone (one cheap query)."""
    try:
        from django.db.models import Count, Max

        from jeugdstelsel.store.models import ImportBatch

        found = ImportBatch.objects.aggregate(n=Count("id"), last=Max("id"))
        return (found["n"], found["last"])
    except Exception:  # store tables not migrated yet
        return (0, None)


def _cached(key: tuple, compute):
    key = (*key, version())
    with _answers_lock:
        if key in _answers:
            return _answers[key]
    value = compute()
    with _answers_lock:
        if len(_answers) >= _MAX_ANSWERS:
            _answers.clear()
        _answers[key] = value
    return value


def clear_cache() -> None:
    with _answers_lock:
        _answers.clear()


def municipalities() -> list[tuple[str, str]]:
    """(code, name) of known municipalities: from the store when it is there and seeded."""
    return list(_cached(("municipalities",), lambda: tuple(_municipalities())))


def _municipalities() -> list[tuple[str, str]]:
    service = _service()
    if service is not None and hasattr(service, "municipalities"):
        try:
            found = list(service.municipalities())
        except Exception:  # store tables not migrated yet: fall back, the page still works
            log.exception("storebridge: municipalities() failed")
            found = []
        if found:
            return found
    return list(_embedded_municipalities())


def municipality_name(code: str) -> str | None:
    return dict(municipalities()).get(code)


def annual(series: str, geo: str) -> dict[int, tuple[float, str]]:
    """A municipality's or region's figures; empty until the store provides them."""
    service = _service()
    if service is None or not hasattr(service, "annual"):
        return {}
    return dict(_cached(("annual", series, geo), lambda: _annual(service, series, geo)))


def _annual(service, series: str, geo: str) -> dict[int, tuple[float, str]]:
    from jeugdstelsel.errors import JeugdstelselError

    try:
        return dict(service.annual(series, geo))
    except JeugdstelselError as exc:
        # expected: the store does not know this municipality (not seeded) or this series.
        # No traceback: every dashboard visit would log one per series (issue 17).
        log.debug("storebridge: annual(%s, %s): %s", series, geo, exc)
        return {}
    except Exception:  # a real fault: log it once per store version, never a broken page
        log.exception("storebridge: annual(%s, %s) failed", series, geo)
        return {}


# -- the embedded CBS youth-care figures of every municipality (docs/data.md) -----------------


@dataclass(frozen=True)
class Figure:
    """One figure of a municipality beside the country's, ready for a table."""

    label: str
    unit: str
    period: str
    status: str
    value: float | None
    country: float | None
    country_status: str
    source: str
    merged_from: str
    url: str = ""


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _float(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


@lru_cache(maxsize=512)
def profile(code: str) -> tuple[Figure, ...]:
    """The municipality's CBS youth-care figures beside the country (``municipal_figures``).

    Empty when the module is absent or does not know the code. A missing figure (suppressed by
    CBS, or not formable for a merged group) has ``value`` None: shown as 'ontbreekt', never 0.
    """
    try:
        from jeugdstelsel.data import municipal_figures as mf

        frame = mf.profile(code, headline=True)
    except ImportError:
        return ()
    except Exception:
        log.debug("storebridge: no municipal profile for %s", code, exc_info=True)
        return ()
    return tuple(
        Figure(str(r["label"]), str(r["unit"]), str(r["period"]), str(r["status"]),
               _float(r["value"]), _float(r["country"]), _text(r["country_status"]),
               str(r["source"]), ", ".join(r["merged_from"]) if isinstance(
                   r["merged_from"], list | tuple) else str(r["merged_from"] or ""))
        for r in frame.to_dict("records")
    )


@lru_cache(maxsize=512)
def press(code: str) -> tuple[Figure, ...]:
    """Figures about the municipality from news articles and press releases (not CBS)."""
    try:
        from jeugdstelsel.data import municipal_figures as mf

        frame = mf.press_figures(code)
    except ImportError:
        return ()
    except Exception:
        log.debug("storebridge: no press figures for %s", code, exc_info=True)
        return ()
    kinds = {"nieuwsbericht": "Nieuwsbericht", "persbericht": "Persbericht"}
    return tuple(
        Figure(str(r["label"]), str(r["unit"]), str(r["period"]), str(r["status"]),
               _float(r["value"]), None, "",
               f"{kinds.get(r['source_kind'], 'Nieuwsbericht')}: {r['title']}", "",
               str(r["origin"] or ""))
        for r in frame.to_dict("records")
    )
