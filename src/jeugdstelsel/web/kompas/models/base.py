"""Who works where: municipalities, their areas, partner organisations and memberships.

A municipality is identified by its CBS code (``GM0363``). The store app (CBS data) keys its
figures by the same code, so the two meet on the code, not on a foreign key: the workspace never
depends on which CBS tables happen to be loaded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

municipality_code_validator = RegexValidator(
    r"^GM\d{4}$", "Een gemeentecode is 'GM' gevolgd door vier cijfers, bijvoorbeeld GM0363."
)


class Role(models.TextChoices):
    """The four roles of issue 6; the permission matrix lives in ``kompas.roles``."""

    ADMIN = "beheerder", "Beheerder"
    ADVISOR = "beleidsadviseur", "Beleidsadviseur"
    PARTNER = "partner", "Partner"
    COUNCIL = "raadslid", "Raadslid"


class Municipality(models.Model):
    code = models.CharField(
        "gemeentecode", max_length=6, unique=True, validators=[municipality_code_validator]
    )
    name = models.CharField("naam", max_length=120)

    class Meta:
        ordering = ("name",)
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        """Why: every municipality needs an area for the whole municipality to hang items on."""
        super().save(*args, **kwargs)
        Area.objects.get_or_create(
            municipality=self, kind=Area.Kind.MUNICIPALITY, defaults={"name": self.name}
        )


class Area(models.Model):
    """The municipality as a whole or one of its neighbourhoods (wijk)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "gemeente", "Hele gemeente"
        DISTRICT = "wijk", "Wijk"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="areas", verbose_name="gemeente"
    )
    kind = models.CharField("soort", max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    name = models.CharField("naam", max_length=120)
    cbs_code = models.CharField(
        "CBS-wijkcode",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^WK\d{6}$", "Een wijkcode is 'WK' gevolgd door zes cijfers.")],
    )

    class Meta:
        ordering = ("municipality", "kind", "name")
        verbose_name = "gebied"
        verbose_name_plural = "gebieden"
        constraints = (
            models.UniqueConstraint(fields=["municipality", "name"], name="area_unique_name"),
        )

    def __str__(self) -> str:
        return self.name if self.kind == self.Kind.MUNICIPALITY else f"{self.name} (wijk)"


class Organisation(models.Model):
    """A partner in the learning cycle: local team, school, GP practice, provider, ..."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "gemeente", "Gemeente"
        LOCAL_TEAM = "wijkteam", "Wijkteam / lokaal team"
        SCHOOL = "school", "School / samenwerkingsverband"
        GP = "huisarts", "Huisartsenpraktijk"
        PROVIDER = "aanbieder", "Jeugdhulpaanbieder"
        YOUTH_HEALTH = "jgz", "Jeugdgezondheidszorg"
        OTHER = "anders", "Anders"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="organisations",
        verbose_name="gemeente",
    )
    name = models.CharField("naam", max_length=160)
    kind = models.CharField("soort", max_length=12, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ("name",)
        verbose_name = "organisatie"
        verbose_name_plural = "organisaties"
        constraints = (
            models.UniqueConstraint(fields=["municipality", "name"], name="org_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one municipality; partners also name their organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="gebruiker",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="gemeente",
    )
    role = models.CharField("rol", max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="organisatie",
        help_text="Verplicht voor een partner: de organisatie waarvoor hij of zij invoert.",
    )

    class Meta:
        verbose_name = "lidmaatschap"
        verbose_name_plural = "lidmaatschappen"
        constraints = (
            models.UniqueConstraint(fields=["user", "municipality"], name="one_role_per_muni"),
        )

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.municipality}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role == Role.PARTNER and not self.organisation_id:
            raise ValidationError({"organisation": "Kies de organisatie van deze partner."})
        if self.organisation_id and self.organisation.municipality_id != self.municipality_id:
            raise ValidationError(
                {"organisation": "Deze organisatie hoort bij een andere gemeente."}
            )
