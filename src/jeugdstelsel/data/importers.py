"""Import a municipality's own aggregate figures (CSV or Excel) into the store.

The file is parsed and validated completely before anything is written: every bad row and column
is reported at once (Dutch, with the allowed values), and the import runs in one transaction, so
a file is stored whole or not at all. The SHA-256 of the file makes a re-import of the same file a
no-op; figures are upserted on their natural key (municipality, period, form, measure, referrer,
neighbourhood, provider, definition), so a corrected file replaces the earlier figures.

Person-level data never enter: a column with a value that passes the 11-proef of a BSN (nine
digits) or with several distinct calendar dates (birth dates) is refused with an explanation.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from jeugdstelsel.data.errors import (
    DataError,
    ImportValidationError,
    PersonalDataError,
    Problem,
    UnknownMunicipalityError,
)

VORMEN = {
    "totaal": "alle jeugdhulp, jeugdbescherming en jeugdreclassering samen",
    "wijkteam": "jeugdhulp door het wijk- of buurtteam (lokaal team)",
    "zonder_verblijf": "jeugdhulp zonder verblijf (ambulant, bij de aanbieder, dagbehandeling)",
    "met_verblijf": "jeugdhulp met verblijf (pleegzorg, gezinshuis, residentieel, JeugdzorgPlus)",
    "jeugdbescherming": "jeugdbeschermingsmaatregelen (OTS, voogdij)",
    "jeugdreclassering": "jeugdreclassering",
}
MATEN = {
    "jongeren": "unieke jongeren in de periode",
    "trajecten_lopend": "lopende trajecten (in de periode)",
    "trajecten_gestart": "gestarte trajecten",
    "trajecten_beeindigd": "beëindigde trajecten",
    "trajecten_beeindigd_volgens_plan": "beëindigde trajecten, volgens plan afgesloten",
    "wachtenden": "jongeren op de wachtlijst (op het einde van de periode)",
}
VERWIJZERS = {
    "": "geen uitsplitsing",
    "gemeente": "gemeentelijke toegang / wijkteam",
    "huisarts": "huisarts (ook POH-jeugd)",
    "jeugdarts": "jeugdarts",
    "medisch_specialist": "medisch specialist",
    "gecertificeerde_instelling": "gecertificeerde instelling",
    "justitie": "rechter, officier van justitie, Raad voor de Kinderbescherming",
    "geen": "geen verwijzer (direct bij de aanbieder)",
    "onbekend": "verwijzer onbekend",
}
FIRST_YEAR = 2015
#: A new figure that differs from the stored (or CBS) figure by more than this factor is an
#: outlier: refused unless the user accepts it explicitly (``accept_outliers``).
PLAUSIBLE_FACTOR = 3.0
#: below this size a factor says little (rounding, small numbers)
FACTOR_FLOOR = 20.0
#: trajectories per young person (0-24) above which a count cannot be right
MAX_TRAJECTORIES_PER_YOUNG = 5.0
DEFINITIES = {"cbs": "volgens de CBS-definitie", "lokaal": "volgens de eigen (lokale) telling"}
REQUIRED = ["gemeente", "periode", "vorm", "maat", "aantal", "definitie"]
OPTIONAL = ["verwijzer", "wijk", "aanbieder", "toelichting"]
COLUMNS = {
    "gemeente": "GM-code (GM0363) of naam van de gemeente",
    "periode": "jaar (2023), halfjaar (2023-H1), kwartaal (2023-K1) of maand (2023-01)",
    "vorm": "een van: " + ", ".join(VORMEN),
    "maat": "een van: " + ", ".join(MATEN),
    "verwijzer": "leeg of een van: " + ", ".join(v for v in VERWIJZERS if v),
    "wijk": "leeg, wijknaam of wijkcode (WK036300)",
    "aanbieder": "leeg of naam van de aanbieder",
    "aantal": "aantal (geheel getal >= 0); leeg = onbekend (wordt nooit als 0 gelezen)",
    "definitie": "cbs of lokaal: welke telling de cijfers volgen",
    "toelichting": "vrije tekst, wordt niet opgeslagen",
}
PERSON_COLUMN_NAMES = re.compile(
    r"(?i)^(bsn|burgerservicenummer|sofi(nummer)?|geboortedatum|geb\.?_?datum|geboren|"
    r"naam_jeugdige|clientnummer|cliëntnummer|client_id)$"
)
_EIGHT_OR_NINE_DIGITS = re.compile(r"\d{8,9}")
DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$"), ("y", "m", "d")),
]


@dataclass(frozen=True)
class ParsedFigure:
    """One validated row, ready to store."""

    row: int
    gemeente: str
    period: str
    vorm: str
    measure: str
    verwijzer: str
    wijk: str
    aanbieder: str
    value: float | None
    definition: str


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``unchanged`` when this very file was imported before."""

    batch_id: int
    rows: int
    created: int
    updated: int
    unchanged: bool
    #: outliers accepted with ``accept_outliers`` (each a Problem), shown to the user
    warnings: tuple[Problem, ...] = ()


