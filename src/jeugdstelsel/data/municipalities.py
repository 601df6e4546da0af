"""Municipalities of the current (2024) division, their mergers since 2015, and the embedded table.

CBS computes every statistic for the division of its own year, so a municipality that merged
disappears from later figures and the new one starts without a past. To let a series run on we
map old GM codes to the current municipality (``herindelingen_2015_2024.csv``, CBS "Gemeentelijke
indelingen per jaar") and add up *counts*; a percentage cannot be added and is recomputed from
counts (``ratio``) or left missing. A municipality that was split over several others
(``opsplitsing``: Maasdonk 2015, Littenseradiel 2018, Winsum 2019, Haaren 2021) has no single
successor: its figures are not allocated, and the successors' own older figures cover only their
old area (``area_changed``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

MERGERS_FILE = "herindelingen_2015_2024.csv"
MUNICIPALITIES_FILE = "gemeenten_2024.csv"
COUNTRY_CODE = "NL01"
SPLIT = "opsplitsing"

_GM_CODE = re.compile(r"^\s*(?:GM)?\s*(\d{1,4})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Merger:
    """One row of the merger file: ``old_code`` went (wholly or partly) into ``new_code``."""

    date: str
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    kind: str  # samenvoeging | opsplitsing | naamswijziging


def _refdata_text(name: str) -> str:
    return (resources.files("jeugdstelsel.data") / "refdata" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def mergers() -> tuple[Merger, ...]:
    """All mergers, splits and renames 2015-2024 in date order."""
    rows = csv.DictReader(_refdata_text(MERGERS_FILE).splitlines())
    return tuple(sorted((Merger(**row) for row in rows), key=lambda m: m.date))


def normalise_code(code: str) -> str:
    """``'GM14 '``, ``'14'`` and ``'gm0014'`` -> ``'GM0014'``; other region codes are stripped.

    CBS pads region codes with spaces (``'GM0014    '``); a code typed by a user may lack the
    prefix or the leading zeros.
    """
    text = str(code).strip()
    match = _GM_CODE.match(text)
    if match:
        return f"GM{int(match.group(1)):04d}"
    return text.upper()


@lru_cache(maxsize=1)
def _successors() -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for merger in mergers():
        result.setdefault(merger.old_code, []).append(merger.new_code)
    return {code: tuple(dict.fromkeys(targets)) for code, targets in result.items()}


def successors(code: str) -> tuple[str, ...]:
    """The current municipalities an old code went into (itself when it still exists)."""
    code = normalise_code(code)
    seen: set[str] = set()
    frontier = [code]
    result: list[str] = []
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        targets = _successors().get(current)
        if targets:
            frontier.extend(targets)
        else:
            result.append(current)
    return tuple(dict.fromkeys(result))


def current_code(code: str) -> str | None:
    """The one current municipality that holds all of ``code``'s area, or None after a split."""
    targets = successors(code)
    return targets[0] if len(targets) == 1 else None


def predecessors(code: str) -> tuple[str, ...]:
    """Old codes that went wholly into ``code`` (not the split ones), any number of steps back."""
    code = normalise_code(code)
    result: list[str] = []
    for merger in mergers():
        if merger.kind != SPLIT and current_code(merger.old_code) == code:
            result.append(merger.old_code)
    return tuple(dict.fromkeys(result))


def area_changed(code: str) -> tuple[str, ...]:
    """Old municipalities split partly into ``code``: its older figures miss their part."""
    code = normalise_code(code)
    split = (m.old_name for m in mergers() if m.kind == SPLIT and code in successors(m.new_code))
    return tuple(dict.fromkeys(split))


def is_count_unit(unit: str | None) -> bool:
    """True for units that may be added up over merged municipalities (counts, money)."""
    text = (unit or "").strip().lower()
    if not text:
        return False
    not_additive = ("%", "procent", "per ", "gemiddeld", "ratio", "aandeel", "index", "km", "jaar")
    return not any(word in text for word in not_additive)


def _ended(code: str) -> str | None:
    dates = [m.date for m in mergers() if m.old_code == code]
    return min(dates) if dates else None


def existed_in(code: str, year: int) -> bool:
    """Whether an old code was still a municipality on 1 January of ``year``."""
    ended = _ended(normalise_code(code))
    return ended is None or ended > f"{year}-01-01"


def _year(period: str) -> int | None:
    match = re.match(r"\s*(\d{4})", str(period))
    return int(match.group(1)) if match else None


