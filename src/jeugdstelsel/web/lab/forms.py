"""The scenario form: name, period and, per lever of the library, use / dose / start year.

Levers are form controls (a checkbox, a dose with its unit and allowed range, a start year), so
a policy advisor never writes TOML; the dose is checked against the lever's declared range here,
with a Dutch message next to the field, and once more by the lever library before a run.
"""

from __future__ import annotations

from django import forms

from jeugdstelsel.web.core.numbers import DutchNumberField, NumberInput
from jeugdstelsel.web.lab.models import MAX_END, MIN_END, Scenario

FIRST_LEVER_YEAR, LAST_LEVER_YEAR = 2025, 2032


def _decimal(label: str, help_text: str = "", **kwargs) -> DutchNumberField:
    field = DutchNumberField(label=label, help_text=help_text, required=False, **kwargs)
    field.widget = NumberInput(attrs={"size": 8})
    return field


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ("name", "description", "end_year", "shared")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}  # noqa: RUF012

    def __init__(self, *args, levers, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.levers = levers
        self.fields["end_year"].widget = forms.Select(
            choices=[(y, str(y)) for y in range(MIN_END, MAX_END + 1)]
        )
        self.fields["end_year"].help_text = (
            "De raadsperiode 2026-2029 valt er altijd binnen; doelen met een latere "
            "einddatum vragen een langere looptijd."
        )
        current = {x["naam"]: x for x in (self.instance.levers or [])}
        self.lever_rows = []
        for lever in levers:
            use, dose, start = (f"gebruik_{lever.key}", f"dosis_{lever.key}",
                                f"start_{lever.key}")
            self.fields[use] = forms.BooleanField(label=f"{lever.name} gebruiken",
                                                  required=False)
            self.fields[dose] = _decimal(
                f"Dosis ({lever.unit})",
                f"Tussen {_nl(lever.minimum)} en {_nl(lever.maximum)}; voorbeeld "
                f"{_nl(lever.example)}.",
            )
            self.fields[start] = forms.TypedChoiceField(
                label="Startjaar", coerce=int, required=False,
                choices=[(y, str(y)) for y in range(FIRST_LEVER_YEAR, LAST_LEVER_YEAR + 1)],
            )
            chosen = current.get(lever.key)
            self.initial.setdefault(use, chosen is not None)
            self.initial.setdefault(dose, chosen["dosis"] if chosen else lever.example)
            self.initial.setdefault(start, chosen["start"] if chosen else 2026)
            self.lever_rows.append((lever, self[use], self[dose], self[start]))

    def visible_basic_fields(self):
        return [self[n] for n in ("name", "description", "end_year", "shared")]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Scenario.objects.filter(municipality=self.municipality, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Er is al een scenario met deze naam in deze gemeente.")
        return name

    def clean(self):
        data = super().clean()
        chosen = []
        for lever in self.levers:
            if not data.get(f"gebruik_{lever.key}"):
                continue
            dose_key, start_key = f"dosis_{lever.key}", f"start_{lever.key}"
            dose = data.get(dose_key)
            if dose is None:
                if dose_key not in self.errors:
                    self.add_error(dose_key, "Vul een dosis in, of zet de hefboom uit.")
                continue
            if not lever.minimum <= dose <= lever.maximum:
                self.add_error(
                    dose_key,
                    f"De dosis moet tussen {_nl(lever.minimum)} en {_nl(lever.maximum)} "
                    f"{lever.unit} liggen.",
                )
                continue
            start = data.get(start_key) or 2026
            end = data.get("end_year") or MAX_END
            if start > end:
                self.add_error(start_key, "Het startjaar ligt na het einde van het scenario.")
                continue
            chosen.append({"naam": lever.key, "dosis": float(dose), "start": int(start)})
        self.cleaned_levers = chosen
        return data

    def save(self, commit: bool = True) -> Scenario:
        self.instance.levers = self.cleaned_levers
        return super().save(commit)


def _nl(value: float) -> str:
    from jeugdstelsel.web.charts import nl_number

    return nl_number(float(value), None if float(value).is_integer() else 2)


class CompareForm(forms.Form):
    """Which saved scenario to compare the plan with (empty: the same area without levers)."""

    reference = forms.ModelChoiceField(
        queryset=Scenario.objects.none(),
        required=False,
        label="Vergelijken met",
        empty_label="Basis: dezelfde gemeente zonder hefbomen",
    )

    def __init__(self, *args, scenarios, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = scenarios
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk)
        self.fields["reference"].queryset = qs