# -- privacy ------------------------------------------------------------------------------------
def is_bsn(text: str) -> bool:
    """True for a number that passes the 11-proef of a Dutch BSN (8 or 9 digits, 0-padded).

    The check: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11 (and not all zeros).
    """
    text = str(text)
    if len(text) < 8:
        return False
    digits = re.sub(r"[\s.\-]", "", text)
    if not _EIGHT_OR_NINE_DIGITS.fullmatch(digits):
        return False
    digits = digits.zfill(9)
    if int(digits) == 0:
        return False
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def as_date(text: str) -> date | None:
    """A full calendar date (day, month and year) written in a common way, else None."""
    value = str(text).strip()
    if len(value) < 8:
        return None
    for pattern, order in DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


FREE_TEXT = {"wijk", "aanbieder", "toelichting"}
#: nine digits, possibly grouped with single spaces, dashes or dots (123-456-782, 1234 56 782);
#: not part of a longer number or of a code such as BU03630000 / WK036300 / GM0363.
_BSN_IN_TEXT = re.compile(r"(?<![\w.\-])((?:\d[ .\-]?){8}\d)(?![\w]|[.\-]\d)")
_DATE_IN_TEXT = re.compile(
    r"(?<!\d)(\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)"
)
_BIRTH_WORDS = re.compile(
    r"(?i)\b(geb|geboren|geboortedatum|gebdatum|geb\.datum|dob|birth)\W*(?:(?:op|on)\W+)?$"
)


def bsn_in_text(text: str) -> str | None:
    """A BSN (nine digits passing the 11-proef, also written with spaces, dashes or dots)
    inside free text, or None. Eight-digit numbers (AGB provider codes, numeric CBS buurtcodes)
    and codes with a letter prefix (BU03630000) are not BSNs."""
    for match in _BSN_IN_TEXT.finditer(str(text)):
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) == 9 and is_bsn(digits):
            return match.group(1)
    return None


def birth_date_in_text(text: str) -> str | None:
    """A date in free text introduced as a date of birth ('geb. 03-05-2010'), or None."""
    value = str(text)
    for match in _DATE_IN_TEXT.finditer(value):
        if as_date(match.group(1)) and _BIRTH_WORDS.search(value[: match.start()]):
            return match.group(1)
    return None


def check_personal_data(columns: dict[str, list[str]], file: str | None = None) -> None:
    """Refuse person-level data: BSN-like numbers, birth dates, or columns named for them.

    Free-text columns (wijk, aanbieder, toelichting) are searched inside the text (a BSN with
    dashes or spaces, a date after 'geb.'); other cells are checked whole (8 or 9 digits).
    """
    for name, all_values in columns.items():
        if PERSON_COLUMN_NAMES.match(name.strip()):
            raise PersonalDataError(name, "de kolomnaam wijst op gegevens over personen", file=file)
        values = set(all_values)  # repeated codes and labels need checking once
        free = name.strip().lower() in FREE_TEXT
        for value in values:
            found = bsn_in_text(value) if free else (value if is_bsn(value) else None)
            if found:
                raise PersonalDataError(
                    name,
                    f"de waarde '{_mask(found)}' is een geldig burgerservicenummer (11-proef)",
                    file=file,
                )
            birth = birth_date_in_text(value) if free else None
            if birth:
                raise PersonalDataError(name, "een geboortedatum in de tekst", file=file)
        if free:
            found_dates = (as_date(m) for v in values for m in _DATE_IN_TEXT.findall(v))
        else:
            found_dates = (as_date(v) for v in values)
        dates = {d for d in found_dates if d is not None}
        spread = {d for d in dates if d.day not in (1, 28, 29, 30, 31)}
        if len(dates) >= 3 and spread:
            raise PersonalDataError(
                name, f"{len(dates)} verschillende datums, zoals geboortedatums", file=file
            )


