"""One declaration per kind of workspace item, read by the views, the export and the API.

Declaring the six steps once keeps the pages, the JSON export and the URLs (Dutch plural slugs,
the same as the API's resource names) from drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from jeugdstelsel.web.kompas import forms
from jeugdstelsel.web.kompas import models as m


@dataclass(frozen=True)
class Kind:
    step: int
    slug: str  # Dutch plural: URL segment, export key and API resource name
    model: type[m.WorkspaceItem]
    form: type[forms.ItemForm]
    heading: str
    question: str  # the Kwaliteitskompas question of this step (seed 003, Figuur 4)
    columns: tuple[str, ...]

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)


KINDS: tuple[Kind, ...] = (
    Kind(
        1,
        "vraagstukken",
        m.Issue,
        forms.IssueForm,
        "Kwaliteiten en vraagstukken",
        "Wat zijn de kwaliteiten en vraagstukken in het gebied? Een top tien en bijzondere "
        "groepen.",
        ("rank", "title", "kind", "area"),
    ),
    Kind(
        2,
        "doelen",
        m.Goal,
        forms.GoalForm,
        "Doelen",
        "Wat willen we bereiken? Een indicator met nulmeting, streefwaarde en einddatum.",
        ("title", "indicator", "baseline_value", "target_value", "deadline", "area"),
    ),
    Kind(
        3,
        "activiteiten",
        m.Activity,
        forms.ActivityForm,
        "Activiteiten",
        "Wat doen burgers en voorzieningen, per laag en per partner?",
        ("title", "layer", "organisation", "area"),
    ),
    Kind(
        4,
        "interventies",
        m.Intervention,
        forms.InterventionForm,
        "Kwaliteit van de inzet",
        "Welke interventies en werkers zetten we in, en hoe sterk is hun onderbouwing?",
        ("name", "evidence_level", "activity"),
    ),
    Kind(
        5,
        "metingen",
        m.Measurement,
        forms.MeasurementForm,
        "Resultaten",
        "Wat leveren de activiteiten op? Bereik, uitval, tevredenheid, afname van problemen.",
        ("goal", "kind", "date", "value", "organisation"),
    ),
    Kind(
        6,
        "verbeteracties",
        m.ImprovementAction,
        forms.ImprovementActionForm,
        "Verbeteracties",
        "Wat spreken we af in de meet-, spreek- en verbeterbeweging?",
        ("title", "owner", "status", "due"),
    ),
)

BY_SLUG: dict[str, Kind] = {k.slug: k for k in KINDS}
BY_MODEL: dict[type, Kind] = {k.model: k for k in KINDS}
BY_MODEL_NAME: dict[str, Kind] = {k.model._meta.model_name: k for k in KINDS}
