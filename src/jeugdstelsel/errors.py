"""The one exception hierarchy of jeugdstelsel, with stable codes.

Core and services raise these; each interface turns them into Dutch at one boundary: the CLI
(:func:`jeugdstelsel.cli.common.fail` prints the message, exit status 1, no traceback), the web
pages (a Dutch error page in the site's layout) and the REST API (``application/problem+json``
with ``code`` set to :attr:`JeugdstelselError.code`). The message of every error is already
Dutch and complete, because it is shown as is; tests assert the ``code``, never the wording.

Each class keeps the builtin base it always had (``ValueError``, ``LookupError``), so older
``except ValueError`` clauses keep working.

Codes (stable: renaming one is a breaking change of the API)::

    JeugdstelselError            fout                   anything a user can fix or must know
    ├── ScenarioError            scenario_ongeldig      a scenario file/spec that cannot run
    │   ├── LeverUseError        hefboom_ongeldig       [[hefbomen]]: name, dose, years
    │   └── PeriodError          periode_ongeldig       years outside what the model covers
    ├── AreaError                gebied_onbekend        an area name/code matches nothing (or many)
    ├── LeverError               hefboombestand_ongeldig  a lever library file is not valid
    ├── ParameterError           parameter_ongeldig     a parameter name or value the model refuses
    ├── ShapeError               vorm_ongeldig          arrays with the wrong dimensions (a bug)
    ├── OptionError              optie_ongeldig         a command option with a value not allowed
    ├── OutputError              uitvoer_ongeldig       an output folder/file that cannot be used
    ├── CalibrationError         kalibratie_ongeldig    a calibration that cannot be used
    ├── SweepError               sweep_ongeldig         a sweep that cannot start (plan, cluster)
    └── DataError                data_ongeldig          input data (see jeugdstelsel.data.errors)
        ├── CbsConnectionError   cbs_onbereikbaar
        ├── CbsResponseError     cbs_antwoord_ongeldig
        ├── ExportFormatError    export_onleesbaar
        ├── ImportValidationError  import_ongeldig
        ├── PersonalDataError    persoonsgegevens
        └── UnknownMunicipalityError  gemeente_onbekend
"""

from __future__ import annotations


class JeugdstelselError(Exception):
    """Base class: a problem the user can act on; ``str(error)`` is the Dutch message."""

    code = "fout"
    #: HTTP status the web and API boundaries answer with.
    http_status = 400

    def __init__(self, message: str = "", *, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file

    @property
    def message(self) -> str:
        return str(self)


class ScenarioError(JeugdstelselError, ValueError):
    """A scenario that cannot be run; the message names the file and key."""

    code = "scenario_ongeldig"


class LeverUseError(ScenarioError):
    """A scenario's ``[[hefbomen]]``: unknown lever, dose out of range, years outside the run."""

    code = "hefboom_ongeldig"


class PeriodError(ScenarioError):
    """Years outside what the model or the data cover."""

    code = "periode_ongeldig"


class AreaError(JeugdstelselError, LookupError):
    """An area name or code that is unknown or ambiguous."""

    code = "gebied_onbekend"
    http_status = 404


class LeverError(JeugdstelselError, ValueError):
    """A lever library file that is not valid; names file and key."""

    code = "hefboombestand_ongeldig"


class ParameterError(JeugdstelselError, ValueError):
    """A parameter name or value the model does not accept."""

    code = "parameter_ongeldig"


class ShapeError(JeugdstelselError, ValueError):
    """Arrays without the dimensions the model expects (a programming error, named plainly)."""

    code = "vorm_ongeldig"
    http_status = 500


class OptionError(JeugdstelselError, ValueError):
    """A command option (or form choice) with a value that is not allowed."""

    code = "optie_ongeldig"


class OutputError(JeugdstelselError, OSError):
    """An output folder or file that cannot be used without losing what the user had."""

    code = "uitvoer_ongeldig"


class CalibrationError(JeugdstelselError, ValueError):
    """A calibration that cannot be loaded or used."""

    code = "kalibratie_ongeldig"


class SweepError(JeugdstelselError, ValueError):
    """A sweep that cannot start (plan, municipalities, cluster)."""

    code = "sweep_ongeldig"


class DataError(JeugdstelselError):
    """Input data or its source: a file, a CBS table, the store."""

    code = "data_ongeldig"


def code_of(exc: BaseException) -> str:
    """The stable code of an error; ``intern`` for anything that is not ours."""
    return exc.code if isinstance(exc, JeugdstelselError) else "intern"