def _mask(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[:2] + "*****" + digits[-2:]


# -- reading ------------------------------------------------------------------------------------
BINARY_SIGNATURES = {
    b"\x89PNG": "een PNG-afbeelding",
    b"\xff\xd8\xff": "een JPEG-afbeelding",
    b"GIF8": "een GIF-afbeelding",
    b"%PDF": "een PDF-document",
    b"PK\x03\x04": "een zip- of Office-bestand",
    b"\xd0\xcf\x11\xe0": "een oud Office-bestand (.xls/.doc)",
}


def _binary_kind(raw: bytes) -> str | None:
    for signature, kind in BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            return kind
    if b"\x00" in raw[:4096]:
        return "een binair bestand"
    return None


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of a CSV or Excel file; all cells as text."""
    suffix = path.suffix.lower()
    hint = "gebruik .csv of .xlsx (maak een voorbeeld met `jeugdstelsel template cijfers.xlsx`)"
    if suffix in {".xlsx", ".xlsm"}:
        return _read_excel(path)
    if suffix in {".csv", ".txt"}:
        raw = path.read_bytes()
        kind = _binary_kind(raw)
        if kind:
            raise DataError(
                f"'{path.name}' is {kind}, geen CSV-bestand met cijfers; {hint}.", file=str(path)
            )
        return _read_csv(raw)
    kind = _binary_kind(path.read_bytes()[:4096])
    what = f" ({kind})" if kind else ""
    raise DataError(
        f"Bestandstype '{suffix or '(geen)'}'{what} wordt niet ondersteund: {hint}.",
        file=str(path),
    )


def _read_csv(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Parse the whole text with the csv module, so a quoted cell may hold a line break.

    Comment lines (``#``) and empty lines are skipped; each row keeps the number of the line it
    starts on. An unclosed quote is a Dutch error naming that line.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    physical = text.splitlines(keepends=True)
    kept = [(i + 1, line) for i, line in enumerate(physical)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        return [], []
    first = kept[0][1]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    if "\t" in first and first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"
    body = "".join(line if line.endswith(("\n", "\r")) else line + "\n" for _, line in kept)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"',
                        strict=True)
    rows: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for cells in reader:
            start = kept[min(consumed, len(kept) - 1)][0]
            consumed = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            rows.append((start, [c.strip() for c in cells]))
    except csv.Error as exc:
        line = kept[min(consumed, len(kept) - 1)][0]
        raise ImportValidationError([Problem(
            line, None,
            f"de regel is geen geldige CSV ({exc}); controleer de aanhalingstekens: een cel die "
            "met \" begint moet ook met \" eindigen",
        )]) from exc
    if not rows:
        return [], []
    header = [h.strip().lower() for h in rows[0][1]]
    return header, rows[1:]


def _read_excel(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, header=None, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a broken file
        message = f"Kan Excel-bestand '{path.name}' niet lezen: {exc}"
        raise DataError(message, file=str(path)) from exc
    sheet = sheets.get("cijfers")
    if sheet is None:
        sheet = next(iter(sheets.values()))
    sheet = sheet.fillna("")
    records = [(i + 1, [str(c).strip() for c in row]) for i, row in enumerate(sheet.values)]
    records = [(n, r) for n, r in records if any(r) and not r[0].startswith("#")]
    if not records:
        return [], []
    header = [h.lower() for h in records[0][1]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    return header, [(n, r[:width]) for n, r in records[1:]]


# -- validation ---------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def parse_period(text: str) -> str | None:
    """'2023' -> '2023', '2023-H1' -> '2023H1', '2023-K2'/'2023-Q2' -> '2023Q2', '2023-01'."""
    value = text.strip().upper().replace(" ", "")
    if re.fullmatch(r"(19|20)\d{2}", value):
        return value
    match = re.fullmatch(r"((?:19|20)\d{2})-?H([12])", value)
    if match:
        return f"{match.group(1)}H{match.group(2)}"
    match = re.fullmatch(r"((?:19|20)\d{2})-?[KQ]([1-4])", value)
    if match:
        return f"{match.group(1)}Q{match.group(2)}"
    match = re.fullmatch(r"((?:19|20)\d{2})-(0[1-9]|1[0-2])", value)
    if match:
        return f"{match.group(1)}M{match.group(2)}"
    return None


@lru_cache(maxsize=65536)
def parse_count(text: str) -> tuple[float | None, str | None]:
    """A count cell -> (value, error); empty means unknown (None), never 0."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if value == "":
        return None, None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):  # Dutch thousands: 1.234
        value = value.replace(".", "")
    value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None, f"'{text}' is geen getal"
    if number < 0:
        return None, f"{text} is negatief; alleen aantallen >= 0"
    if not number.is_integer():
        return None, f"{text} is geen geheel getal; alleen aantallen (geen percentages)"
    return number, None


