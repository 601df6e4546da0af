"""Read a StatLine table that a user downloaded by hand (CSV or JSON), for offline networks.

Many municipal networks block outside traffic, so a policy advisor downloads the table at home or
on another machine and brings the file. StatLine produces several shapes and we accept them all:

* CSV, semicolon separated, every field quoted, Dutch decimal comma (``"15,4"``), possibly with
  title lines above the header and a source line below. The header holds either CBS keys
  (``RegioS;Perioden;JongerenMetJeugdhulpInNatura_1``) or labels with the unit in brackets
  (``Regio's;Perioden;Jongeren met jeugdhulp in natura (%)``). Labelled periods mark provisional
  figures with ``*`` (``2022*``); labelled regions read ``Groningen (gemeente)``.
* JSON: an OData v3 response (``odata.metadata`` + ``value``), an OData v4 Observations response
  (``@odata.context``), or a bare list of records.

Suppressed cells (``.``, ``x``) become missing, never 0; region codes lose their space padding.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from jeugdstelsel.data.errors import ExportFormatError
from jeugdstelsel.data.municipalities import fold, names, normalise_code
from jeugdstelsel.data.statline import (
    LONG_COLUMNS,
    CbsTable,
    Dimension,
    Measure,
    measure_prefix,
    observations_to_long,
    parse_cell,
    wide_to_long,
)

TABLE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{5}[A-Za-z]{3})(?![A-Za-z])")
REGION_HEADERS = {"regios", "regio s", "regio", "gemeenten", "gemeente", "wijken en buurten",
                  "wijkenenbuurten", "regio indeling"}
PERIOD_HEADERS = {"perioden", "periode", "jaar"}
IGNORED_HEADERS = {"id"}
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]


def read_export(path: Path | str, table_id: str | None = None) -> CbsTable:
    """Parse a hand-downloaded StatLine export into a ``CbsTable`` (api ``csv`` or ``json``)."""
    path = Path(path)
    if not path.exists():
        raise ExportFormatError(f"Bestand '{path}' bestaat niet.", file=str(path))
    raw = path.read_bytes()
    text = _decode(raw)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _read_json(text, path, table_id)
    return _read_csv(text, path, table_id)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _table_id(path: Path, given: str | None, *texts: str) -> str:
    if given:
        return given.strip()
    for text in (*texts, path.name):
        match = TABLE_IN_TEXT.search(text or "")
        if match:
            return match.group(1)
    raise ExportFormatError(
        f"Kan de CBS-tabelcode van '{path.name}' niet bepalen. Geef die op met --tabel "
        "(bijvoorbeeld --tabel 85097NED).",
        file=str(path),
    )


# -- JSON ---------------------------------------------------------------------------------------
def _read_json(text: str, path: Path, table_id: str | None) -> CbsTable:
    try:
        payload = json.loads(text)
    except ValueError as exc:
        message = f"'{path.name}' is geen geldige JSON: {exc}"
        raise ExportFormatError(message, file=str(path)) from exc
    context = ""
    meta = _json_metadata(payload, path)
    if isinstance(payload, dict) and not isinstance(payload.get("value"), list):
        for name in ("TypedDataSet", "UntypedDataSet", "Observations", "data"):
            if name in payload:  # a bundle: {"TableInfos": .., "DataProperties": .., ...}
                payload = payload[name]
                break
    if isinstance(payload, dict):
        context = str(payload.get("odata.metadata") or payload.get("@odata.context") or "")
        rows = payload.get("value")
    else:
        rows = payload
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ExportFormatError(
            f"'{path.name}' bevat geen rijen met cijfers (verwacht: een OData-antwoord met "
            "'value' of een lijst van records).",
            file=str(path),
        )
    tid = _table_id(path, table_id, context, str(meta.get("table_id", "")))
    columns = list(dict.fromkeys(k for r in rows for k in r))
    if {"Measure", "Value"} <= set(columns):
        dims = _json_dimensions(rows, [c for c in columns if c not in
                                       {"Id", "ID", "Measure", "ValueAttribute", "Value",
                                        "StringValue"}])
        measures = {m: Measure(key=m, title=m, unit="") for m in {str(r["Measure"]) for r in rows}}
        data = observations_to_long(rows, measures, dims)
        api = "json"
    else:
        known = meta.get("measures", {})
        dim_keys = set(meta.get("dimensions", {}))
        numeric = [c for c in columns if c not in IGNORED_HEADERS and c != "ID"
                   and c not in dim_keys
                   and (c in known or _numeric_column([r.get(c) for r in rows])
                        or _untyped_measure(c, [r.get(c) for r in rows]))]
        dims = _json_dimensions(rows, [c for c in columns if c not in numeric and c != "ID"])
        for key, dim in meta.get("dimensions", {}).items():
            if key in dims:
                dims[key] = Dimension(key=key, title=dim.title, kind=dims[key].kind,
                                      labels=dim.labels, status=dim.status)
        measures = {c: known.get(c) or Measure(key=c, title=c, unit="") for c in numeric}
        data = wide_to_long(rows, measures, dims)
        api = "json"
    if data.empty or data["value"].notna().sum() == 0:
        raise ExportFormatError(
            f"In '{path.name}' staan geen cijfers die te lezen zijn (geen kolom met getallen). "
            "Download bij StatLine de TypedDataSet of UntypedDataSet, of een CSV.",
            file=str(path),
        )
    table = _finish(tid, api, path, measures, dims, data)
    if meta.get("title"):
        table.title = f"{meta['title']} (geïmporteerd uit {path.name})"
    return table


def _untyped_measure(key: str, values: list[Any]) -> bool:
    """An UntypedDataSet topic: a CBS key with a numeric suffix whose cells are numbers written
    as padded text ('    639210', '  68.1') or a CBS symbol ('.', 'x', '-')."""
    if not re.fullmatch(r"\w+_\d+", key):
        return False
    present = [str(v).strip() for v in values if v is not None]
    present = [v for v in present if v not in {"", ".", "x", "-", "?", ".."}]
    return all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in present)


def _json_metadata(payload: Any, path: Path) -> dict[str, Any]:
    """Units, titles and period status for a JSON export: from a bundle (``DataProperties``
    etc. in the same file) or from the OData files saved beside it (``DataProperties.json``,
    ``Perioden.json``, ``TableInfos.json``)."""
    from jeugdstelsel.data.statline import _dimension, _v3_structure

    parts: dict[str, Any] = {}
    if isinstance(payload, dict):
        parts.update({k: v for k, v in payload.items() if k in {"DataProperties", "TableInfos"}
                      or k in {"Perioden", "RegioS"}})
    for name in ("DataProperties", "TableInfos", "Perioden"):
        sibling = path.with_name(f"{name}.json")
        if name not in parts and sibling.exists() and sibling != path:
            try:
                parts[name] = json.loads(sibling.read_text(encoding="utf-8-sig"))
            except ValueError:
                continue

    def values(item: Any) -> list[dict[str, Any]]:
        if isinstance(item, dict):
            item = item.get("value", [])
        return [r for r in item if isinstance(r, dict)] if isinstance(item, list) else []

    meta: dict[str, Any] = {}
    props = values(parts.get("DataProperties"))
    if props:
        measures, dims = _v3_structure(props)
        meta["measures"] = measures
        meta["dimensions"] = {}
        for key, (title, kind) in dims.items():
            codes = values(parts.get(key)) if key in parts else []
            meta["dimensions"][key] = _dimension(key, title, kind, codes, "Key")
    infos = values(parts.get("TableInfos"))
    if infos:
        meta["title"] = str(infos[0].get("Title", ""))
        meta["table_id"] = str(infos[0].get("Identifier", ""))
    return meta


def _json_dimensions(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, Dimension]:
    dims = {}
    for key in keys:
        values = [str(r.get(key, "")).strip() for r in rows]
        dims[key] = Dimension(key=key, title=key, kind=_dimension_kind(key, values))
    return dims


def _dimension_kind(header: str, values: list[str]) -> str:
    name = fold(header)
    sample = [v for v in values if v][:50]
    if name in PERIOD_HEADERS or (sample and all(_period(v)[0] for v in sample)):
        return "time"
    if name in REGION_HEADERS or (sample and all(re.match(r"^(GM|NL|PV|WK|BU|JZ)\d", v)
                                                 for v in sample)):
        return "region"
    return "category"


def _numeric_column(values: list[Any]) -> bool:
    present = [v for v in values if v is not None and str(v).strip() not in {"", ".", "x", "-"}]
    if not present:
        return True
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)


# -- CSV ----------------------------------------------------------------------------------------
def _read_csv(text: str, path: Path, table_id: str | None) -> CbsTable:
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if text.count(";") >= text.count(",") or ";" in first else ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')]
    widths = Counter(len(r) for r in rows if len(r) >= 2)
    if not widths:
        raise ExportFormatError(
            f"'{path.name}' lijkt geen StatLine-CSV (geen kolommen gescheiden door ';' of ',').",
            file=str(path),
        )
    width = widths.most_common(1)[0][0]
    start = next(i for i, r in enumerate(rows) if len(r) == width)
    header = [h.strip() for h in rows[start]]
    body = [r for r in rows[start + 1:] if len(r) == width and any(c.strip() for c in r)
            and not _footer(r)]
    stacked = []
    while body and not _data_row(body[0]):  # classic StatLine CSV: topic and unit rows
        stacked.append(body.pop(0))
    if stacked:
        header_rows = [r for r in [header, *stacked]
                       if any(c.strip() for c in r[1:])]  # a title row fills only the first cell
        preamble_rows = rows[: start + 1 + len(stacked)]
        header = _stacked_header(header_rows)
    else:
        preamble_rows = rows[:start]
    if not body:
        raise ExportFormatError(f"'{path.name}' bevat geen rijen met cijfers.", file=str(path))
    preamble = " ".join(";".join(r) for r in preamble_rows)
    tid = _table_id(path, table_id, preamble)
    columns = {h: [r[i].strip() for r in body] for i, h in enumerate(header)}
    decimal_comma = any(re.fullmatch(r"-?[\d.]*,\d+", v) for vs in columns.values() for v in vs)

    kinds: dict[str, str] = {}
    for name, values in columns.items():
        if fold(name) in IGNORED_HEADERS:
            continue
        kind = _dimension_kind(name, values)
        if kind == "category" and _numeric_text(values, decimal_comma):
            kind = "measure"
        kinds[name] = kind
    if "measure" not in kinds.values():
        raise ExportFormatError(
            f"'{path.name}' heeft geen kolom met cijfers. Kies bij het downloaden in StatLine "
            "voor CSV met de onderwerpen als kolommen.",
            file=str(path),
        )
    return _csv_table(tid, path, columns, kinds, decimal_comma, len(body))


_UNIT_WORDS = re.compile(
    r"(?i)^(%|procent|aantal|aantallen|x\s?1\s?000|x\s?1000|euro|eur|mln euro|per 1\s?000.*|"
    r"per \d+.*|jaar|maanden|weken|dagen|km|ha|personen|trajecten)$"
)
_LABEL_WORDS = {"onderwerp", "onderwerpen", "eenheid", "eenheden", "onderwerp eenheid"}


def _footer(row: list[str]) -> bool:
    first = row[0].strip().lower()
    return first.startswith(("©", "(c)", "bron", "centraal bureau", "verklaring", "cbs,"))


def _data_row(row: list[str]) -> bool:
    """A row with figures: a label in front and at least one number or CBS symbol after it."""
    if not row[0].strip():
        return False
    cells = [c.strip() for c in row[1:]]
    figures = [c for c in cells if re.fullmatch(r"-?[\d.,]*\d|[.x-]", c)]
    return bool(figures) and not any(_UNIT_WORDS.match(c) for c in cells if c)


def _stacked_header(rows: list[list[str]]) -> list[str]:
    """Title per column from StatLine's stacked header rows: topic, then unit ('(%)')."""
    header = []
    for cells in zip(*rows, strict=True):
        texts = [c.strip() for c in cells if c.strip()]
        units = [t for t in texts if _UNIT_WORDS.match(t)]
        names = [t for t in texts if not _UNIT_WORDS.match(t) and fold(t) not in _LABEL_WORDS]
        name = " ".join(names) if names else (texts[-1] if texts else "")
        header.append(f"{name} ({units[-1]})" if units and names else name)
    return header


