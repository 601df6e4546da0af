"""Plain functions over the store that the CLI, the web and the model code share.

Why a service module: the CLI runs without a server and must configure Django itself, migrate on
first use and seed the municipalities; the web already runs inside Django. Both call the same
functions here, so the rules (merger mapping, status, idempotent imports) live in one place.

Entry points for model/calibration code:

* ``observations(gemeente, series=None)`` - a municipality's CBS figures as a long DataFrame,
  older municipal codes folded into the current one (counts added, shares recomputed or missing).
* ``annual(series, geo)`` - ``{year: (value, status)}`` like ``refdata.annual``.
* ``risk_indicators(gemeente)`` - the embedded 2024 table's figures (population, one-parent
  households, bijstand ...) with their CBS table and period; missing stays missing.
* ``local_figures(gemeente)`` - the municipality's own imported counts.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from jeugdstelsel.data import municipalities as muni
from jeugdstelsel.data.errors import UnknownMunicipalityError
from jeugdstelsel.data.statline import CbsTable, Measure

# The youth-care statistics have a trend break in 2021 (many providers reported for the first
# time; DESIGN section 5): figures from these tables are comparable only within 2015-2020 or from
# 2021 on.
YOUTH_CARE_TABLES = {"85097NED", "85098NED", "84134NED", "85099NED", "85100NED", "85096NED"}
TREND_BREAK = 2021
FIRST_YEAR = 2015
EMBEDDED_SAMPLE = "85098NED_2022_gemeente_sample10.csv"
EMBEDDED_SAMPLE_MEASURES = {
    "JongerenMetJeugdhulpInNatura_1": "Jongeren met jeugdhulp in natura",
    "JongerenMetJeugdbescherming_3": "Jongeren met jeugdbescherming",
    "JongerenMetJeugdreclassering_5": "Jongeren met jeugdreclassering",
}

# What each embedded indicator is, where it comes from (docs/data.md has the same list).
INDICATORS: dict[str, tuple[str, str, str, str]] = {
    # column: (label, unit, CBS table, period)
    "inhabitants_2024": ("Inwoners", "aantal", "85984NED", "1 januari 2024"),
    "share_0_14_2020": ("Aandeel 0-14 jaar", "%", "84799NED", "1 januari 2020"),
    "share_15_24_2020": ("Aandeel 15-24 jaar", "%", "84799NED", "1 januari 2020"),
    "pop_0_14_2020": ("Inwoners 0-14 jaar", "aantal", "84799NED", "1 januari 2020"),
    "pop_15_24_2020": ("Inwoners 15-24 jaar", "aantal", "84799NED", "1 januari 2020"),
    "bijstand_per_1000_2020": (
        "Personen met bijstand per 1000 inwoners", "per 1000", "84799NED", "2020 (KWB 2020)"
    ),
    "one_parent_share_2022": (
        "Eenoudergezinnen (% van huishoudens met kinderen)", "%", "71487ned", "1 januari 2022"
    ),
    "households_with_children_2022": (
        "Huishoudens met kinderen", "aantal", "71487ned", "1 januari 2022"
    ),
}


def setup_django() -> None:
    """Configure Django for use outside a server (CLI, scripts, notebooks)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdstelsel.web.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def _alias() -> str:
    from django.db import router

    from jeugdstelsel.store.models import Observation

    return router.db_for_write(Observation) or "default"


_migrated: set[tuple[str, str]] = set()