def to_current_division(
    frame: pd.DataFrame,
    *,
    region: str = "region",
    value: str = "value",
    unit: str = "unit",
    keys: Iterable[str] = ("series", "period", "category"),
) -> pd.DataFrame:
    """Re-express a long frame of figures in the current municipal division.

    Counts of old municipalities are added to their successor, but only when every predecessor
    that existed in that period is present and not suppressed: a partial sum would look like a
    real figure. A non-count (percentage, average) of a merged group is set missing, because it
    can only be recomputed from counts (``ratio``). Rows of split municipalities are dropped.
    ``merged_from`` lists the old codes added; ``area_note`` names split municipalities whose
    part the older figures miss. Rows that are not municipalities (NL01, PV.., JZ..) pass.
    """
    keys = list(keys)
    work = frame.copy()
    work[region] = work[region].map(normalise_code)
    work["_source"] = work[region]
    is_gm = work[region].str.startswith("GM")
    work.loc[is_gm, region] = work.loc[is_gm, region].map(lambda c: current_code(c) or "")
    work = work[work[region] != ""]
    work["merged_from"] = ""
    touched = work["_source"] != work[region]
    group_cols = [region, *keys]
    affected = work[touched][group_cols].drop_duplicates()
    in_group = work.merge(affected.assign(_hit=True), on=group_cols, how="left")["_hit"]
    in_group = in_group.fillna(False).astype(bool).to_numpy()
    plain = work[~in_group]
    combined = [
        _combine(group, region, value, unit)
        for _, group in work[in_group].groupby(group_cols, dropna=False, sort=False)
    ]
    result = pd.concat([plain, pd.DataFrame(combined)], ignore_index=True) if combined else plain
    result = result.drop(columns=["_source"])
    result["area_note"] = result[region].map(lambda c: ", ".join(area_changed(c)))
    return result.reset_index(drop=True)


def _combine(group: pd.DataFrame, region: str, value: str, unit: str) -> pd.Series:
    """One merged row from the rows of a group with old codes (see ``to_current_division``).

    A municipality that existed in the period is assumed present in the data when it has
    figures at all (CBS tables list every municipality of their division), so a group is complete
    when every predecessor that still existed that year has a row.
    """
    row = group.iloc[0].copy()
    target = row[region]
    present = set(group["_source"])
    year = _year(row["period"]) if "period" in group else None
    expected = {p for p in predecessors(target) if year is None or existed_in(p, year)}
    complete = expected <= present
    values = group[value].to_numpy(dtype=float)
    additive = bool(group[unit].map(is_count_unit).all()) if unit in group else False
    if len(group) == 1 and complete:
        row[value] = values[0]  # a rename, or the only municipality of the group that year
    elif additive and complete and not np.isnan(values).any():
        row[value] = float(values.sum())
    else:
        row[value] = np.nan
    if "status" in group and (group["status"] == "voorlopig").any():
        row["status"] = "voorlopig"
    row["merged_from"] = ",".join(sorted(s for s in present if s != target))
    return row


def ratio(numerator: float | None, denominator: float | None, scale: float = 100.0) -> float:
    """A share recomputed from counts (never summed); missing when either count is missing."""
    if numerator is None or denominator is None:
        return float("nan")
    if np.isnan(numerator) or np.isnan(denominator) or denominator == 0:
        return float("nan")
    return float(numerator) / float(denominator) * scale


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, for lookups ('Súdwest-Fryslân' ~ 'sudwest')."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"\((gemeente|gem\.)\)", "", plain, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


@lru_cache(maxsize=1)
def municipality_table() -> pd.DataFrame:
    """The embedded table of the 342 municipalities of 2024 (see ``docs/data.md``)."""
    path = resources.files("jeugdstelsel.data") / "refdata" / MUNICIPALITIES_FILE
    with path.open("rb") as fh:
        frame = pd.read_csv(fh, dtype={"gm_code": str, "name": str, "area_note": str})
    frame["area_note"] = frame["area_note"].fillna("")
    return frame


def names() -> dict[str, str]:
    """GM code -> name for current and former municipalities (current names win)."""
    result = {m.old_code: m.old_name for m in mergers()}
    result.update({m.new_code: m.new_name for m in mergers()})
    table = municipality_table()
    result.update(zip(table["gm_code"], table["name"], strict=True))
    return result


# -- name resolution ------------------------------------------------------------------------------
NATIONAL_NAMES = {"nederland", "nl", "nl01", "nl00", "land", "heel nederland"}
#: Names people use that are not CBS's (folded, compact) -> GM code of the 2024 division.
ALIASES = {
    "denhaag": "GM0518",
    "hague": "GM0518",
    "thehague": "GM0518",
    "denbosch": "GM0796",
    "nuenen": "GM0820",
    "nuenencanada": "GM0820",
}
_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")


def _compact(text: str) -> str:
    """Folded and without spaces or punctuation: "'s-Gravenhage" -> 'sgravenhage'."""
    folded = fold(text)
    folded = re.sub(r"^gemeente\s+", "", folded)
    return re.sub(r"[^a-z0-9]", "", folded)


