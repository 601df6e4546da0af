"""Serializers of the API. Validation reuses the models' own rules (``full_clean``) through the
change service, so the API, the forms and the import refuse the same input with the same words.
"""

from __future__ import annotations

from rest_framework import serializers

from jeugdstelsel.web.kompas import models as m


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Municipality
        fields = ("code", "name")


class AreaSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = m.Area
        fields = ("id", "municipality", "kind", "name", "cbs_code")


class OrganisationSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = m.Organisation
        fields = ("id", "municipality", "name", "kind")


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related item or area the user can see; others do not exist for her (400, not data)."""

    def get_queryset(self):
        from jeugdstelsel.web.kompas import roles

        request = self.context["request"]
        model = self.queryset.model
        munis = roles.visible_municipalities(request.user)
        if model in (m.Area, m.Organisation):
            return model.objects.filter(municipality__in=munis)
        return model.objects.filter(area__municipality__in=munis)


ITEM_BASE = ["id", "uid", "municipality", "created_at", "updated_at"]


class ItemSerializer(serializers.ModelSerializer):
    municipality = serializers.SerializerMethodField()
    serializer_related_field = ScopedRelatedField

    def get_municipality(self, obj) -> str:
        return obj.area.municipality.code

    def validate(self, attrs):
        """Run the model's own rules; Django's ValidationError becomes a 400 per field."""
        from django.core.exceptions import ValidationError as DjangoValidationError

        instance = self.instance or self.Meta.model()
        before = instance.area.municipality_id if instance.area_id else None
        for key, value in attrs.items():
            setattr(instance, key, value)
        self.prepare(instance)
        self._same_municipality(instance, before)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        self._prepared = instance
        return attrs

    def _same_municipality(self, instance, before: int | None) -> None:
        """An item stays in its municipality, and links only to items, areas and organisations
        of that municipality (a user with roles in two municipalities cannot mix them)."""
        if not instance.area_id:
            return
        here = instance.area.municipality_id
        if before is not None and here != before:
            raise serializers.ValidationError(
                {"area": "Een onderdeel kan niet naar een andere gemeente worden verplaatst."},
                code="andere_gemeente",
            )
        for field in instance._meta.concrete_fields:
            if not field.is_relation or field.name in ("area", "deleted_by"):
                continue
            related = getattr(instance, field.name, None)
            if related is None:
                continue
            if isinstance(related, m.Organisation):
                there = related.municipality_id
            elif hasattr(related, "area"):
                there = related.area.municipality_id
            else:
                continue
            if there != here:
                raise serializers.ValidationError(
                    {field.name: "Dit hoort bij een andere gemeente dan het gebied."},
                    code="andere_gemeente",
                )

    def prepare(self, instance) -> None:
        """Hook: derive fields (e.g. the area from the parent item) before validation."""

    def create(self, validated_data):
        return self._prepared

    def update(self, instance, validated_data):
        return self._prepared


class IssueSerializer(ItemSerializer):
    class Meta:
        model = m.Issue
        fields = (*ITEM_BASE, "area", "kind", "rank", "title", "description")


class GoalSerializer(ItemSerializer):
    class Meta:
        model = m.Goal
        fields = (
            *ITEM_BASE,
            "area",
            "issue",
            "title",
            "indicator",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "deadline",
            "model_output_key",
        )


class ActivitySerializer(ItemSerializer):
    class Meta:
        model = m.Activity
        fields = (
            *ITEM_BASE,
            "area",
            "goal",
            "title",
            "description",
            "layer",
            "organisation",
            "start",
            "end",
        )


class InterventionSerializer(ItemSerializer):
    class Meta:
        model = m.Intervention
        fields = (
            *ITEM_BASE,
            "area",
            "activity",
            "name",
            "evidence_level",
            "databank_url",
            "workers",
        )
        read_only_fields = ("area",)

    def prepare(self, instance) -> None:
        if instance.activity_id:
            instance.area = instance.activity.area


class MeasurementSerializer(ItemSerializer):
    class Meta:
        model = m.Measurement
        fields = (*ITEM_BASE, "area", "goal", "kind", "date", "value", "note", "organisation")
        read_only_fields = ("area",)

    def prepare(self, instance) -> None:
        if instance.goal_id:
            instance.area = instance.goal.area


class ImprovementActionSerializer(ItemSerializer):
    class Meta:
        model = m.ImprovementAction
        fields = (*ITEM_BASE, "area", "goal", "title", "description", "owner", "status", "due")


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    periods = serializers.IntegerField(help_text="Aantal cijfers in de reeks (Nederland).")


class FigureSerializer(serializers.Serializer):
    period = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    value = serializers.FloatField()
    unit = serializers.CharField()
    status = serializers.ChoiceField(choices=["definitief", "voorlopig", "afgeleid"])
    comparable_with_before_2021 = serializers.BooleanField(
        help_text="Onwaar voor jeugdzorgcijfers vanaf 2021 (trendbreuk: meer aanbieders)."
    )
    definition = serializers.CharField()
    source_title = serializers.CharField()
    source_url = serializers.CharField()


class MunicipalSeriesSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Reeks (CBS-onderwerp zonder nummer).")
    datasets = serializers.ListField(child=serializers.CharField(), help_text="CBS-tabellen.")
    unit = serializers.CharField()
    definition = serializers.CharField(allow_blank=True)
    figures = serializers.IntegerField(help_text="Aantal cijfers (alle perioden en indelingen).")
    first_period = serializers.CharField()
    last_period = serializers.CharField()


class MunicipalFigureSerializer(serializers.Serializer):
    dataset = serializers.CharField()
    measure = serializers.CharField()
    period = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    category_label = serializers.CharField(allow_blank=True)
    value = serializers.FloatField(allow_null=True, help_text="Leeg: niet gepubliceerd.")
    unit = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    definition = serializers.CharField(allow_blank=True)
    comparable_since = serializers.IntegerField(
        allow_null=True, help_text="Vergelijkbaar vanaf dit jaar (trendbreuk), of leeg."
    )