def ensure_db() -> None:
    """Migrate the database when needed and seed the municipalities (first use of the CLI)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    alias = _alias()
    key = (alias, str(connections[alias].settings_dict.get("NAME")))
    if key not in _migrated:
        executor = MigrationExecutor(connections[alias])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", database=alias, verbosity=0, interactive=False)
        _migrated.add(key)
    seed()


def ensure_store() -> None:
    """Set up the store for use outside a server: Django, migrations, seed (idempotent).

    Every data command calls this before it touches a model; the CLI, scripts and the importers
    need nothing else. The location follows ``JEUGDSTELSEL_HOME`` (SQLite) or ``DATABASE_URL``.
    """
    ensure_db()


def seed() -> None:
    """Put the municipalities and the embedded CBS sample in an empty store (idempotent)."""
    from jeugdstelsel.store.models import Gemeente, ImportBatch

    if not Gemeente.objects.exists():
        _seed_gemeenten()
    if not ImportBatch.objects.filter(kind=ImportBatch.Kind.INGEBOUWD).exists():
        _seed_sample()


def _seed_gemeenten() -> None:
    from django.db import transaction

    from jeugdstelsel.store.models import Gemeente

    table = muni.municipality_table()
    current = [
        Gemeente(code=code, name=name, inhabitants=int(inh) if not pd.isna(inh) else None)
        for code, name, inh in zip(
            table["gm_code"], table["name"], table["inhabitants_2024"], strict=True
        )
    ]
    known = {g.code for g in current}
    former: dict[str, Gemeente] = {}
    for merger in muni.mergers():
        if merger.old_code in known or merger.old_code in former:
            continue
        successor = muni.current_code(merger.old_code)
        former[merger.old_code] = Gemeente(
            code=merger.old_code,
            name=merger.old_name,
            valid_to=date.fromisoformat(merger.date),
            merged_into_id=successor if successor in known else None,
        )
    with transaction.atomic(using=_alias()):
        Gemeente.objects.bulk_create(current, ignore_conflicts=True)
        Gemeente.objects.bulk_create(former.values(), ignore_conflicts=True)


def _seed_sample() -> None:
    """The 85098NED 2022 figures of ten municipalities shipped in the package."""
    from importlib import resources

    path = resources.files("jeugdstelsel.data") / "refdata" / EMBEDDED_SAMPLE
    with path.open("rb") as fh:
        raw = fh.read()
    frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    records = []
    for _, row in frame.iterrows():
        for key in EMBEDDED_SAMPLE_MEASURES:
            cell = row[key].strip()
            records.append(
                {
                    "series": re.sub(r"_\d+$", "", key),
                    "measure": key,
                    "region": muni.normalise_code(row["RegioS"]),
                    "period": row["Perioden"].strip(),
                    "category": "",
                    "category_label": "",
                    "value": float(cell) if cell else np.nan,
                    "unit": "%",
                    "status": "onbekend",
                }
            )
    table = CbsTable(
        table_id="85098NED",
        title="Jongeren met jeugdzorg; indicatoren per gemeente (ingebouwde steekproef, 2022)",
        api="ingebouwd",
        info={"bron": "cbsodataR vignette maps.md; zie docs/data.md"},
        measures={
            key: Measure(key=key, title=title, unit="%")
            for key, title in EMBEDDED_SAMPLE_MEASURES.items()
        },
        data=pd.DataFrame.from_records(records),
    )
    save_table(table, file_name=EMBEDDED_SAMPLE, sha256=hashlib.sha256(raw).hexdigest(),
               kind="ingebouwd")


# -- municipalities ---------------------------------------------------------------------------
def municipalities() -> list[tuple[str, str]]:
    """(code, name) of the current municipalities, by name (the web's municipality list)."""
    from jeugdstelsel.store.models import Gemeente

    rows = Gemeente.objects.filter(valid_to__isnull=True).order_by("name")
    return [(g.code, g.name) for g in rows]


def gemeente_lookup(query: str):
    """A municipality by GM code or name, as people write it (``municipalities.lookup``).

    A former municipality is returned as itself; its ``merged_into`` names the successor. An
    unknown or ambiguous name ('Bergen', 'Amstel') raises ``UnknownMunicipalityError`` listing
    the candidates: never a silent pick.
    """
    from jeugdstelsel.store.models import Gemeente

    code, _name = muni.lookup(query, former=True)
    if code == muni.COUNTRY_CODE:
        raise UnknownMunicipalityError(
            query, [], message="Nederland is geen gemeente; geef een gemeentenaam of GM-code.")
    found = Gemeente.objects.filter(code=code).first()
    if found is None:
        raise UnknownMunicipalityError(query, [])
    return found


# -- CBS tables -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SaveResult:
    """What an import did; ``unchanged`` when the very same content was imported before."""

    batch_id: int
    rows: int
    unchanged: bool
    #: outliers accepted with ``accept_outliers`` (Dutch lines), shown to the user
    warnings: tuple[str, ...] = ()


def _comparable_since(table_id: str, period: str) -> int | None:
    if table_id.upper() not in YOUTH_CARE_TABLES:
        return None
    match = re.match(r"(\d{4})", period)
    if not match:
        return None
    return TREND_BREAK if int(match.group(1)) >= TREND_BREAK else FIRST_YEAR


def content_hash(table: CbsTable) -> str:
    """A stable hash of a table's figures, so downloading an unchanged table is a no-op."""
    digest = hashlib.sha256(table.table_id.encode())
    if not table.data.empty:
        hashed = pd.util.hash_pandas_object(table.data.fillna({"value": -1.5e300}), index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


def save_table(
    table: CbsTable,
    *,
    file_name: str = "",
    sha256: str | None = None,
    by: str = "",
    kind: str = "cbs",
    accept_outliers: bool = False,
) -> SaveResult:
    """Store a CBS table and its figures in one transaction; re-saving the same content is a no-op.

    Figures are upserted on their natural key (table, measure, region, period, category), so a
    newer version of the table replaces provisional figures by final ones. Impossible figures
    are refused and outliers flagged first (``check_table``).
    """
    from django.db import transaction

    from jeugdstelsel.store.models import CbsTable as TableRow
    from jeugdstelsel.store.models import ImportBatch, Observation

    digest = sha256 or content_hash(table)
    existing = ImportBatch.objects.filter(kind=kind, sha256=digest).first()
    if existing:
        return SaveResult(existing.pk, existing.rows, unchanged=True)
    warnings = () if kind == "ingebouwd" else tuple(
        check_table(table, accept_outliers=accept_outliers))
    metadata = {
        "info": _jsonable(table.info),
        "measures": {k: vars(m) for k, m in table.measures.items()},
        "dimensions": {
            k: {"title": d.title, "kind": d.kind, "labels": d.labels, "status": d.status}
            for k, d in table.dimensions.items()
        },
    }
    with transaction.atomic(using=_alias()):
        data = _align_measures(table)
        row, _ = TableRow.objects.update_or_create(
            table_id=table.table_id,
            defaults={
                "title": table.title[:400],
                "api": table.api,
                "modified": table.modified,
                "version": table.version,
                "metadata": metadata,
            },
        )
        batch = ImportBatch.objects.create(
            kind=kind, file_name=file_name or table.table_id, sha256=digest, rows=len(data),
            imported_by=by, table=row,
        )
        objects = [
            Observation(
                dataset=table.table_id,
                series=r.series,
                measure=r.measure,
                region=str(r.region)[:16],
                period=r.period,
                category=str(r.category)[:255],
                category_label=str(r.category_label)[:400],
                value=None if pd.isna(r.value) else float(r.value),
                unit=str(r.unit or "")[:80],
                status=r.status if r.status in {"voorlopig", "definitief"} else "onbekend",
                comparable_since=_comparable_since(table.table_id, r.period),
                table=row,
                batch=batch,
            )
            for r in data.itertuples(index=False)
        ]
        Observation.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["dataset", "measure", "region", "period", "category"],
            update_fields=["series", "category_label", "value", "unit", "status",
                           "comparable_since", "table", "batch"],
        )
    return SaveResult(batch.pk, len(data), unchanged=False, warnings=warnings)


_CBS_KEY = re.compile(r"^\w+_\d+$")


def _measure_norm(text: str) -> str:
    """'JongerenMetJeugdhulpInNatura_1' and 'Jongeren met jeugdhulp in natura (%)' -> the same
    compact form, so one table imported as JSON (keys) and as CSV (labels) is stored once."""
    text = re.sub(r"_\d+$", "", str(text))
    text = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    return re.sub(r"[^a-z0-9]", "", muni.fold(text))


def _align_measures(table: CbsTable) -> pd.DataFrame:
    """The table's figures under the measure keys already in the store for the same table.

    A CSV export names a topic by its label, a JSON export by its CBS key: a label that matches
    a stored key is stored under that key; a key that matches stored label rows replaces them
    (same region, period and category) and takes over the rest. Nothing is stored twice.
    """
    from jeugdstelsel.store.models import Observation

    data = table.data
    if data.empty:
        return data
    stored = set(Observation.objects.filter(dataset=table.table_id)
                 .values_list("measure", flat=True).distinct())
    incoming = set(data["measure"])
    if not stored or incoming <= stored:
        return data
    by_norm: dict[str, str] = {}
    for key in stored:
        by_norm.setdefault(_measure_norm(key), key)
    rename: dict[str, str] = {}
    for measure in incoming - stored:
        old = by_norm.get(_measure_norm(measure))
        if old is None:
            continue
        if _CBS_KEY.match(old) and not _CBS_KEY.match(measure):
            rename[measure] = old  # a CSV label: store under the CBS key
        elif _CBS_KEY.match(measure) and not _CBS_KEY.match(old):
            rows = Observation.objects.filter(dataset=table.table_id, measure=old)
            keys = set(zip(data["region"], data["period"], data["category"], strict=True))
            replaced = [o.pk for o in rows if (o.region, o.period, o.category) in keys]
            Observation.objects.filter(pk__in=replaced).delete()
            rows.update(measure=measure, series=re.sub(r"_\d+$", "", measure))
    if rename:
        data = data.assign(measure=data["measure"].replace(rename))
        series = {k: re.sub(r"_\d+$", "", v) for k, v in rename.items()}
        data = data.assign(series=[series.get(m, s) for m, s in zip(
            table.data["measure"], data["series"], strict=True)])
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def measure_titles() -> dict[tuple[str, str], str]:
    """(table id, measure key) -> the measure's title from the stored table metadata."""
    from jeugdstelsel.store.models import CbsTable as TableRow

    result = {}
    for row in TableRow.objects.only("table_id", "metadata"):
        for key, measure in (row.metadata or {}).get("measures", {}).items():
            result[(row.table_id, key)] = str(measure.get("title") or key)
    return result


def tables() -> list[dict[str, Any]]:
    """What the store holds per CBS table (for ``jeugdstelsel cbs tabellen`` and the web)."""
    from django.db.models import Count, Max, Min

    from jeugdstelsel.store.models import CbsTable as TableRow

    result = []
    for row in TableRow.objects.annotate(
        n=Count("observation"), first=Min("observation__period"), last=Max("observation__period")
    ).order_by("table_id"):
        result.append(
            {
                "table_id": row.table_id,
                "title": row.title,
                "api": row.api,
                "modified": row.modified,
                "observations": row.n,
                "periods": f"{row.first or ''} - {row.last or ''}".strip(" -"),
                "loaded_at": row.loaded_at,
            }
        )
    return result


# -- reading figures ---------------------------------------------------------------------------
OBS_FIELDS = ["dataset", "series", "measure", "region", "period", "category", "category_label",
              "value", "unit", "status", "definition", "comparable_since"]


def observations(gemeente: str | None = None, series: str | None = None) -> pd.DataFrame:
    """A municipality's figures in the current division (or all figures when None).

    ``gemeente`` is a name or GM code; ``series`` a measure key or its prefix (the numeric suffix
    is ignored). Figures of former municipalities merged into this one are folded in (see
    ``municipalities.to_current_division``); the ``year`` column is parsed from the period.
    """
    from jeugdstelsel.store.models import Observation

    query = Observation.objects.all()
    code = None
    if gemeente is not None:
        code = gemeente_lookup(gemeente).code
        targets = muni.successors(code)
        if len(targets) == 1:
            code = targets[0]
        query = query.filter(region__in=[code, *muni.predecessors(code)])
    if series is not None:
        query = query.filter(series=re.sub(r"_\d+$", "", series))
    frame = pd.DataFrame.from_records(list(query.values(*OBS_FIELDS)), columns=OBS_FIELDS)
    frame["value"] = frame["value"].astype(float)
    if frame.empty:
        return frame.assign(year=pd.Series(dtype="Int64"), merged_from=pd.Series(dtype=str))
    frame = muni.to_current_division(frame, keys=("dataset", "measure", "series", "period",
                                                  "category"))
    if code is not None:
        frame = frame[frame["region"] == code]
    frame["year"] = frame["period"].str.extract(r"^(\d{4})", expand=False).astype("Int64")
    return frame.sort_values(["dataset", "series", "category", "period"]).reset_index(drop=True)


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without a breakdown: no category, or only the 'Totaal' codes of every dimension."""
    labels = frame["category_label"].fillna("")
    is_total = labels.str.fullmatch(r"\s*Totaal[^/]*(/\s*Totaal[^/]*)*", case=False)
    return frame[(frame["category"] == "") | is_total]


def annual(series: str, geo: str) -> dict[int, tuple[float, str]]:
    """``{year: (value, status)}`` of a series for a municipality (name/code) or the country.

    Only yearly figures without a breakdown (or its 'Totaal') count; where several tables hold
    the series the final (definitief) figure wins. The country falls back to the embedded
    reference figures.
    """
    from jeugdstelsel.data import refdata

    if geo in {"Nederland", "NL01", "NL00"}:
        frame = observations(None, series)
        frame = frame[frame["region"].isin(["NL01", "NL00"])]
    else:
        frame = observations(geo, series)
    frame = totals(frame)
    frame = frame[frame["period"].str.fullmatch(r"\d{4}(JJ00)?")]
    if frame.empty and geo in {"Nederland", "NL01", "NL00"}:
        return refdata.annual(series, "Nederland")
    rank = {"definitief": 0, "onbekend": 1, "voorlopig": 2}
    frame = frame.assign(_rank=frame["status"].map(rank)).sort_values(["year", "_rank"])
    result = {}
    for year, group in frame.groupby("year"):
        best = group.iloc[0]
        if not pd.isna(best["value"]):
            result[int(year)] = (float(best["value"]), str(best["status"]))
    return result


def risk_indicators(gemeente: str) -> dict[str, dict[str, Any]]:
    """The embedded indicators of a municipality: value (NaN when not published) and source."""
    code = gemeente_lookup(gemeente).code
    current = muni.current_code(code) or code
    return indicators_for(current)


@lru_cache(maxsize=512)
def indicators_for(code: str) -> dict[str, dict[str, Any]]:
    table = muni.municipality_table()
    rows = table[table["gm_code"] == code]
    result: dict[str, dict[str, Any]] = {}
    for column, (label, unit, source, period) in INDICATORS.items():
        value = float(rows.iloc[0][column]) if not rows.empty else float("nan")
        result[column] = {"label": label, "value": value, "unit": unit, "table": source,
                          "period": period,
                          "area_note": rows.iloc[0]["area_note"] if not rows.empty else ""}
    return result


def country_indicators() -> dict[str, float]:
    """The same indicators for the whole country, recomputed from the municipalities' counts."""
    table = muni.municipality_table()
    inh20 = table["inhabitants_2020"].sum()
    return {
        "inhabitants_2024": float(table["inhabitants_2024"].sum()),
        "pop_0_14_2020": float(table["pop_0_14_2020"].sum()),
        "pop_15_24_2020": float(table["pop_15_24_2020"].sum()),
        "share_0_14_2020": muni.ratio(table["pop_0_14_2020"].sum(), inh20),
        "share_15_24_2020": muni.ratio(table["pop_15_24_2020"].sum(), inh20),
        "bijstand_per_1000_2020": muni.ratio(
            table["bijstand_persons_2020"].sum(min_count=len(table)), inh20, 1000.0
        ),
        "one_parent_share_2022": muni.ratio(
            table["one_parent_households_2022"].sum(min_count=len(table)),
            table["households_with_children_2022"].sum(min_count=len(table)),
        ),
        "households_with_children_2022": float(table["households_with_children_2022"].sum()),
    }


def region_members(gemeente) -> list[str]:
    """Codes of the municipalities in the same jeugdregio (empty when none is known)."""
    from jeugdstelsel.store.models import Gemeente

    if not gemeente.jeugdregio_code:
        return []
    return list(
        Gemeente.objects.filter(jeugdregio_code=gemeente.jeugdregio_code, valid_to__isnull=True)
        .values_list("code", flat=True)
    )


def local_figures(gemeente: str) -> pd.DataFrame:
    """A municipality's own imported counts (all definitions), one row per natural key."""
    from jeugdstelsel.store.models import LocalFigure

    code = gemeente_lookup(gemeente).code
    fields = ["period", "vorm", "measure", "verwijzer", "wijk", "aanbieder", "value", "definition"]
    rows = LocalFigure.objects.filter(gemeente_id=code).values(*fields)
    frame = pd.DataFrame.from_records(list(rows), columns=fields)
    frame["value"] = frame["value"].astype(float)
    return frame.sort_values(["period", "vorm", "measure"]).reset_index(drop=True)


BREAKDOWNS = ("verwijzer", "wijk", "aanbieder")


def local_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """One total per (period, vorm, measure, definition) of a municipality's own counts.

    A total is never added to its own breakdown: where the file has a row without verwijzer,
    wijk and aanbieder, that row *is* the total; otherwise the rows broken down by exactly one
    of them (verwijzer first, then wijk, then aanbieder) are added up, never two breakdowns of
    the same figures. ``basis`` says which (``totaal`` or ``som over <kolom>``).
    """
    columns = ["period", "vorm", "measure", "definition", "value", "basis"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for key, group in frame.groupby(["period", "vorm", "measure", "definition"], sort=True):
        blank = {c: group[c].fillna("") == "" for c in BREAKDOWNS}
        total = group[blank["verwijzer"] & blank["wijk"] & blank["aanbieder"]]
        if not total.empty:
            rows.append((*key, total["value"].iloc[0], "totaal"))
            continue
        for column in BREAKDOWNS:
            others = [blank[c] for c in BREAKDOWNS if c != column]
            part = group[others[0] & others[1]]
            if not part.empty:
                rows.append((*key, part["value"].sum(min_count=len(part)), f"som over {column}"))
                break
    return pd.DataFrame(rows, columns=columns)


# -- import log ---------------------------------------------------------------------------------
def imports() -> list[dict[str, Any]]:
    """Every import in the store, newest first (``jeugdstelsel import --lijst``)."""
    from jeugdstelsel.store.models import ImportBatch

    rows = []
    for batch in ImportBatch.objects.select_related("table").order_by("-imported_at", "-pk"):
        rows.append({
            "id": batch.pk, "kind": batch.kind, "file_name": batch.file_name,
            "rows": batch.rows, "imported_at": batch.imported_at,
            "imported_by": batch.imported_by, "definition": batch.definition,
            "table": batch.table_id or "",
        })
    return rows


def undo_import(batch_id: int) -> dict[str, Any]:
    """Remove one import and every figure it stored (one transaction); Dutch error otherwise.

    Own figures of the batch go, and the own figures it had overwritten get their earlier value
    back (when that earlier import still exists). CBS figures whose latest import it was go as
    well (an earlier version of a CBS table is not restored: import that file again). The
    embedded default cannot be undone (it would return on the next start).
    """
    from django.db import transaction

    from jeugdstelsel.errors import DataError
    from jeugdstelsel.store.models import CbsTable as TableRow
    from jeugdstelsel.store.models import ImportBatch, LocalFigure, Observation

    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise DataError(f"Geen import met nummer {batch_id}; zie `jeugdstelsel import --lijst`.")
    if batch.kind == ImportBatch.Kind.INGEBOUWD:
        raise DataError(f"Import {batch_id} is de ingebouwde standaard; die kan niet ongedaan "
                        "worden gemaakt.")
    with transaction.atomic(using=_alias()):
        own = LocalFigure.objects.filter(batch=batch).count()
        cbs, _ = Observation.objects.filter(batch=batch).delete()
        table = batch.table_id
        summary = {"id": batch.pk, "file_name": batch.file_name, "own": own, "cbs": cbs,
                   "restored": 0}
        replaced = list(batch.replaced or [])
        batch.delete()  # own figures go with it (cascade)
        alive = set(ImportBatch.objects.filter(pk__in={r[9] for r in replaced})
                    .values_list("pk", flat=True))
        restore = [LocalFigure(gemeente_id=r[0], period=r[1], vorm=r[2], measure=r[3],
                               verwijzer=r[4], wijk=r[5], aanbieder=r[6], definition=r[7],
                               value=r[8], batch_id=r[9]) for r in replaced if r[9] in alive]
        LocalFigure.objects.bulk_create(restore)
        summary["restored"] = len(restore)
        if table and not Observation.objects.filter(table_id=table).exists():
            TableRow.objects.filter(pk=table).delete()
    return summary


# -- plausibility of CBS tables -----------------------------------------------------------------
PLAUSIBLE_FACTOR = 3.0


def check_table(table: CbsTable, *, accept_outliers: bool = False) -> list[str]:
    """Refuse a CBS table with impossible figures; flag outliers against the store.

    Refused: a percentage below 0 or above 100; a period in the future, or (youth-care tables)
    before 2015; a count of young people larger than the municipality's inhabitants of 0-24.
    Outliers (refused unless ``accept_outliers``; then returned as Dutch warnings): a figure
    more than a factor 3 from the stored one with the same key. Messages name region, period
    and column (the measure key as in the file).
    """
    from jeugdstelsel.data import municipal_figures
    from jeugdstelsel.data.errors import ImportValidationError, Problem
    from jeugdstelsel.store.models import Observation

    data = table.data
    if data.empty:
        return []
    this_year = date.today().year
    youth = table.table_id.upper() in YOUTH_CARE_TABLES | {"85075NED", "85335NED"}
    problems: list[Problem] = []
    outliers: list[Problem] = []
    stored = {
        (o["measure"], o["region"], o["period"], o["category"]): o["value"]
        for o in Observation.objects.filter(dataset=table.table_id).values(
            "measure", "region", "period", "category", "value")
    }
    for r in data.itertuples(index=False):
        where = f"regio {r.region}, periode {r.period}"
        year = re.match(r"\s*(\d{4})", str(r.period))
        if year and (int(year.group(1)) > this_year
                     or (youth and int(year.group(1)) < FIRST_YEAR)):
            problems.append(Problem(None, r.measure, f"{where}: de periode ligt buiten "
                                    f"{FIRST_YEAR if youth else ''}{'-' if youth else 't/m '}"
                                    f"{this_year}"))
            continue
        if pd.isna(r.value):
            continue
        unit = str(r.unit or "").strip().lower()
        is_share = unit in {"%", "procent"} or str(r.series).lower().startswith("percentage")
        if is_share and not 0 <= r.value <= 100:
            problems.append(Problem(None, r.measure,
                                    f"{where}: {r.value:g}% kan niet (een aandeel ligt tussen "
                                    "0 en 100%)"))
            continue
        if youth and not is_share and str(r.region).startswith("GM") and re.match(
                r"(?i)(totaal)?jongeren", str(r.series)):
            young, label = municipal_figures.young_population(str(r.region))
            if young and r.value > young:
                problems.append(Problem(None, r.measure, (
                    f"{where}: {r.value:,.0f} jongeren is meer dan alle {young:,.0f} inwoners "
                    f"van {label}").replace(",", ".")))
                continue
        old = stored.get((r.measure, r.region, r.period, r.category))
        if old is not None and max(old, r.value) >= 20 and (
                min(old, r.value) <= 0 or max(old, r.value) / min(old, r.value) > PLAUSIBLE_FACTOR):
            outliers.append(Problem(None, r.measure, (
                f"{where}: {r.value:g} wijkt meer dan een factor 3 af van het opgeslagen cijfer "
                f"{old:g}")))
    if problems or (outliers and not accept_outliers):
        if outliers and not accept_outliers:
            outliers.append(Problem(None, None, "klopt het toch, importeer dan opnieuw met "
                                    "--accepteer-uitschieters"))
        raise ImportValidationError(problems + outliers, file=table.info.get("bestand"))
    return [str(p) for p in outliers]
