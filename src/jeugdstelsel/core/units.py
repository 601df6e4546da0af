"""Units as checked types: a dimension plus what it counts or is relative to.

A :class:`Unit` knows its :class:`Dimension` (a rate per month, months, euro, a share, ...);
its Dutch label, which users read in tables and messages, is derived from the dimension and a
short qualifier ("per kind" + rate per month gives "per kind per maand"). Code decides on the
dimension, never on the label: ``unit.dimension is Dimension.RATE_PER_MONTH``, not
``"per maand" in unit``.

For compatibility with code that treats units as text (CSV columns, JSON, ``unit == "euro"``)
a :class:`Unit` *is* its Dutch label: it subclasses :class:`str`, so ``str(unit)``, equality
with the old label and hashing behave exactly as the plain label did.
"""

from __future__ import annotations

from enum import Enum

PRICE_YEAR = 2015  # unit costs are declared at 2015 prices (tariffs index from then)


class Dimension(Enum):
    """What a quantity measures. ``value`` is (Dutch label, label with a qualifier, Vensim)."""

    RATE_PER_MONTH = ("per maand", "per {q} per maand", "1/Month")
    RATE_PER_YEAR = ("per jaar", "per {q} per jaar", "1/year")
    LOG_RATE_PER_YEAR = ("per jaar (log-schaal)", None, "1/year")
    MONTHS = ("maanden", None, "Month")
    YEARS = ("jaar", None, "year")
    WEEKS = ("weken", None, "week")
    FRACTION = ("aandeel", "aandeel {q}", "dmnl")
    PERCENT = ("%", "% van {q}", "dmnl")
    FACTOR = ("factor", "factor {q}", "dmnl")
    WEIGHT = ("gewicht", "gewicht t.o.v. {q}", "dmnl")
    RELATIVE_INCREASE = ("relatieve toename", None, "dmnl")
    INDEX = ("index", "index ({q})", "dmnl")
    COUNT = ("aantal", "{q}", "dmnl")
    EURO = ("euro", "euro per {q}", "euro")
    EURO_PER_MONTH = ("euro per maand", f"euro per {{q}} per maand ({PRICE_YEAR})", "euro/Month")

    @property
    def label_nl(self) -> str:
        return self.value[0]

    @property
    def vensim(self) -> str:
        """The unit as Vensim writes it (time in months, as the engine)."""
        return self.value[2]

    @property
    def is_rate(self) -> bool:
        """A hazard or growth rate (per unit of time)."""
        return self in (Dimension.RATE_PER_MONTH, Dimension.RATE_PER_YEAR,
                        Dimension.LOG_RATE_PER_YEAR)  # fmt: skip

    @property
    def is_dimensionless(self) -> bool:
        return self.vensim == "dmnl"

    def label(self, qualifier: str = "") -> str:
        """The Dutch label, with ``qualifier`` where the dimension takes one."""
        if not qualifier:
            return self.value[0]
        template = self.value[1]
        if template is None:
            raise ValueError(f"unit {self.name} takes no qualifier (got {qualifier!r})")
        return template.format(q=qualifier)


class Unit(str):
    """A unit: a :class:`Dimension` and an optional qualifier; the string is the Dutch label.

    >>> u = Unit(Dimension.RATE_PER_MONTH, "kind")
    >>> str(u), u == "per kind per maand", u.dimension.vensim
    ('per kind per maand', True, '1/Month')
    """

    dimension: Dimension
    qualifier: str

    def __new__(cls, dimension: Dimension, qualifier: str = "") -> Unit:
        if not isinstance(dimension, Dimension):
            raise TypeError(f"a Unit needs a Dimension, got {dimension!r}")
        self = super().__new__(cls, dimension.label(qualifier))
        self.dimension = dimension
        self.qualifier = qualifier
        return self

    @property
    def label_nl(self) -> str:
        """The Dutch label (the string itself)."""
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        tail = f", {self.qualifier!r}" if self.qualifier else ""
        return f"Unit(Dimension.{self.dimension.name}{tail})"

    def __reduce__(self):
        return (Unit, (self.dimension, self.qualifier))

    def __copy__(self) -> Unit:
        return self

    def __deepcopy__(self, memo) -> Unit:
        return self


def check_unit(owner: str, unit: object) -> Unit:
    """``unit`` if it is a :class:`Unit`; a clear error for free text."""
    if not isinstance(unit, Unit):
        raise TypeError(
            f"{owner}: unit must be a jeugdstelsel.core.units.Unit, not free text {unit!r}"
        )
    return unit


# The units the model declares, named once.
PER_MONTH = Unit(Dimension.RATE_PER_MONTH)
PER_CHILD_PER_MONTH = Unit(Dimension.RATE_PER_MONTH, "kind")
PER_YEAR = Unit(Dimension.RATE_PER_YEAR)
PER_YEAR_LOG = Unit(Dimension.LOG_RATE_PER_YEAR)
MONTHS = Unit(Dimension.MONTHS)
YEARS = Unit(Dimension.YEARS)
WEEKS = Unit(Dimension.WEEKS)
FRACTION = Unit(Dimension.FRACTION)
FACTOR = Unit(Dimension.FACTOR)
RELATIVE_INCREASE = Unit(Dimension.RELATIVE_INCREASE)
EURO = Unit(Dimension.EURO)
PERSONS = Unit(Dimension.COUNT, "personen")
TRAJECTORIES = Unit(Dimension.COUNT, "trajecten")
MEASURES = Unit(Dimension.COUNT, "maatregelen")
PERCENT_OF_AGE_GROUP = Unit(Dimension.PERCENT, "leeftijdsgroep")
PERCENT_OF_STARTS = Unit(Dimension.PERCENT, "gestarte trajecten")
REFERRAL_WEIGHT = Unit(Dimension.WEIGHT, "geen verwijzer")


def per_month(of: str) -> Unit:
    """A monthly rate per person of a group, e.g. ``per_month("jongere 12-17")``."""
    return Unit(Dimension.RATE_PER_MONTH, of)


def relative_to(reference: str) -> Unit:
    """A factor relative to a reference, e.g. ``factor t.o.v. 4-11 jaar``."""
    return Unit(Dimension.FACTOR, f"t.o.v. {reference}")


def euro_per_month(of: str) -> Unit:
    """A unit cost per person per month at :data:`PRICE_YEAR` prices."""
    return Unit(Dimension.EURO_PER_MONTH, of)
