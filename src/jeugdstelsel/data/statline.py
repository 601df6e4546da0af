"""A small client for CBS StatLine open data (OData v3 and v4) with a resumable local cache.

Why not ``cbsodata``: we need an injectable HTTP transport (tests serve recorded responses with
``httpx.MockTransport``, never the network), a cache that survives an interrupted download, the
period status (voorlopig/definitief) beside every figure, and a Dutch error when StatLine cannot
be reached. The client is deliberately thin: it turns CBS's responses into one tidy long table
(``CbsTable.data``) and leaves storing to ``store_service``.

Formats (see shared/refdata/odata_format/ for real responses):

* v3 ``https://opendata.cbs.nl/ODataFeed/odata/{ID}/{endpoint}``: every response is
  ``{"odata.metadata": ..., "value": [...]}``; the feed pages with a top-level ``odata.nextLink``.
  Endpoints: TableInfos, DataProperties, TypedDataSet, UntypedDataSet and one per dimension
  (``Perioden`` carries ``Status``). Suppressed cells are ``null`` (typed) or ``"."`` (untyped);
  region codes are space-padded. Topic keys carry a numeric suffix that changes between table
  versions, so callers match on the prefix (``CbsTable.measure``).
* v4 ``https://datasets.cbs.nl/odata/v1/CBS/{ID}/{endpoint}``: Properties (one object),
  Dimensions, MeasureCodes, ``{Dim}Codes`` and Observations in long format (``Measure``,
  ``ValueAttribute``, ``Value`` and one column per dimension), paged with ``@odata.nextLink``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from jeugdstelsel import paths
from jeugdstelsel.data.errors import CbsConnectionError, CbsResponseError

V3_FEED = "https://opendata.cbs.nl/ODataFeed/odata"
V4_BASE = "https://datasets.cbs.nl/odata/v1/CBS"
NO_CONNECTION = (
    "Geen verbinding met CBS StatLine (opendata.cbs.nl). Download de tabel elders als CSV/JSON "
    "en gebruik `jeugdstelsel cbs import <bestand>`."
)
NUMERIC_TYPES = {"double", "long", "integer", "int", "float", "decimal", "short", "single"}
MISSING_SYMBOLS = {"", ".", "x", "?", "..", "null", "none"}
TABLE_ID = re.compile(r"^\d{5}[A-Z]{3}$|^\d{5}[a-z]{3}$")
LONG_COLUMNS = [
    "series",
    "measure",
    "region",
    "period",
    "category",
    "category_label",
    "value",
    "unit",
    "status",
]


def measure_prefix(key: str) -> str:
    """``'JongerenMetJeugdzorgInNatura_98'`` -> ``'JongerenMetJeugdzorgInNatura'``."""
    return re.sub(r"_\d+$", "", key)


def period_status(text: str | None) -> str:
    """CBS status words ('Voorlopig', 'Nader voorlopig', 'Definitief') -> voorlopig/definitief."""
    word = (text or "").strip().lower()
    if "voorlopig" in word or "provisional" in word:
        return "voorlopig"
    if "definitief" in word or "final" in word:
        return "definitief"
    return "onbekend"


def parse_cell(value: Any) -> float:
    """A typed or untyped CBS cell -> float; suppressed/unknown -> NaN, never 0.

    CBS symbols: ``.`` figure unknown, unreliable or secret; ``x`` secret; ``-`` nil (a real 0).
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in MISSING_SYMBOLS:
        return math.nan
    if text == "-":
        return 0.0
    try:
        return float(text)
    except ValueError:
        return math.nan


def normalise_table_id(table_id: str) -> str:
    """Validate a StatLine identifier such as 85097NED or 03759ned (case kept as CBS has it)."""
    text = table_id.strip()
    if not TABLE_ID.match(text):
        raise CbsResponseError(
            f"'{table_id}' is geen geldige CBS-tabelcode (vijf cijfers en drie letters, "
            "bijvoorbeeld 85097NED)."
        )
    return text


@dataclass(frozen=True)
class Measure:
    """A topic (v3) or measure code (v4): what a cell counts and in which unit."""

    key: str
    title: str
    unit: str
    decimals: int | None = None
    datatype: str = ""

    @property
    def series(self) -> str:
        return measure_prefix(self.key)

    @property
    def numeric(self) -> bool:
        return not self.datatype or self.datatype.lower() in NUMERIC_TYPES


