"""Scenario files (TOML): parsed, validated into a frozen spec, then run.

A scenario names a period, an area, population assumptions, parameter overrides, the number of
Monte Carlo draws and a seed; the scenario lab adds levers (``[[hefbomen]]``). Every error names
the file, the key and what is allowed, in Dutch, before anything runs or is written.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jeugdstelsel.core.model import PARAMETERS_BY_NAME
from jeugdstelsel.core.parameters import ParameterError, check_value
from jeugdstelsel.errors import ScenarioError

FIRST_YEAR = 2015  # the calibrated start of the model (the Jeugdwet took effect in 2015)
LAST_YEAR = 2050  # births after the last published year are held constant: keep horizons modest
MAX_DRAWS = 100_000




class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class ScenarioInfo(_Strict):
    naam: str = Field("Basisscenario", min_length=1, max_length=120)
    beschrijving: str = ""
    # the question the council report answers (issue 16); empty: the report words a neutral one
    vraag: str = Field("", max_length=1000)


class Period(_Strict):
    start: int = Field(FIRST_YEAR, ge=FIRST_YEAR, le=LAST_YEAR)
    eind: int = Field(2030, ge=FIRST_YEAR, le=LAST_YEAR)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.eind < self.start:
            raise ValueError(f"eind ({self.eind}) ligt vóór start ({self.start})")
        return self


class Area(_Strict):
    gemeente: str = Field(
        "Nederland", min_length=2, description="'Nederland' of een gemeente (naam of GM-code)"
    )


class Population(_Strict):
    geboorten_groei: float = Field(
        0.0,
        ge=-0.05,
        le=0.05,
        description="groei van de geboorten per jaar na het laatst gepubliceerde jaar",
    )
    migratie_factor: float = Field(
        1.0, ge=0.0, le=3.0, description="vermenigvuldiger op het migratiesaldo"
    )


class Simulation(_Strict):
    trekkingen: int = Field(1000, ge=1, le=MAX_DRAWS)
    zaad: int = Field(42, ge=0)


class LeverUse(_Strict):
    """A lever with its dose and start year (the lever library checks name and dose)."""

    naam: str
    dosis: float
    start: int = Field(2025, ge=FIRST_YEAR, le=LAST_YEAR)
    eind: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR,
                             description="laatste jaar met de hefboom (leeg: tot het eind)")

    @model_validator(mode="after")
    def _ordered(self) -> LeverUse:
        if self.eind is not None and self.eind < self.start:
            raise ValueError(f"eind ({self.eind}) ligt vóór start ({self.start})")
        return self


class Scenario(_Strict):
    scenario: ScenarioInfo = ScenarioInfo()
    periode: Period = Period()
    gebied: Area = Area()
    bevolking: Population = Population()
    parameters: dict[str, float] = Field(default_factory=dict)
    simulatie: Simulation = Simulation()
    hefbomen: tuple[LeverUse, ...] = ()

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if key not in PARAMETERS_BY_NAME:
                allowed = ", ".join(sorted(PARAMETERS_BY_NAME))
                raise ValueError(f"onbekende parameter '{key}'; toegestaan: {allowed}")
            try:
                check_value(PARAMETERS_BY_NAME[key], float(number))
            except ParameterError as exc:
                raise ValueError(str(exc)) from exc
        return value


_TYPE_WORDS = {
    "int": "een geheel getal",
    "float": "een getal",
    "string": "tekst",
    "bool": "waar/onwaar",
    "dict": "een tabel",
    "model": "een tabel",
    "tuple": "een lijst",
    "list": "een lijst",
}


def _explain(error: dict[str, Any]) -> str:
    """One pydantic error -> Dutch text (key path, what came, what is allowed)."""
    loc = ""
    for part in error["loc"]:  # hefbomen.0.naam -> hefbomen[0].naam, as the lever checks say
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    kind, ctx = error["type"], error.get("ctx", {})
    given = error.get("input")
    if kind == "missing":
        return f"'{loc}' ontbreekt: deze sleutel is verplicht"
    if kind == "int_from_float":
        return f"'{loc}': {given!r} is geen geheel getal"
    if kind == "extra_forbidden":
        parent = error["loc"][:-1]
        allowed = _allowed_keys(parent)
        return f"onbekende sleutel '{loc}'; toegestaan: {', '.join(allowed)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {
            "greater_than_equal": "minstens",
            "less_than_equal": "hoogstens",
            "greater_than": "groter dan",
            "less_than": "kleiner dan",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"'{loc}': waarde {given!r} is niet toegestaan; moet {bound} {limit} zijn"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        word = next((w for k, w in _TYPE_WORDS.items() if kind.startswith(k)), "iets anders")
        return f"'{loc}': verkeerd type ({given!r}); verwacht {word}"
    if kind in ("string_too_short", "string_too_long"):
        return f"'{loc}': tekst heeft de verkeerde lengte ({given!r})"
    if kind == "value_error":
        return f"'{loc}': {ctx.get('error', error['msg'])}" if loc else str(ctx.get("error"))
    # pydantic's own (English) text is never shown: the value and the kind of problem in Dutch
    return f"'{loc}': waarde {given!r} is niet toegestaan ({kind})"


def _allowed_keys(parent: tuple) -> list[str]:
    model: type[BaseModel] = Scenario
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        inner = getattr(ann, "__args__", (ann,))
        nxt = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nxt is None:
            return []
        model = nxt
    return sorted(model.model_fields)


_TOML_WORDS = {
    "Invalid value": "ongeldige waarde",
    "Expected '=' after a key in a key/value pair": "na een sleutel hoort '='",
    "Cannot overwrite a value": "deze sleutel staat er al",
    "Cannot declare": "deze tabel staat er al",
    "Invalid statement": "ongeldige regel",
    "Unclosed array": "lijst zonder ']'",
    "Unterminated string": "tekst zonder afsluitend aanhalingsteken",
    "Expected newline or end of document after a statement": "na een waarde hoort een nieuwe regel",
}


def _toml_error_nl(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's English message -> Dutch, keeping line and column."""
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    what = next((nl for en, nl in _TOML_WORDS.items() if text.startswith(en)), text)
    if where:
        return f"{what} (regel {where.group(1)}, kolom {where.group(2)})"
    if "end of document" in text:
        return f"{what} (aan het eind van het bestand)"
    return what


