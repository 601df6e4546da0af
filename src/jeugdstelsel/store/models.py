"""The local store: municipalities, CBS tables, observed figures and import batches.

One schema for SQLite (a file in ``paths.home()``) and PostgreSQL (``DATABASE_URL``). Figures keep
their provenance: the CBS table or import batch they came from, their status (voorlopig /
definitief), the definition they follow (CBS or the municipality's own) and from which year they
are comparable (the 2021 trend break of the youth-care statistics, DESIGN section 5). A missing
figure is stored as NULL, never as 0.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DEFINITIEF = "definitief", "definitief"
    VOORLOPIG = "voorlopig", "voorlopig"
    ONBEKEND = "onbekend", "onbekend"


class Definition(models.TextChoices):
    CBS = "cbs", "CBS-definitie"
    LOKAAL = "lokaal", "eigen (lokale) definitie"


class Gemeente(models.Model):
    """A municipality, current or merged away (``merged_into`` then points to its successor)."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=120, db_index=True)
    jeugdregio_code = models.CharField(max_length=8, blank=True, default="")
    jeugdregio = models.CharField(max_length=120, blank=True, default="")
    inhabitants = models.IntegerField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "gemeenten"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CbsTable(models.Model):
    """A StatLine table as loaded: title, version stamp and its metadata (units, labels)."""

    table_id = models.CharField(max_length=16, primary_key=True)
    title = models.CharField(max_length=400)
    api = models.CharField(max_length=16)
    modified = models.CharField(max_length=40, blank=True, default="")
    version = models.CharField(max_length=40, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("table_id",)

    def __str__(self) -> str:
        return f"{self.table_id} {self.title}"


class ImportBatch(models.Model):
    """One imported file. The content hash makes a re-import of the same file a no-op."""

    class Kind(models.TextChoices):
        CBS = "cbs", "CBS-tabel"
        EIGEN = "eigen", "eigen cijfers"
        INGEBOUWD = "ingebouwd", "ingebouwde gegevens"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    file_name = models.CharField(max_length=400)
    sha256 = models.CharField(max_length=64)
    rows = models.IntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.CharField(max_length=120, blank=True, default="")
    definition = models.CharField(max_length=8, choices=Definition.choices, default=Definition.CBS)
    table = models.ForeignKey(CbsTable, null=True, blank=True, on_delete=models.SET_NULL)
    #: own figures this import overwrote: [[gemeente, period, vorm, measure, verwijzer, wijk,
    #: aanbieder, definition, old value, old batch id], ...], restored when it is undone
    replaced = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-imported_at",)
        constraints = (
            models.UniqueConstraint(fields=["kind", "sha256"], name="importbatch_unique_content"),
        )

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rijen)"


class Observation(models.Model):
    """One published figure: measure x region x period x category, with status and source."""

    dataset = models.CharField(max_length=40)
    series = models.CharField(max_length=160)
    measure = models.CharField(max_length=160)
    region = models.CharField(max_length=16)
    period = models.CharField(max_length=16)
    category = models.CharField(max_length=255, blank=True, default="")
    category_label = models.CharField(max_length=400, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=80, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ONBEKEND)
    definition = models.CharField(max_length=8, choices=Definition.choices, default=Definition.CBS)
    comparable_since = models.IntegerField(null=True, blank=True)
    table = models.ForeignKey(CbsTable, null=True, blank=True, on_delete=models.CASCADE)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["dataset", "measure", "region", "period", "category"],
                name="observation_natural_key",
            ),
        )
        indexes = (models.Index(fields=["region", "series"], name="observation_region_series"),)

    def __str__(self) -> str:
        return f"{self.dataset} {self.series} {self.region} {self.period} = {self.value}"


class LocalFigure(models.Model):
    """An aggregate count a municipality imported itself (never person-level data)."""

    class Vorm(models.TextChoices):
        TOTAAL = "totaal", "totaal"
        WIJKTEAM = "wijkteam", "jeugdhulp door wijk-/buurtteam"
        ZONDER_VERBLIJF = "zonder_verblijf", "jeugdhulp zonder verblijf"
        MET_VERBLIJF = "met_verblijf", "jeugdhulp met verblijf"
        JEUGDBESCHERMING = "jeugdbescherming", "jeugdbescherming"
        JEUGDRECLASSERING = "jeugdreclassering", "jeugdreclassering"

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="local_figures")
    period = models.CharField(max_length=12)
    vorm = models.CharField(max_length=20, choices=Vorm.choices)
    measure = models.CharField(max_length=40)
    verwijzer = models.CharField(max_length=60, blank=True, default="")
    wijk = models.CharField(max_length=120, blank=True, default="")
    aanbieder = models.CharField(max_length=200, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    definition = models.CharField(max_length=8, choices=Definition.choices)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="figures")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=[
                    "gemeente",
                    "period",
                    "vorm",
                    "measure",
                    "verwijzer",
                    "wijk",
                    "aanbieder",
                    "definition",
                ],
                name="localfigure_natural_key",
            ),
        )

    def __str__(self) -> str:
        return f"{self.gemeente_id} {self.period} {self.vorm} {self.measure} = {self.value}"


class MunicipalCalibration(models.Model):
    """A municipality's calibrated parameters (``jeugdstelsel calibrate <gemeente>``).

    Every calibration is kept (history); scenarios use the newest per municipality. ``point`` and
    ``posterior`` hold the full parameter set in the form of the national calibration (the
    municipal block replaced), so a scenario run can draw from it unchanged; ``fit`` keeps the fit
    per series, the out-of-sample check, the parameter table and the Dutch notes.
    """

    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.CASCADE, related_name="calibrations"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    fitted_through = models.IntegerField(null=True, blank=True)
    risk = models.FloatField()
    risk_indicator = models.FloatField()
    point = models.JSONField(default=dict)
    posterior = models.JSONField(default=dict)
    fit = models.JSONField(default=dict)
    data_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("gemeente", "-created")
        indexes = (models.Index(fields=["gemeente", "-created"], name="calibration_latest"),)

    def __str__(self) -> str:
        return f"kalibratie {self.gemeente_id} {self.created:%Y-%m-%d} (risico {self.risk:.2f})"