@dataclass(frozen=True)
class Dimension:
    """A dimension with its codes and labels; ``status`` is filled for the time dimension."""

    key: str
    title: str
    kind: str  # region | time | category
    labels: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)


@dataclass
class CbsTable:
    """One StatLine table: its metadata and its figures as a long frame (``LONG_COLUMNS``)."""

    table_id: str
    title: str
    api: str  # v3 | v4 | csv | json
    modified: str = ""
    version: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LONG_COLUMNS))

    def measure(self, prefix: str) -> Measure:
        """The measure whose key starts with ``prefix`` (the numeric suffix changes per version)."""
        wanted = measure_prefix(prefix)
        hits = [m for m in self.measures.values() if m.series == wanted]
        if not hits:
            known = ", ".join(sorted({m.series for m in self.measures.values()})[:20])
            raise KeyError(f"{prefix!r} not in table {self.table_id}; known: {known}")
        return hits[0]

    def series(self, prefix: str) -> pd.DataFrame:
        """Rows of one measure, matched on its prefix."""
        return self.data[self.data["series"] == measure_prefix(prefix)].reset_index(drop=True)


class StatLineClient:
    """Downloads CBS tables through a cache in ``paths.home()/cbs``.

    ``transport`` is any ``httpx.BaseTransport`` (``httpx.MockTransport`` in tests).
    ``progress`` is called with (endpoint, page number) after each page, for the CLI.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        cache_dir: Path | None = None,
        v3_base: str = V3_FEED,
        v4_base: str = V4_BASE,
        timeout: float = 60.0,
        progress: Callable[[str, int], None] | None = None,
    ) -> None:
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": "jeugdstelsel"},
        )
        self.cache_dir = cache_dir if cache_dir is not None else paths.home() / "cbs"
        self.v3_base = v3_base.rstrip("/")
        self.v4_base = v4_base.rstrip("/")
        self.progress = progress

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> StatLineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ---------------------------------------------------------------------------------
    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = self._client.get(url)
        except httpx.TransportError as exc:
            raise CbsConnectionError(NO_CONNECTION) from exc
        if response.status_code == 404:
            raise CbsResponseError(f"CBS StatLine kent deze tabel of dit onderdeel niet: {url}")
        if response.status_code >= 400:
            raise CbsResponseError(
                f"CBS StatLine gaf foutcode {response.status_code} voor {url}. Probeer het later "
                "opnieuw of gebruik `jeugdstelsel cbs import <bestand>`."
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise CbsResponseError(f"CBS StatLine gaf geen geldige JSON voor {url}.") from exc
        if not isinstance(payload, dict):
            raise CbsResponseError(f"Onverwacht antwoord van CBS StatLine voor {url}.")
        return payload

    # -- cache --------------------------------------------------------------------------------
    def _dir(self, table_id: str, api: str) -> Path:
        path = self.cache_dir / table_id / api
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def _write(path: Path, payload: dict[str, Any]) -> None:
        """Write atomically, so an interrupted download never leaves half a page behind."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def _cached(self, folder: Path, name: str, url: str) -> dict[str, Any]:
        path = folder / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        payload = self._get(url)
        self._write(path, payload)
        return payload

    def _pages(self, folder: Path, name: str, url: str, next_key: str) -> Iterator[dict[str, Any]]:
        """All pages of a paged endpoint; pages already on disk are reused, the rest fetched.

        Page ``n`` is stored as ``{name}-{n:05d}.json`` with its own next link, so a download
        that stopped (network gone, Ctrl-C) resumes at the first page it does not have.
        """
        pages = folder / "pages"
        pages.mkdir(exist_ok=True)
        number = 0
        while url:
            path = pages / f"{name}-{number:05d}.json"
            if path.exists():
                payload = json.loads(path.read_text(encoding="utf-8"))
            else:
                payload = self._get(url)
                self._write(path, payload)
                if self.progress:
                    self.progress(name, number + 1)
            yield payload
            url = payload.get(next_key) or ""
            number += 1

    def clear(self, table_id: str) -> None:
        """Forget everything cached for a table (a new version was published)."""
        shutil.rmtree(self.cache_dir / table_id, ignore_errors=True)

    # -- public -------------------------------------------------------------------------------
    def table(
        self,
        table_id: str,
        *,
        api: str = "v3",
        untyped: bool = False,
        refresh: bool = False,
    ) -> CbsTable:
        """Download (or read from the cache) a table's metadata and all its figures.

        ``refresh`` asks StatLine whether the table changed (its ``Modified`` stamp) and starts
        afresh when it did; otherwise the cache is trusted, which also resumes a broken download.
        """
        table_id = normalise_table_id(table_id)
        if api not in {"v3", "v4"}:
            raise ValueError(f"api must be 'v3' or 'v4', not {api!r}")
        if refresh:
            self._refresh(table_id, api)
        if api == "v3":
            return self._table_v3(table_id, untyped=untyped)
        return self._table_v4(table_id)

    def _refresh(self, table_id: str, api: str) -> None:
        folder = self.cache_dir / table_id / api
        name = "TableInfos" if api == "v3" else "Properties"
        cached = folder / f"{name}.json"
        if not cached.exists():
            return
        base = f"{self.v3_base}/{table_id}" if api == "v3" else f"{self.v4_base}/{table_id}"
        fresh = self._get(f"{base}/{name}?$format=json" if api == "v3" else f"{base}/{name}")
        old = json.loads(cached.read_text(encoding="utf-8"))
        if _modified(fresh) != _modified(old):
            self.clear(table_id)

    # -- v3 -----------------------------------------------------------------------------------
    def _table_v3(self, table_id: str, *, untyped: bool) -> CbsTable:
        folder = self._dir(table_id, "v3")
        base = f"{self.v3_base}/{table_id}"
        infos = _values(self._cached(folder, "TableInfos", f"{base}/TableInfos?$format=json"))
        info = infos[0] if infos else {}
        props_url = f"{base}/DataProperties?$format=json"
        props = _values(self._cached(folder, "DataProperties", props_url))
        measures, dims = _v3_structure(props)
        dimensions = {}
        for key, (title, kind) in dims.items():
            codes = _values(self._cached(folder, f"dim_{key}", f"{base}/{key}?$format=json"))
            dimensions[key] = _dimension(key, title, kind, codes, "Key")
        name = "UntypedDataSet" if untyped else "TypedDataSet"
        rows: list[dict[str, Any]] = []
        for page in self._pages(folder, name, f"{base}/{name}?$format=json", "odata.nextLink"):
            rows.extend(_values(page))
        data = wide_to_long(rows, measures, dimensions)
        return CbsTable(
            table_id=table_id,
            title=str(info.get("Title", table_id)),
            api="v3",
            modified=str(info.get("Modified", "")),
            version=str(info.get("Modified", "")),
            info=info,
            measures=measures,
            dimensions=dimensions,
            data=data,
        )

    # -- v4 -----------------------------------------------------------------------------------
    def _table_v4(self, table_id: str) -> CbsTable:
        folder = self._dir(table_id, "v4")
        base = f"{self.v4_base}/{table_id}"
        info = self._cached(folder, "Properties", f"{base}/Properties")
        info = {k: v for k, v in info.items() if not k.startswith("@")}
        measures = {}
        for row in _values(self._cached(folder, "MeasureCodes", f"{base}/MeasureCodes")):
            key = str(row["Identifier"])
            measures[key] = Measure(
                key=key,
                title=str(row.get("Title", key)),
                unit=str(row.get("Unit") or ""),
                decimals=row.get("Decimals"),
                datatype=str(row.get("DataType") or ""),
            )
        dimensions = {}
        for row in _values(self._cached(folder, "Dimensions", f"{base}/Dimensions")):
            key = str(row["Identifier"])
            codes = _values(self._cached(folder, f"dim_{key}", f"{base}/{key}Codes"))
            kind = _kind(str(row.get("Kind", "")), key)
            dimensions[key] = _dimension(key, str(row.get("Title", key)), kind, codes, "Identifier")
        rows: list[dict[str, Any]] = []
        for page in self._pages(folder, "Observations", f"{base}/Observations", "@odata.nextLink"):
            rows.extend(_values(page))
        data = observations_to_long(rows, measures, dimensions)
        return CbsTable(
            table_id=table_id,
            title=str(info.get("Title", table_id)),
            api="v4",
            modified=str(info.get("Modified", "")),
            version=str(info.get("Version", "")),
            info=info,
            measures=measures,
            dimensions=dimensions,
            data=data,
        )