def validate(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    *,
    resolve_gemeente,
    default_definition: str | None = None,
    file: str | None = None,
) -> list[ParsedFigure]:
    """Check every row and column; raise one ``ImportValidationError`` listing all problems."""
    columns = {h: [r[i] if i < len(r) else "" for _, r in rows] for i, h in enumerate(header) if h}
    check_personal_data(columns, file=file)
    problems: list[Problem] = []
    allowed = REQUIRED + OPTIONAL
    for name in header:
        if name and name not in allowed:
            message = f"onbekende kolom; toegestaan: {', '.join(allowed)}"
            problems.append(Problem(None, name, message))
    required = [c for c in REQUIRED if not (c == "definitie" and default_definition)]
    for name in required:
        if name not in header:
            problems.append(Problem(None, name, f"kolom ontbreekt ({COLUMNS[name]})"))
    if not rows:
        problems.append(Problem(None, None, "het bestand bevat geen rijen met cijfers"))
    if problems:
        raise ImportValidationError(problems, file=file)

    index = {h: i for i, h in enumerate(header)}
    parsed: list[ParsedFigure] = []
    seen: dict[tuple, int] = {}
    gemeenten: dict[str, tuple[str | None, str | None]] = {}
    for number, cells in rows:
        def cell(name: str, cells=cells) -> str:
            i = index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        row_problems = []
        raw_gemeente = cell("gemeente")
        if raw_gemeente not in gemeenten:
            gemeenten[raw_gemeente] = resolve_gemeente(raw_gemeente)
        code, error = gemeenten[raw_gemeente]
        if error:
            row_problems.append(Problem(number, "gemeente", error))
        period = parse_period(cell("periode"))
        if period is None:
            message = f"'{cell('periode')}' is geen periode; {COLUMNS['periode']}"
            row_problems.append(Problem(number, "periode", message))
        elif not FIRST_YEAR <= int(period[:4]) <= date.today().year:
            message = (f"periode {cell('periode')} ligt buiten {FIRST_YEAR} t/m "
                       f"{date.today().year} (de Jeugdwet geldt sinds 2015; geen toekomst)")
            row_problems.append(Problem(number, "periode", message))
        values = {}
        for name, options in (("vorm", VORMEN), ("maat", MATEN), ("verwijzer", VERWIJZERS)):
            value = cell(name).lower().replace(" ", "_").replace("-", "_")
            if value not in options:
                row_problems.append(
                    Problem(number, name, f"'{cell(name)}' is niet toegestaan; {COLUMNS[name]}")
                )
            values[name] = value
        definition = (cell("definitie") or default_definition or "").lower()
        if definition not in DEFINITIES:
            message = f"'{cell('definitie')}' is niet toegestaan; cbs of lokaal"
            row_problems.append(Problem(number, "definitie", message))
        count, error = parse_count(cell("aantal"))
        if error:
            row_problems.append(Problem(number, "aantal", error))
        if row_problems:
            problems.extend(row_problems)
            continue
        figure = ParsedFigure(
            row=number,
            gemeente=code or "",
            period=period or "",
            vorm=values["vorm"],
            measure=values["maat"],
            verwijzer=values["verwijzer"],
            wijk=cell("wijk")[:120],
            aanbieder=cell("aanbieder")[:200],
            value=count,
            definition=definition,
        )
        key = natural_key(figure)
        if key in seen:
            problems.append(
                Problem(number, None, f"dubbele regel: dezelfde sleutel als rij {seen[key]}")
            )
            continue
        seen[key] = number
        parsed.append(figure)
    if problems:
        raise ImportValidationError(problems, file=file)
    return parsed


