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
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)
SERVICE_MODULE = "jeugdstelsel.data.store_service"


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
    path = resources.files("jeugdstelsel.data") / "refdata" / "kwb2020_84799NED_gemeenten.csv"
    text = path.read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    found = {
        (r["Codering_3"].strip(), r["Gemeentenaam_1"].strip())
        for r in rows
        if r.get("SoortRegio_2", "").strip() == "Gemeente"
    }
    return tuple(sorted(found, key=lambda cn: cn[1]))


def municipalities() -> list[tuple[str, str]]:
    """(code, name) of known municipalities: from the store when it is there and seeded."""
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
    try:
        return dict(service.annual(series, geo))
    except Exception:  # unknown municipality or series: no figures, never a broken page
        log.exception("storebridge: annual(%s, %s) failed", series, geo)
        return {}