def _modified(payload: dict[str, Any]) -> str:
    values = payload.get("value")
    if isinstance(values, list) and values:
        return str(values[0].get("Modified", ""))
    return str(payload.get("Modified", ""))


def _values(payload: dict[str, Any]) -> list[dict[str, Any]]:
    values = payload.get("value")
    if not isinstance(values, list):
        raise CbsResponseError("Onverwacht antwoord van CBS StatLine: het veld 'value' ontbreekt.")
    return values


def _kind(cbs_type: str, key: str) -> str:
    if cbs_type in {"GeoDimension", "GeoDetail"}:
        return "region"
    if cbs_type == "TimeDimension" or key == "Perioden":
        return "time"
    return "category"


def _v3_structure(props: list[dict[str, Any]]):
    """Split DataProperties into numeric topics and dimensions ({key: (title, kind)})."""
    measures: dict[str, Measure] = {}
    dims: dict[str, tuple[str, str]] = {}
    for row in props:
        cbs_type = str(row.get("Type", ""))
        key = str(row.get("Key") or "")
        if not key:
            continue
        if cbs_type == "Topic":
            measure = Measure(
                key=key,
                title=str(row.get("Title", key)),
                unit=str(row.get("Unit") or ""),
                decimals=row.get("Decimals"),
                datatype=str(row.get("Datatype") or ""),
            )
            if measure.numeric:
                measures[key] = measure
        elif cbs_type in {"Dimension", "TimeDimension", "GeoDimension", "GeoDetail"}:
            dims[key] = (str(row.get("Title", key)), _kind(cbs_type, key))
    return measures, dims


