"""The six steps of the Kwaliteitskompas (seed 003, Figuur 4) as workspace items.

Every item hangs on an area (the municipality or a wijk), carries a stable ``uid`` so a JSON
export can be imported elsewhere, and is soft-deleted: ``objects`` shows live items only, while
``all_objects`` still sees the deleted ones an administrator may restore.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from jeugdstelsel.web.kompas.models.base import Area, Organisation

MAX_ABS_VALUE = 1e10
EARLIEST_DATE = dt.date(1990, 1, 1)


class LiveManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class WorkspaceItem(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="gebied")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = LiveManager()
    all_objects = models.Manager()

    #: Items a partner may edit carry the partner's organisation (see ``kompas.roles``).
    partner_editable = False
    #: Dates of something that happened (a measurement, a baseline): at most a year ahead.
    past_date_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Plausibility for every item: no number beyond ten billion, no date before 1990 or
        more than 30 years ahead (a typo such as 2999 or -10^12 is refused next to the field)."""
        errors: dict[str, list[str]] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.error_dict
        today = dt.date.today()
        for field in self._meta.concrete_fields:
            if field.name in errors or (exclude and field.name in exclude):
                continue
            value = getattr(self, field.attname, None)
            if value is None:
                continue
            if isinstance(field, models.FloatField) and not abs(value) <= MAX_ABS_VALUE:
                errors[field.name] = [ValidationError(
                    "Dit getal is niet aannemelijk (meer dan tien miljard); controleer de "
                    "invoer.", code="onaannemelijk")]
            elif (
                isinstance(field, models.DateField)
                and not isinstance(field, models.DateTimeField)
                and isinstance(value, dt.date)
            ):
                ahead = 1 if field.name in self.past_date_fields else 30
                latest = today.replace(year=today.year + ahead, day=min(today.day, 28))
                if not EARLIEST_DATE <= value <= latest:
                    errors[field.name] = [ValidationError(
                        f"Deze datum is niet aannemelijk; kies een datum van "
                        f"{EARLIEST_DATE:%d-%m-%Y} tot en met {latest:%d-%m-%Y}.",
                        code="onaannemelijk")]
        if errors:
            raise ValidationError(errors)

    @property
    def municipality(self):
        return self.area.municipality

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Layer(models.TextChoices):
    """The four ingredients plus appropriate education (seed 003, aandachtspunt 3)."""

    BASE = "basis", "Basisvoorzieningen"
    PREVENTION = "preventie", "Preventie"
    FIRST_LINE = "eerstelijn", "Eerste lijn"
    INTENSIVE = "intensief", "Intensieve jeugdhulp"
    EDUCATION = "onderwijs", "Passend onderwijs"


class EvidenceLevel(models.TextChoices):
    """Levels of the NJi Databank Effectieve Jeugdinterventies."""

    WELL_FOUNDED = "goed_onderbouwd", "Goed onderbouwd"
    FIRST = "eerste", "Effectief volgens eerste aanwijzingen"
    GOOD = "goede", "Effectief volgens goede aanwijzingen"
    STRONG = "sterke", "Effectief volgens sterke aanwijzingen"
    NOT_RATED = "niet_beoordeeld", "Niet beoordeeld"


class Issue(WorkspaceItem):
    """Step 1: a quality or issue of the area; the local top ten or a special group."""

    class Kind(models.TextChoices):
        TOP_TEN = "top_tien", "Top tien"
        SPECIAL_GROUP = "bijzondere_groep", "Bijzondere groep"
        QUALITY = "kwaliteit", "Kwaliteit van het gebied"

    kind = models.CharField("soort", max_length=20, choices=Kind.choices, default=Kind.TOP_TEN)
    rank = models.PositiveSmallIntegerField(
        "plaats in de top tien",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "Kies een plaats van 1 tot en met 10."),
            MaxValueValidator(10, "Kies een plaats van 1 tot en met 10."),
        ],
    )
    title = models.CharField("vraagstuk", max_length=200)
    description = models.TextField("toelichting", blank=True)

    class Meta:
        ordering = ("kind", "rank", "title")
        verbose_name = "vraagstuk"
        verbose_name_plural = "vraagstukken"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == self.Kind.TOP_TEN and self.rank is None:
            raise ValidationError({"rank": "Geef de plaats in de top tien (1 tot en met 10)."})
        if self.kind != self.Kind.TOP_TEN and self.rank is not None:
            raise ValidationError(
                {"rank": "Alleen een vraagstuk uit de top tien heeft een plaats."}
            )
        if self.kind == self.Kind.TOP_TEN and self.area_id:
            clash = Issue.objects.filter(area_id=self.area_id, kind=self.kind, rank=self.rank)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"rank": f"Plaats {self.rank} is in dit gebied al bezet."})


output_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    "Gebruik kleine letters, cijfers en liggende streepjes, bijv. jeugdzorg_totaal.",
)