def natural_key(f: ParsedFigure) -> tuple[str, ...]:
    return (f.gemeente, f.period, f.vorm, f.measure, f.verwijzer, f.wijk, f.aanbieder, f.definition)


# -- plausibility -------------------------------------------------------------------------------
def _nl(value: float) -> str:
    from jeugdstelsel.numbers import nl_number

    return nl_number(value, 0)


def check_plausibility(
    figures: list[ParsedFigure],
    *,
    stored: dict[tuple[str, ...], tuple] | None = None,
    accept_outliers: bool = False,
    file: str | None = None,
) -> list[Problem]:
    """Refuse impossible counts; flag outliers (refused unless ``accept_outliers``).

    Impossible (always refused): more young people (or waiting) than the municipality has
    inhabitants of 0-24 (CBS KWB), or more than five trajectories per young inhabitant.
    Outliers (refused unless accepted, then returned as warnings): a figure that differs by more
    than a factor 3 from the one stored under the same key (``stored``: key -> (value, where)),
    or a yearly total of young people (vorm totaal, CBS definition) that differs by more than a
    factor 3 from CBS's count of young people with jeugdzorg in natura of that year.
    """
    from jeugdstelsel.data import municipal_figures

    stored = stored or {}
    impossible: list[Problem] = []
    outliers: list[Problem] = []
    hint = " Klopt het toch, importeer dan opnieuw met --accepteer-uitschieters."
    for f in figures:
        if f.value is None:
            continue
        young, label = municipal_figures.young_population(f.gemeente)
        if young and f.measure in ("jongeren", "wachtenden") and f.value > young:
            impossible.append(Problem(f.row, "aantal", (
                f"{_nl(f.value)} jongeren is meer dan alle {_nl(young)} inwoners van {label}; "
                "controleer de kolom aantal (een totaal van meer gemeenten? een verkeerde "
                "gemeente?)")))
            continue
        if young and f.measure.startswith("trajecten") and \
                f.value > MAX_TRAJECTORIES_PER_YOUNG * young:
            impossible.append(Problem(f.row, "aantal", (
                f"{_nl(f.value)} trajecten is meer dan vijf per inwoner van {label} "
                f"({_nl(young)})")))
            continue
        old = stored.get(natural_key(f))
        if old is not None and old[0] is not None and _outlier(f.value, old[0]):
            outliers.append(Problem(f.row, "aantal", (
                f"{_nl(f.value)} wijkt meer dan een factor {PLAUSIBLE_FACTOR:g} af van het "
                f"opgeslagen cijfer {_nl(old[0])} ({old[1]})." + ("" if accept_outliers
                                                                 else hint))))
            continue
        if (f.vorm, f.measure, f.definition, f.verwijzer, f.wijk, f.aanbieder) == (
                "totaal", "jongeren", "cbs", "", "", "") and len(f.period) == 4:
            cbs = municipal_figures.cbs_young_in_care(f.gemeente, int(f.period))
            if cbs is not None and _outlier(f.value, cbs[0]):
                outliers.append(Problem(f.row, "aantal", (
                    f"{_nl(f.value)} wijkt meer dan een factor {PLAUSIBLE_FACTOR:g} af van "
                    f"CBS ({_nl(cbs[0])} jongeren met jeugdzorg in natura, {cbs[1]})."
                    + ("" if accept_outliers else hint))))
    if impossible or (outliers and not accept_outliers):
        raise ImportValidationError(impossible + outliers, file=file)
    return outliers


