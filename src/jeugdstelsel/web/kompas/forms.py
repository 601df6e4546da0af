"""Forms for the workspace items. Labels and messages come from the models (Dutch); the forms
limit every choice to the user's own municipality so no other municipality's item can be picked.
"""

from __future__ import annotations

from django import forms
from django.db import models

from jeugdstelsel.web.core.numbers import dutch
from jeugdstelsel.web.kompas import models as m

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _formfield(field: models.Field, **kwargs) -> forms.Field | None:
    """Why: links are https by default (and Django 6 changes the default scheme)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ItemForm(forms.ModelForm):
    """Base form: scopes area and foreign-key choices to one municipality."""

    #: Foreign-key fields to other workspace items, limited to live ones in the municipality.
    scoped_item_fields: tuple[str, ...] = ()

    def __init__(
        self, *args, municipality: m.Municipality, partner_org_id: int | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        if "area" in self.fields:
            self.fields["area"].queryset = m.Area.objects.filter(municipality=municipality)
            self.fields["area"].empty_label = None
        for name in self.scoped_item_fields:
            field = self.fields[name]
            field.queryset = field.queryset.model.objects.filter(area__municipality=municipality)
        if "organisation" in self.fields:
            orgs = m.Organisation.objects.filter(municipality=municipality)
            if partner_org_id is not None:
                # A partner records for her own organisation only.
                orgs = orgs.filter(pk=partner_org_id)
                self.fields["organisation"].required = True
                self.fields["organisation"].empty_label = None
            self.fields["organisation"].queryset = orgs
        for name, field in list(self.fields.items()):
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE
            elif isinstance(field, forms.FloatField | forms.DecimalField):
                # Dutch users type 1.033 and 12,5: one parser for every form (core.numbers).
                self.fields[name] = dutch(field)


class IssueForm(ItemForm):
    class Meta:
        model = m.Issue
        fields = ("area", "kind", "rank", "title", "description")


class GoalForm(ItemForm):
    scoped_item_fields = ("issue",)

    class Meta:
        model = m.Goal
        fields = (
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

    def __init__(self, *args, **kwargs):
        from jeugdstelsel.web import modelbridge

        super().__init__(*args, **kwargs)
        #: Suggestions for the model output field (rendered as a <datalist>).
        self.output_choices = sorted(modelbridge.output_keys().items())
        if self.output_choices:
            self.fields["model_output_key"].widget.attrs["list"] = "modeluitkomsten"

    def clean_model_output_key(self) -> str:
        """Why: a goal tied to an output the model does not have could never be checked."""
        from jeugdstelsel.web import modelbridge

        key = self.cleaned_data.get("model_output_key", "")
        if key:
            m.output_key_validator(key)  # the spelling first, then whether the model knows it
        known = modelbridge.output_keys()
        if key and known and key not in known:
            close = sorted(k for k in known if key.split("_")[0] in k)[:5]
            hint = f" Bedoelt u: {', '.join(close)}?" if close else ""
            raise forms.ValidationError(f"Het model kent de uitkomst '{key}' niet.{hint}")
        return key


class ActivityForm(ItemForm):
    scoped_item_fields = ("goal",)

    class Meta:
        model = m.Activity
        fields = ("area", "goal", "title", "layer", "organisation", "description", "start", "end")


class InterventionForm(ItemForm):
    scoped_item_fields = ("activity",)

    class Meta:
        model = m.Intervention
        formfield_callback = _formfield
        fields = ("activity", "name", "evidence_level", "databank_url", "workers")

    def clean(self):
        """Why: an intervention belongs to the area of its activity, never chosen separately."""
        data = super().clean()
        if data.get("activity"):
            self.instance.area = data["activity"].area
        return data


class MeasurementForm(ItemForm):
    scoped_item_fields = ("goal",)

    class Meta:
        model = m.Measurement
        fields = ("goal", "kind", "date", "value", "organisation", "note")

    def clean(self):
        data = super().clean()
        if data.get("goal"):
            self.instance.area = data["goal"].area
        return data


class ImprovementActionForm(ItemForm):
    scoped_item_fields = ("goal",)

    class Meta:
        model = m.ImprovementAction
        fields = ("area", "goal", "title", "owner", "status", "due", "description")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Exportbestand (JSON)",
        help_text="Een bestand dat met 'Exporteren' van deze gemeente is gemaakt.",
        error_messages={"required": "Kies een bestand om te importeren."},
    )