def _dimension(key: str, title: str, kind: str, codes: list[dict], id_field: str) -> Dimension:
    labels = {str(c[id_field]).strip(): str(c.get("Title", "")).strip() for c in codes}
    status = {
        str(c[id_field]).strip(): period_status(c.get("Status"))
        for c in codes
        if kind == "time" and "Status" in c
    }
    return Dimension(key=key, title=title, kind=kind, labels=labels, status=status)


def _category(row: dict[str, Any], dims: list[Dimension]) -> tuple[str, str]:
    codes = [(d, str(row.get(d.key, "")).strip()) for d in dims]
    key = ";".join(f"{d.key}={c}" for d, c in codes)
    label = " / ".join(d.labels.get(c, c) for d, c in codes)
    return key, label


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=LONG_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def wide_to_long(
    rows: list[dict[str, Any]], measures: dict[str, Measure], dimensions: dict[str, Dimension]
) -> pd.DataFrame:
    """v3 (Un)TypedDataSet rows (one column per topic) -> the long frame of ``CbsTable``."""
    region = next((d for d in dimensions.values() if d.kind == "region"), None)
    time = next((d for d in dimensions.values() if d.kind == "time"), None)
    others = [d for d in dimensions.values() if d.kind == "category"]
    records = []
    for row in rows:
        region_code = str(row.get(region.key, "")).strip() if region else ""
        period = str(row.get(time.key, "")).strip() if time else ""
        status = time.status.get(period, "onbekend") if time else "onbekend"
        category, category_label = _category(row, others)
        for key, measure in measures.items():
            if key not in row:
                continue
            records.append(
                {
                    "series": measure.series,
                    "measure": key,
                    "region": region_code,
                    "period": period,
                    "category": category,
                    "category_label": category_label,
                    "value": parse_cell(row[key]),
                    "unit": measure.unit,
                    "status": status,
                }
            )
    return _frame(records)


def observations_to_long(
    rows: list[dict[str, Any]], measures: dict[str, Measure], dimensions: dict[str, Dimension]
) -> pd.DataFrame:
    """v4 Observations (one row per cell) -> the long frame of ``CbsTable``.

    A cell whose ``ValueAttribute`` is not ``None`` (e.g. ``Impossible``, ``Confidential``) or
    whose ``Value`` is null is missing.
    """
    region = next((d for d in dimensions.values() if d.kind == "region"), None)
    time = next((d for d in dimensions.values() if d.kind == "time"), None)
    others = [d for d in dimensions.values() if d.kind == "category"]
    records = []
    for row in rows:
        key = str(row.get("Measure", "")).strip()
        measure = measures.get(key) or Measure(key=key, title=key, unit="")
        period = str(row.get(time.key, "")).strip() if time else ""
        attribute = str(row.get("ValueAttribute") or "None")
        value = parse_cell(row.get("Value")) if attribute == "None" else math.nan
        category, category_label = _category(row, others)
        records.append(
            {
                "series": measure.series,
                "measure": key,
                "region": str(row.get(region.key, "")).strip() if region else "",
                "period": period,
                "category": category,
                "category_label": category_label,
                "value": value,
                "unit": measure.unit,
                "status": time.status.get(period, "onbekend") if time else "onbekend",
            }
        )
    return _frame(records)