def _outlier(new: float, old: float) -> bool:
    if max(new, old) < FACTOR_FLOOR:
        return False
    if min(new, old) <= 0:
        return True
    return max(new, old) / min(new, old) > PLAUSIBLE_FACTOR


# -- storing ------------------------------------------------------------------------------------
def _resolver():
    from jeugdstelsel.data import store_service

    def resolve(text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, "gemeente ontbreekt (GM-code of naam)"
        try:
            found = store_service.gemeente_lookup(text)
        except UnknownMunicipalityError as exc:
            return None, str(exc)
        if found.valid_to is not None:
            successor = found.merged_into.name if found.merged_into else "andere gemeenten"
            return None, (
                f"{found.name} bestaat sinds {found.valid_to:%d-%m-%Y} niet meer "
                f"(opgegaan in {successor}); gebruik de huidige gemeente"
            )
        return found.code, None

    return resolve


def import_file(
    path: Path | str,
    *,
    by: str = "",
    default_definition: str | None = None,
    accept_outliers: bool = False,
) -> ImportResult:
    """Validate and store a municipality's file in one transaction (all or nothing).

    Impossible counts and periods are refused; an outlier (see ``check_plausibility``) only
    with ``accept_outliers``, and then it is listed in ``ImportResult.warnings``. The same file
    again is a no-op, unless another ``default_definition`` is asked: then a Dutch error says
    to undo the earlier import first (``store_service.undo_import``).
    """
    from jeugdstelsel.data import store_service

    path = Path(path)
    if not path.exists():
        raise DataError(f"Bestand '{path}' bestaat niet.", file=str(path))
    if path.is_dir():
        raise DataError(f"'{path}' is een map, geen bestand met cijfers.", file=str(path))
    store_service.ensure_store()  # before any model import: Django must be set up first
    from django.db import transaction

    from jeugdstelsel.store.models import ImportBatch, LocalFigure

    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    existing = ImportBatch.objects.filter(kind=ImportBatch.Kind.EIGEN, sha256=digest).first()
    if existing:
        if default_definition and default_definition.lower() != existing.definition:
            raise DataError(
                f"'{path.name}' is al geïmporteerd (import {existing.pk}, definitie "
                f"{existing.definition}). Om het met definitie {default_definition.lower()} op "
                f"te slaan: maak eerst de import ongedaan met `jeugdstelsel import --ongedaan "
                f"{existing.pk}`.",
                file=str(path),
            )
        return ImportResult(existing.pk, existing.rows, 0, 0, unchanged=True)
    header, rows = read_table(path)
    figures = validate(
        header, rows, resolve_gemeente=_resolver(), default_definition=default_definition,
        file=path.name,
    )
    stored = _stored(figures)
    warnings = check_plausibility(figures, stored=stored, accept_outliers=accept_outliers,
                                  file=path.name)
    replaced = [[*key, old[0], old[2]] for key in map(natural_key, figures)
                if (old := stored.get(key)) is not None]
    definitions = {f.definition for f in figures}
    with transaction.atomic(using=store_service._alias()):
        before = LocalFigure.objects.count()
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.EIGEN,
            file_name=path.name,
            sha256=digest,
            rows=len(figures),
            imported_by=by,
            definition="lokaal" if definitions == {"lokaal"} else "cbs",
            replaced=replaced,
        )
        _upsert(figures, batch.pk, store_service._alias())
        created = LocalFigure.objects.count() - before
    return ImportResult(batch.pk, len(figures), created, len(figures) - created, unchanged=False,
                        warnings=tuple(warnings))