def _numeric_text(values: list[str], decimal_comma: bool) -> bool:
    present = [v for v in values if v not in {"", ".", "x", "-", "?"}]
    return all(_number(v, decimal_comma) is not None for v in present)


def _number(text: str, decimal_comma: bool) -> float | None:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        value = value.replace(".", "").replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None


def _period(text: str) -> tuple[str, str]:
    """A StatLine period code or label -> (code, status); ('', '') when it is no period."""
    value = text.strip()
    if re.fullmatch(r"\d{4}(JJ|HJ|KW|MM)\d{2}", value):
        return value, "onbekend"
    stars = len(value) - len(value.rstrip("*"))
    value = value.rstrip("*").strip().lower()
    status = "voorlopig" if stars else "definitief"
    if re.fullmatch(r"\d{4}", value):
        return f"{value}JJ00", status
    match = re.fullmatch(r"(\d{4}) (\d)e (halfjaar|kwartaal)", value)
    if match:
        part = "HJ" if match.group(3) == "halfjaar" else "KW"
        return f"{match.group(1)}{part}{int(match.group(2)):02d}", status
    match = re.fullmatch(r"(\d{4}) ([a-z]+)", value)
    if match and match.group(2) in MONTHS:
        return f"{match.group(1)}MM{MONTHS.index(match.group(2)) + 1:02d}", status
    return "", ""


