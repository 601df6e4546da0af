"""Errors of the data layer, one small hierarchy the interfaces turn into Dutch messages.

    DataError                  anything the user can fix by other input or a retry
    ├── CbsConnectionError     StatLine cannot be reached (no network, proxy, timeout)
    ├── CbsResponseError       StatLine answered, but not with what a CBS table looks like
    ├── ExportFormatError      a hand-downloaded StatLine export cannot be read
    ├── ImportValidationError  a municipality's own file has bad rows/columns (all listed)
    ├── PersonalDataError      a file holds person-level data (BSN, birth dates): refused
    └── UnknownMunicipalityError  a name or code matches no municipality, or several
                                  (also a jeugdstelsel.errors.AreaError)

The base is :class:`jeugdstelsel.errors.DataError` (the project's one hierarchy, with codes).
The message of each error is already Dutch and complete, because it is shown to the user as is;
the attributes (file, row, column, problems) let other interfaces (web, API) render it their way.
"""

from __future__ import annotations

from dataclasses import dataclass

from jeugdstelsel.errors import AreaError, DataError

__all__ = [
    "CbsConnectionError", "CbsResponseError", "DataError", "ExportFormatError",
    "ImportValidationError", "PersonalDataError", "Problem", "UnknownMunicipalityError",
]


class CbsConnectionError(DataError):
    """No connection to CBS StatLine."""

    code = "cbs_onbereikbaar"
    http_status = 503


class CbsResponseError(DataError):
    """StatLine gave an unexpected answer (HTTP error, unknown table, malformed JSON)."""

    code = "cbs_antwoord_ongeldig"
    http_status = 502


class ExportFormatError(DataError):
    """A StatLine export (CSV/JSON) downloaded by hand cannot be understood."""

    code = "export_onleesbaar"


@dataclass(frozen=True)
class Problem:
    """One bad cell or column of an imported file; ``row`` is the 1-based line in the file."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ImportValidationError(DataError):
    """A municipality's file failed validation; nothing was stored."""

    code = "import_ongeldig"

    def __init__(self, problems: list[Problem], *, file: str | None = None, limit: int = 25):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:limit])
        more = len(problems) - limit
        tail = f"\n  ... en nog {more} andere fouten" if more > 0 else ""
        name = f" '{file}'" if file else ""
        message = (
            f"Het bestand{name} is niet geïmporteerd: {len(problems)} fout(en) gevonden. "
            f"Er is niets opgeslagen.\n{shown}{tail}"
        )
        super().__init__(message, file=file)


class PersonalDataError(DataError):
    """A column holds person-level data; aggregate figures only are accepted."""

    code = "persoonsgegevens"

    def __init__(self, column: str, reason: str, *, file: str | None = None) -> None:
        self.column = column
        self.reason = reason
        message = (
            f"Het bestand bevat persoonsgegevens in kolom '{column}' ({reason}). "
            "Dit hulpmiddel werkt alleen met geaggregeerde aantallen per periode, vorm, "
            "verwijzer, wijk of aanbieder, nooit met gegevens over personen (AVG: "
            "dataminimalisatie). Verwijder de kolom en tel de gegevens eerst op. "
            "Er is niets opgeslagen."
        )
        super().__init__(message, file=file)


class UnknownMunicipalityError(DataError, AreaError):
    """No municipality, or several, match a name; ``suggestions`` holds the candidates.

    Also an :class:`~jeugdstelsel.errors.AreaError`, so the pipeline's ``except AreaError``
    catches it. ``ambiguous`` is True when the name fits several municipalities (then nothing is
    picked: the user must choose).
    """

    code = "gemeente_onbekend"
    http_status = 404

    def __init__(
        self,
        query: str,
        suggestions: list[str],
        *,
        ambiguous: bool = False,
        message: str | None = None,
    ) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        self.ambiguous = ambiguous
        if message is None:
            if ambiguous:
                message = (
                    f"'{query}' is niet eenduidig: dat kan {_or(self.suggestions)} zijn. Geef "
                    "de volledige naam of de GM-code."
                )
            else:
                hint = f" Bedoelt u: {', '.join(suggestions)}?" if suggestions else ""
                message = f"Geen gemeente gevonden voor '{query}'.{hint}"
        super().__init__(message)

    @property
    def candidates(self) -> list[str]:
        return self.suggestions


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " of " + names[-1]
