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


class MemberForm(forms.Form):
    """A municipal administrator gives a (new or existing) user a role in her municipality."""

    username = forms.CharField(label="Gebruikersnaam", max_length=150)
    email = forms.EmailField(label="E-mailadres", required=False,
                             help_text="Alleen voor een nieuwe gebruiker.")
    role = forms.ChoiceField(label="Rol", choices=m.Role.choices)
    organisation = forms.ModelChoiceField(
        label="Organisatie", queryset=m.Organisation.objects.none(), required=False,
        help_text="Verplicht voor een partner: de organisatie waarvoor hij of zij invoert.")
    password = forms.CharField(
        label="Eerste wachtwoord", required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Alleen voor een nieuwe gebruiker: ten minste 10 tekens. Laat de gebruiker "
        "het na de eerste keer inloggen veranderen.")

    def __init__(self, *args, municipality: m.Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["organisation"].queryset = m.Organisation.objects.filter(
            municipality=municipality)

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        username = (data.get("username") or "").strip()
        user = get_user_model().objects.filter(username=username).first()
        self.user = user
        if data.get("role") == m.Role.PARTNER and not data.get("organisation"):
            self.add_error("organisation", "Kies de organisatie van deze partner.")
        if user is not None:
            if m.Membership.objects.filter(user=user, municipality=self.municipality).exists():
                self.add_error("username", "Deze gebruiker heeft al een rol in deze gemeente; "
                               "wijzig die rol in de lijst.")
        elif not data.get("password"):
            self.add_error("password", "Geef een nieuwe gebruiker een eerste wachtwoord.")
        else:
            try:
                validate_password(data["password"], get_user_model()(username=username))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = m.Membership
        fields = ("role", "organisation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = m.Organisation.objects.filter(
            municipality=self.instance.municipality)


class _UniqueNameInMunicipality(forms.ModelForm):
    """Why: the unique (municipality, name) constraint is not checked by a form without the
    municipality field; it would end as a database error."""

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        model = type(self.instance)
        clash = model.objects.filter(municipality=self.instance.municipality, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Deze naam bestaat al in deze gemeente.")
        return name


class AreaForm(_UniqueNameInMunicipality):
    class Meta:
        model = m.Area
        fields = ("name", "cbs_code")
        labels = {"name": "Naam van de wijk"}  # noqa: RUF012


class OrganisationForm(_UniqueNameInMunicipality):
    class Meta:
        model = m.Organisation
        fields = ("name", "kind")
        labels = {"name": "Naam van de organisatie"}  # noqa: RUF012