def _region(text: str, lookup: dict[str, str]) -> str:
    value = text.strip()
    if re.match(r"^(GM|NL|PV|WK|BU|JZ|LD|CR)\d", value, flags=re.IGNORECASE):
        return normalise_code(value)
    if fold(value) == "nederland":
        return "NL01"
    return lookup.get(fold(value), value)


def _unit(header: str) -> tuple[str, str]:
    """'Jongeren met jeugdhulp (%)' -> ('Jongeren met jeugdhulp', '%')."""
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", header)
    if match and not re.fullmatch(r"\w+_\d+", header):
        return match.group(1).strip(), match.group(2).strip()
    return header, ""


def _csv_table(tid, path, columns, kinds, decimal_comma, nrows) -> CbsTable:
    lookup = {fold(name): code for code, name in names().items()}
    region_col = next((c for c, k in kinds.items() if k == "region"), None)
    time_col = next((c for c, k in kinds.items() if k == "time"), None)
    cat_cols = [c for c, k in kinds.items() if k == "category"]
    measure_cols = [c for c, k in kinds.items() if k == "measure"]
    measures = {}
    for col in measure_cols:
        title, unit = _unit(col)
        measures[col] = Measure(key=col, title=title, unit=unit)
    records = []
    for i in range(nrows):
        period, status = _period(columns[time_col][i]) if time_col else ("", "onbekend")
        if time_col and not period:
            period, status = columns[time_col][i], "onbekend"
        region = _region(columns[region_col][i], lookup) if region_col else ""
        category = ";".join(f"{c}={columns[c][i]}" for c in cat_cols)
        label = " / ".join(columns[c][i] for c in cat_cols)
        for col, measure in measures.items():
            cell = columns[col][i]
            number = _number(cell, decimal_comma)
            value = parse_cell(cell) if number is None else number
            records.append({
                "series": measure_prefix(measure.key) if "_" in measure.key else measure.title,
                "measure": measure.key,
                "region": region,
                "period": period,
                "category": category,
                "category_label": label,
                "value": value,
                "unit": measure.unit,
                "status": status,
            })
    data = pd.DataFrame.from_records(records, columns=LONG_COLUMNS)
    data["value"] = data["value"].astype(float)
    dims = {c: Dimension(key=c, title=c, kind=kinds[c]) for c in kinds if kinds[c] != "measure"}
    return _finish(tid, "csv", path, measures, dims, data)


def _finish(tid, api, path, measures, dims, data) -> CbsTable:
    return CbsTable(
        table_id=tid,
        title=f"{tid} (geïmporteerd uit {path.name})",
        api=api,
        info={"bestand": path.name},
        measures=measures,
        dimensions=dims,
        data=data,
    )
