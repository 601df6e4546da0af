"""Reading numbers the way Dutch users type them: the one parser every web form uses.

The site shows 476.560 and 12,5, so that is what people type back: a comma is the decimal
sign, a dot only separates thousands. Accepted: ``1033``, ``1.033`` (= 1033), ``1.033,5``,
``12,5``, ``-3``, ``1 033`` (a space between groups of three), with ``+``/``-``/``−``.
Refused, with a Dutch message that says how to write it: anything where a dot cannot be a
thousands separator (``1.5``, ``10.80``: a decimal point the way English is written, which would
silently be read as something else), a comma before a dot (``1,000.50``), exponents, letters.
"""

from __future__ import annotations

import math
import re

from django import forms
from django.core.exceptions import ValidationError

from jeugdstelsel.numbers import nl_number

_PLAIN = re.compile(r"\d+(,\d+)?")
_GROUPED = re.compile(r"\d{1,3}([. ]\d{3})+(,\d+)?")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

AMBIGUOUS = (
    "Schrijf decimalen met een komma (1,5) en gebruik een punt alleen tussen duizendtallen "
    "(1.033 is duizenddrieëndertig)."
)
NOT_A_NUMBER = "Voer een getal in, bijvoorbeeld 1.033 of 12,5."


def parse_number(text: str) -> float:
    """The number in ``text`` read the Dutch way; ``ValidationError`` (code) when it is not one.

    Codes: ``dubbelzinnig`` (a dot that is not a thousands separator), ``geen_getal``.
    """
    value = str(text).translate(_SPACES).strip()
    sign = 1.0
    if value[:1] in ("-", "−", "+"):
        sign = -1.0 if value[0] in "-−" else 1.0
        value = value[1:].strip()
    if "." in value and ("," in value.rsplit(".", 1)[0] or not _GROUPED.fullmatch(value)):
        if re.fullmatch(r"[\d.,]+", value):
            raise ValidationError(AMBIGUOUS, code="dubbelzinnig")
        raise ValidationError(NOT_A_NUMBER, code="geen_getal")
    if _GROUPED.fullmatch(value):
        value = value.replace(".", "").replace(" ", "")
    if not _PLAIN.fullmatch(value):
        raise ValidationError(NOT_A_NUMBER, code="geen_getal")
    number = sign * float(value.replace(",", "."))
    if not math.isfinite(number):
        raise ValidationError(NOT_A_NUMBER, code="geen_getal")
    return number + 0.0  # never -0


def format_number(value: float | None) -> str:
    """How a form shows a stored number again, so that parsing it gives the same number."""
    if value is None or value == "":
        return ""
    value = float(value)
    if value.is_integer():
        return nl_number(value, 0)
    for decimals in range(1, 10):
        if round(value, decimals) == value:
            return nl_number(value, decimals)
    return nl_number(value, 10)


class NumberInput(forms.TextInput):
    """A text box (not ``type=number``, which refuses a comma in some browsers)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value)
        return super().format_value(value)


class DutchNumberField(forms.FloatField):
    """A number field that reads input with :func:`parse_number`."""

    widget = NumberInput

    def __init__(self, *args, **kwargs):
        kwargs.pop("localize", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return parse_number(value)

    def widget_attrs(self, widget):
        return {}  # no min/max/step attributes: the browser must not second-guess a comma


def dutch(field: forms.Field) -> DutchNumberField:
    """The same field (label, help, required, limits) reading numbers the Dutch way."""
    new = DutchNumberField(
        required=field.required, label=field.label, help_text=field.help_text,
        initial=field.initial, max_value=getattr(field, "max_value", None),
        min_value=getattr(field, "min_value", None),
    )
    new.validators = list(field.validators)
    new.widget = NumberInput(attrs={k: v for k, v in field.widget.attrs.items()
                                    if k not in ("step", "min", "max")})
    return new