def _stored(figures: list[ParsedFigure]) -> dict[tuple[str, ...], tuple[float | None, str, int]]:
    """The stored figures under the natural keys of ``figures``: (value, 'import N, file', N)."""
    from jeugdstelsel.store.models import LocalFigure

    codes = {f.gemeente for f in figures}
    rows = LocalFigure.objects.filter(gemeente_id__in=codes).select_related("batch")
    result = {}
    for r in rows:
        key = (r.gemeente_id, r.period, r.vorm, r.measure, r.verwijzer, r.wijk, r.aanbieder,
               r.definition)
        result[key] = (r.value, f"import {r.batch_id}, {r.batch.file_name}", r.batch_id)
    return result


KEY_FIELDS = ["gemeente_id", "period", "vorm", "measure", "verwijzer", "wijk", "aanbieder",
              "definition"]


def _upsert(figures: list[ParsedFigure], batch_id: int, alias: str) -> None:
    """Insert or update on the natural key with one prepared statement (SQLite and PostgreSQL).

    Why not ``bulk_create(update_conflicts=True)``: building a model instance per row made an
    import of all municipalities (150,000 rows) spend ~18 s in the ORM; ``executemany`` ~5 s.
    """
    from django.db import connections

    from jeugdstelsel.store.models import LocalFigure

    meta = LocalFigure._meta
    columns = [meta.get_field(f.removesuffix("_id")).column for f in KEY_FIELDS]
    columns += [meta.get_field("value").column, meta.get_field("batch").column]
    connection = connections[alias]
    quote = connection.ops.quote_name
    keys = ", ".join(quote(c) for c in columns[: len(KEY_FIELDS)])
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {quote('value')} = excluded.{quote('value')}, "
        f"{quote('batch_id')} = excluded.{quote('batch_id')}"
    )
    params = [
        (f.gemeente, f.period, f.vorm, f.measure, f.verwijzer, f.wijk, f.aanbieder, f.definition,
         f.value, batch_id)
        for f in figures
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


# -- template -----------------------------------------------------------------------------------
TEMPLATE_HEADER = ["gemeente", "periode", "vorm", "maat", "verwijzer", "wijk", "aanbieder",
                   "aantal", "definitie", "toelichting"]


def template_notes() -> list[str]:
    """The documentation lines of the template (also shown in the Excel sheet 'toelichting')."""
    lines = [
        "Sjabloon voor eigen cijfers jeugdzorg (jeugdstelsel import <bestand>).",
        "Alleen GEAGGREGEERDE aantallen: nooit BSN, namen of geboortedatums (AVG).",
        "Eén regel per gemeente x periode x vorm x maat (x verwijzer x wijk x aanbieder).",
        "Regels die met # beginnen worden overgeslagen. Scheidingsteken ; of , mag.",
        "",
        "Kolommen:",
    ]
    lines += [f"  {name}: {COLUMNS[name]}" for name in TEMPLATE_HEADER]
    lines += ["", "Vormen:"] + [f"  {k}: {v}" for k, v in VORMEN.items()]
    lines += ["", "Maten:"] + [f"  {k}: {v}" for k, v in MATEN.items()]
    lines += ["", "Verwijzers:"] + [f"  {k}: {v}" for k, v in VERWIJZERS.items() if k]
    lines += ["", "Voorbeeld (verwijder het # om te gebruiken):",
              "  GM0363;2023;zonder_verblijf;jongeren;huisarts;;;1234;lokaal;"]
    return lines


def write_template(path: Path | str) -> Path:
    """Write an empty, documented template as CSV (comment lines) or Excel (two sheets)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        for line in template_notes():
            buffer.write(f"# {line}\n" if line else "#\n")
        buffer.write(";".join(TEMPLATE_HEADER) + "\n")
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path
    if suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            empty = pd.DataFrame(columns=TEMPLATE_HEADER)
            empty.to_excel(writer, sheet_name="cijfers", index=False)
            pd.DataFrame({"toelichting": template_notes()}).to_excel(
                writer, sheet_name="toelichting", index=False
            )
        return path
    raise DataError(
        f"Kies een bestandsnaam die eindigt op .csv of .xlsx (niet '{suffix or path.name}').",
        file=str(path),
    )