def _base(text: str) -> str:
    """The name without a province suffix: 'Beek (L.)' -> 'beek', 'Bergen (NH.)' -> 'bergen'."""
    return _compact(_SUFFIX.sub("", text))


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    """(compact name -> code, base name -> codes, code -> name) of the current municipalities."""
    by_code = names_2024()
    exact: dict[str, str] = {}
    base: dict[str, list[str]] = {}
    for code, name in by_code.items():
        exact[_compact(name)] = code
        base.setdefault(_base(name), []).append(code)
    return exact, base, by_code


def names_2024() -> dict[str, str]:
    """GM code -> name of the 342 municipalities of the 2024 division."""
    table = municipality_table()
    return dict(zip(table["gm_code"], table["name"], strict=True))


def _former(query_key: str, code: str | None) -> Merger | None:
    for merger in reversed(mergers()):
        if (code and merger.old_code == code) or (
            not code and (_compact(merger.old_name) == query_key
                          or _base(merger.old_name) == query_key)
        ):
            return merger
    return None


def lookup(name: str, *, former: bool = False) -> tuple[str, str]:
    """(code, name) of a municipality as people write it; see :func:`resolve`.

    With ``former=True`` a municipality that no longer exists is returned as itself (its old
    code and name); otherwise it is an error naming its successor.
    """
    from jeugdstelsel.data.errors import UnknownMunicipalityError

    text = str(name or "").strip()
    if not text:
        raise UnknownMunicipalityError(
            text, [], message="Geen gemeente opgegeven: geef een naam of GM-code (of Nederland)."
        )
    exact, base, by_code = _name_index()
    key = _compact(text)
    if key in NATIONAL_NAMES:
        return COUNTRY_CODE, "Nederland"
    code = normalise_code(text) if _GM_CODE.match(text) else None
    if code in by_code:
        return code, by_code[code]
    if code is None:
        code = exact.get(key) or ALIASES.get(key)
        if code is None and _SUFFIX.search(text):
            hits = base.get(_base(text), [])  # 'Beek (L.)' for CBS's plain 'Beek'
            code = hits[0] if len(hits) == 1 else None
        if code is None:
            hits = base.get(key, [])
            if len(hits) > 1:  # 'Bergen': Bergen (L.) or Bergen (NH.)
                raise UnknownMunicipalityError(
                    text, sorted(by_code[c] for c in hits), ambiguous=True)
            code = hits[0] if hits else None
        if code is not None:
            return code, by_code[code]
    gone = _former(key, code)
    if gone is not None:
        if former:
            return gone.old_code, gone.old_name
        targets = [by_code[c] for c in successors(gone.old_code) if c in by_code]
        where = (f"opgegaan in {targets[0]}" if len(targets) == 1
                 else f"verdeeld over {', '.join(targets)}")
        raise UnknownMunicipalityError(
            text, targets,
            message=(f"{gone.old_name} bestaat sinds {gone.date[8:10]}-{gone.date[5:7]}-"
                     f"{gone.date[:4]} niet meer ({where}); gebruik de huidige gemeente "
                     "(indeling 2024)."),
        )
    if code is not None:  # a GM code that never existed
        raise UnknownMunicipalityError(
            text, [], message=f"Geen gemeente met code {code} in de indeling van 2024.")
    containing = sorted(n for c, n in by_code.items() if key and key in _compact(n))
    if containing:  # 'Amstel' -> Amstelveen or Ouder-Amstel: never a silent pick
        raise UnknownMunicipalityError(text, containing[:8], ambiguous=len(containing) > 1)
    import difflib

    close = difflib.get_close_matches(key, list(exact), n=5, cutoff=0.6)
    raise UnknownMunicipalityError(text, [by_code[exact[c]] for c in close])


def resolve(name: str) -> tuple[str, str]:
    """``(code, name)`` of 'Nederland' or a current (2024) municipality, as people write it.

    Accepts a GM code ('GM0518', '518'), CBS's name ("'s-Gravenhage"), common names ('Den
    Haag', 'Den Bosch'), CBS's suffixes ('Beek (L.)' for Beek, 'Bergen (NH.)', 'Hengelo (O.)'),
    any case and accents ('sudwest fryslan'), and 'Nederland'/'NL01'/'NL00' -> ('NL01',
    'Nederland'). Raises :class:`~jeugdstelsel.data.errors.UnknownMunicipalityError` (an
    :class:`~jeugdstelsel.errors.AreaError`, code ``gemeente_onbekend``) when nothing matches,
    when several municipalities match ('Bergen', 'Amstel': ``ambiguous`` with the candidates in
    ``suggestions``; never a silent pick), or for a former municipality (naming its successor).
    """
    return lookup(name, former=False)
