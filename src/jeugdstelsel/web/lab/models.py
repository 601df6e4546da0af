"""Saved scenarios and their runs (the job table the worker process reads).

A scenario belongs to a municipality and is owned by the policy advisor who made it; colleagues
(advisors, administrators) see all of them, council members and partners only those shared with
them. A run is one comparison of a plan with a reference on paired draws; the web process only
inserts the row, the worker process (``lab.worker``) computes it and stores a JSON summary.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from jeugdstelsel.web.kompas.models import Municipality

MIN_END, MAX_END = 2029, 2035


class LiveScenarios(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Scenario(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="scenarios", verbose_name="gemeente"
    )
    name = models.CharField("naam", max_length=120)
    description = models.TextField("toelichting", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="scenarios",
        verbose_name="eigenaar",
    )
    #: ``[{"naam": lever key, "dosis": float, "start": year}]`` — checked against the library.
    levers = models.JSONField("hefbomen", default=list, blank=True)
    end_year = models.PositiveSmallIntegerField(
        "doorrekenen tot en met",
        default=2030,
        validators=[MinValueValidator(MIN_END), MaxValueValidator(MAX_END)],
    )
    shared = models.BooleanField(
        "gedeeld",
        default=False,
        help_text="Gedeelde scenario's zijn zichtbaar voor raadsleden en partners van de "
        "gemeente.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveScenarios()
    all_objects = models.Manager()

    class Meta:
        ordering = ("-updated_at",)
        verbose_name = "scenario"
        verbose_name_plural = "scenario's"
        constraints = (
            models.UniqueConstraint(
                fields=["municipality", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="scenario_unique_live_name",
            ),
        )

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    """What the worker process needs of a job row: a scenario run and a goal search alike.

    The web process inserts the row (status ``wachtrij``); the worker takes it, sets its
    heartbeat while it computes, and stores the JSON result or a Dutch error.
    """

    class Status(models.TextChoices):
        QUEUED = "wachtrij", "In de wachtrij"
        RUNNING = "bezig", "Wordt berekend"
        DONE = "klaar", "Klaar"
        FAILED = "fout", "Mislukt"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    #: What was asked, frozen at request time (a scenario may change afterwards).
    spec = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=40, blank=True)
    #: Set by the worker every few seconds while it computes; a job whose heartbeat stopped
    #: has lost its worker (``lab.worker.reap_dead``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: How many times a worker took this job (it is retried once after a dead worker).
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Run(Job):
    """One comparison: ``plan`` against ``reference`` (``None``: the same area without levers)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="scenario_runs"
    )
    plan = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    reference = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: Second stage (per-lever cost-effectiveness and what drives the result).
    details = models.JSONField(null=True, blank=True)
    details_error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=["status", "created_at"]),)
        verbose_name = "berekening"
        verbose_name_plural = "berekeningen"

    def __str__(self) -> str:
        return f"{self.plan} ({self.get_status_display()})"

    @property
    def complete(self) -> bool:
        """Both stages done (or the run failed): nothing more will change."""
        if self.status == self.Status.FAILED:
            return True
        return self.status == self.Status.DONE and (
            self.details is not None or bool(self.details_error)
        )


class GoalSearch(Job):
    """One goal search (``services.doelzoeker``): queued by the web process, computed by the
    worker process like a run; ``result`` is the JSON summary the Doelzoeker page shows.
    ``spec``: target, probability, levers, draws, generations, population, seed."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="goal_searches"
    )
    #: Generations done and in all, set by the worker after each generation.
    done = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    saved_as = models.ForeignKey(
        Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=["status", "created_at"]),)
        verbose_name = "doelzoektocht"
        verbose_name_plural = "doelzoektochten"

    def __str__(self) -> str:
        return f"{self.spec.get('target', '?')} ({self.get_status_display()})"