class Goal(WorkspaceItem):
    """Step 2: what we want to achieve, made concrete as an indicator with baseline and target."""

    class Direction(models.TextChoices):
        DOWN = "omlaag", "Lager is beter"
        UP = "omhoog", "Hoger is beter"

    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="vraagstuk"
    )
    title = models.CharField("doel", max_length=200)
    indicator = models.CharField("indicator", max_length=200)
    unit = models.CharField("eenheid", max_length=40, blank=True, help_text="Bijv. % of jongeren")
    direction = models.CharField(
        "richting", max_length=8, choices=Direction.choices, default=Direction.DOWN
    )
    past_date_fields = ("baseline_date",)

    baseline_value = models.FloatField("nulmeting")
    baseline_date = models.DateField("datum nulmeting")
    target_value = models.FloatField("streefwaarde")
    deadline = models.DateField("te bereiken op")
    model_output_key = models.CharField(
        "modeluitkomst",
        max_length=60,
        blank=True,
        validators=[output_key_validator],
        help_text="Optioneel: de uitkomst van het model waarmee het scenariolab dit doel toetst.",
    )

    class Meta:
        ordering = ("deadline", "title")
        verbose_name = "doel"
        verbose_name_plural = "doelen"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.baseline_date and self.deadline and self.deadline <= self.baseline_date:
            errors["deadline"] = "De einddatum moet na de datum van de nulmeting liggen."
        if self.baseline_value is not None and self.target_value is not None:
            if self.target_value == self.baseline_value:
                errors["target_value"] = "De streefwaarde is gelijk aan de nulmeting."
            elif (self.direction == self.Direction.DOWN) != (
                self.target_value < self.baseline_value
            ):
                errors["target_value"] = (
                    "De streefwaarde past niet bij de richting: bij 'lager is beter' ligt "
                    "ze onder de nulmeting, bij 'hoger is beter' erboven."
                )
        if (
            self.issue_id
            and self.area_id
            and self.issue.area.municipality_id != (self.area.municipality_id)
        ):
            errors["issue"] = "Dit vraagstuk hoort bij een andere gemeente."
        if errors:
            raise ValidationError(errors)


class Activity(WorkspaceItem):
    """Step 3: what citizens and partners do, per layer and partner."""

    partner_editable = True

    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="doel"
    )
    title = models.CharField("activiteit", max_length=200)
    description = models.TextField("toelichting", blank=True)
    layer = models.CharField("laag", max_length=12, choices=Layer.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="partner"
    )
    start = models.DateField("start", null=True, blank=True)
    end = models.DateField("einde", null=True, blank=True)

    class Meta:
        ordering = ("layer", "title")
        verbose_name = "activiteit"
        verbose_name_plural = "activiteiten"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = "Het einde ligt voor de start."
        muni = self.area.municipality_id if self.area_id else None
        if self.organisation_id and self.organisation.municipality_id != muni:
            errors["organisation"] = "Deze partner hoort bij een andere gemeente."
        if self.goal_id and self.goal.area.municipality_id != muni:
            errors["goal"] = "Dit doel hoort bij een andere gemeente."
        if errors:
            raise ValidationError(errors)


class Intervention(WorkspaceItem):
    """Step 4: quality of input, an intervention used in an activity and its evidence level."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name="activiteit",
    )
    name = models.CharField("interventie", max_length=200)
    evidence_level = models.CharField(
        "erkenning (NJi-databank)",
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.NOT_RATED,
    )
    databank_url = models.URLField("link naar de databank", blank=True)
    workers = models.TextField(
        "werkers", blank=True, help_text="Wie voert het uit, met welke opleiding of registratie?"
    )

    class Meta:
        ordering = ("name",)
        verbose_name = "interventie"
        verbose_name_plural = "interventies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.activity_id
            and self.area_id
            and self.activity.area.municipality_id != (self.area.municipality_id)
        ):
            raise ValidationError({"activity": "Deze activiteit hoort bij een andere gemeente."})


class Measurement(WorkspaceItem):
    """Step 5: an outcome measured at a date, shown against the goal's target."""

    partner_editable = True

    class Kind(models.TextChoices):
        INDICATOR = "indicator", "Stand van de indicator"
        REACH = "bereik", "Bereik"
        DROP_OUT = "uitval", "Uitval"
        SATISFACTION = "tevredenheid", "Tevredenheid"
        PROBLEMS = "afname_problemen", "Afname problemen"

    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="measurements", verbose_name="doel"
    )
    past_date_fields = ("date",)

    kind = models.CharField("soort", max_length=20, choices=Kind.choices, default=Kind.INDICATOR)
    date = models.DateField("datum")
    value = models.FloatField("waarde")
    note = models.CharField("toelichting", max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="gemeten door",
    )

    class Meta:
        ordering = ("goal", "date")
        verbose_name = "meting"
        verbose_name_plural = "metingen"

    def __str__(self) -> str:
        from jeugdstelsel.web.charts import nl_number

        return f"{self.goal}: {nl_number(self.value)} op {self.date:%d-%m-%Y}"

    def clean(self) -> None:
        errors = {}
        muni = self.area.municipality_id if self.area_id else None
        if self.goal_id and self.goal.area.municipality_id != muni:
            errors["goal"] = "Dit doel hoort bij een andere gemeente."
        if self.organisation_id and self.organisation.municipality_id != muni:
            errors["organisation"] = "Deze partner hoort bij een andere gemeente."
        if errors:
            raise ValidationError(errors)


class ImprovementAction(WorkspaceItem):
    """Step 6: an improvement agreed in the measure-talk-improve cycle."""

    class Status(models.TextChoices):
        PLANNED = "gepland", "Gepland"
        ACTIVE = "bezig", "Bezig"
        DONE = "afgerond", "Afgerond"
        STOPPED = "gestopt", "Gestopt"

    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="doel"
    )
    title = models.CharField("verbeteractie", max_length=200)
    description = models.TextField("toelichting", blank=True)
    owner = models.CharField("eigenaar", max_length=120)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    due = models.DateField("klaar op", null=True, blank=True)

    class Meta:
        ordering = ("status", "due", "title")
        verbose_name = "verbeteractie"
        verbose_name_plural = "verbeteracties"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.goal_id
            and self.area_id
            and self.goal.area.municipality_id != (self.area.municipality_id)
        ):
            raise ValidationError({"goal": "Dit doel hoort bij een andere gemeente."})


ITEM_MODELS: tuple[type[WorkspaceItem], ...] = (
    Issue,
    Goal,
    Activity,
    Intervention,
    Measurement,
    ImprovementAction,
)