def parse(text: str, source: str = "<tekst>") -> Scenario:
    """Parse and validate TOML text; raise :class:`ScenarioError` with all problems listed."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: geen geldige TOML: {_toml_error_nl(exc)}") from exc
    return validate(raw, source)


def validate(raw: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """A scenario from a mapping (TOML, a web form, an API body), every problem in Dutch."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = [f"- {_explain(e)}" for e in exc.errors()]
        raise ScenarioError(f"{source}: het scenario is niet geldig:\n" + "\n".join(lines)) from exc


def load(path: Path) -> Scenario:
    """Read and validate a scenario file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScenarioError(f"{path}: bestand niet gevonden") from exc
    except IsADirectoryError as exc:
        raise ScenarioError(f"{path} is een map, geen scenariobestand; geef een .toml-bestand "
                            "(voorbeelden staan in examples/).", file=str(path)) from exc
    except PermissionError as exc:
        raise ScenarioError(f"{path}: geen leesrechten voor dit bestand") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: het bestand is geen UTF-8-tekst") from exc
    return parse(text, str(path))


def dumps(scenario: Scenario) -> str:
    """Write a scenario back as TOML (load-save-load gives the same scenario)."""
    import tomli_w

    data = scenario.model_dump(mode="json")
    data["hefbomen"] = [{k: v for k, v in use.items() if v is not None}  # TOML has no null
                        for use in data["hefbomen"]]
    if not data["hefbomen"]:
        del data["hefbomen"]
    return tomli_w.dumps(data)
