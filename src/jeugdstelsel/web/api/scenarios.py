"""Scenarios and their runs (doorrekeningen) in the API, with the lab's own rules.

The same access rules as the lab pages (``lab.access``): administrators and policy advisors of a
municipality see all its scenarios, create and run them; the owner (or an administrator) changes
and deletes one; council members and partners read shared scenarios and their runs. A scenario
of a municipality where the user has no role does not exist for her (404); a write she may not
do is a 403. A run request only inserts a row in the job table (``lab.views.queue_run``) and
answers 202 with the run's address; the worker process computes it, never the request.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from jeugdstelsel.web import modelbridge
from jeugdstelsel.web.api.viewsets import MUNI_PARAM, municipality_filter
from jeugdstelsel.web.kompas import roles
from jeugdstelsel.web.kompas.models import Municipality
from jeugdstelsel.web.lab import access
from jeugdstelsel.web.lab.forms import FIRST_LEVER_YEAR, LAST_LEVER_YEAR, _nl
from jeugdstelsel.web.lab.models import MAX_END, MIN_END, Run, Scenario

#: The run's status in the API (Dutch, stable) from the job table's value.
STATUS = {
    Run.Status.QUEUED: "wachtend",
    Run.Status.RUNNING: "bezig",
    Run.Status.DONE: "klaar",
    Run.Status.FAILED: "mislukt",
}


class ModelUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = modelbridge.NOT_YET
    default_code = "model_niet_beschikbaar"


@lru_cache(maxsize=1)
def _library():
    """The lever library (``jeugdstelsel.levers``) by key, or None when it is not installed."""
    try:
        from jeugdstelsel.levers import load_library
    except ImportError:
        return None
    return {lever.key: lever for lever in load_library()}


# -- scenarios ------------------------------------------------------------------------------
class LeverUseSerializer(serializers.Serializer):
    naam = serializers.CharField(help_text="Sleutel van de hefboom in de bibliotheek.")
    dosis = serializers.FloatField(help_text="In de eenheid van de hefboom, binnen haar bereik.")
    start = serializers.IntegerField(
        default=2026, help_text=f"Startjaar, {FIRST_LEVER_YEAR}-{LAST_LEVER_YEAR}."
    )

    def validate(self, attrs):
        # Why explicit: in a PATCH DRF passes ``partial`` on to nested items, so a lever without
        # its name or dose would arrive here; a lever is always given whole.
        missing = {key: "Dit veld is verplicht." for key in ("naam", "dosis") if key not in attrs}
        if missing:
            raise serializers.ValidationError(missing, code="required")
        attrs.setdefault("start", 2026)
        library = _library()
        if library is None:
            raise serializers.ValidationError(
                {"naam": "De bibliotheek met hefbomen is in deze installatie niet aanwezig."},
                code="geen_bibliotheek",
            )
        lever = library.get(attrs["naam"])
        if lever is None:
            raise serializers.ValidationError(
                {"naam": f"Onbekende hefboom “{attrs['naam']}”; kies uit: "
                         f"{', '.join(sorted(library))}."},
                code="onbekende_hefboom",
            )
        low, high = lever.dosis.min, lever.dosis.max
        if not low <= attrs["dosis"] <= high:
            raise serializers.ValidationError(
                {"dosis": f"De dosis moet tussen {_nl(low)} en {_nl(high)} "
                          f"{lever.dosis.eenheid} liggen."},
                code="dosis_buiten_bereik",
            )
        if not FIRST_LEVER_YEAR <= attrs["start"] <= LAST_LEVER_YEAR:
            raise serializers.ValidationError(
                {"start": f"Het startjaar moet tussen {FIRST_LEVER_YEAR} en {LAST_LEVER_YEAR} "
                          "liggen."},
                code="startjaar_buiten_bereik",
            )
        return {"naam": lever.key, "dosis": float(attrs["dosis"]), "start": int(attrs["start"])}


class ScenarioSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(),
        help_text="CBS-code van de gemeente, bijv. GM0281.",
    )
    owner = serializers.CharField(source="owner.username", read_only=True)
    levers = LeverUseSerializer(many=True, required=False)
    end_year = serializers.IntegerField(
        min_value=MIN_END, max_value=MAX_END, required=False, default=2030,
        error_messages={
            "min_value": f"Kies een eindjaar van {MIN_END} tot en met {MAX_END}.",
            "max_value": f"Kies een eindjaar van {MIN_END} tot en met {MAX_END}.",
        },
    )

    class Meta:
        model = Scenario
        fields = ("id", "municipality", "name", "description", "owner", "levers", "end_year",
                  "shared", "created_at", "updated_at")
        read_only_fields = ("id", "owner", "created_at", "updated_at")
        extra_kwargs = {  # noqa: RUF012
            "name": {"error_messages": {"blank": "Geef het scenario een naam.",
                                        "required": "Geef het scenario een naam."}},
        }

    def validate_municipality(self, municipality):
        """Only municipalities where the user has a role exist for her (400, not their data)."""
        request = self.context["request"]
        if roles.role_in(request.user, municipality) is None:
            raise serializers.ValidationError("Deze gemeente bestaat niet.", code="does_not_exist")
        if self.instance is not None and municipality.pk != self.instance.municipality_id:
            raise serializers.ValidationError(
                "De gemeente van een scenario kan niet worden gewijzigd.", code="onveranderlijk"
            )
        return municipality

    def validate_name(self, name: str) -> str:
        return name.strip()

    def validate(self, attrs):
        municipality = attrs.get("municipality") or getattr(self.instance, "municipality", None)
        name = attrs.get("name", getattr(self.instance, "name", ""))
        clash = Scenario.objects.filter(municipality=municipality, name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if municipality is not None and clash.exists():
            raise serializers.ValidationError(
                {"name": "Er is al een scenario met deze naam in deze gemeente."}, code="unique"
            )
        levers = attrs.get("levers", getattr(self.instance, "levers", []))
        end_year = attrs.get("end_year", getattr(self.instance, "end_year", 2030))
        keys = [x["naam"] for x in levers]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError(
                {"levers": "Elke hefboom mag maar één keer in een scenario staan."},
                code="dubbele_hefboom",
            )
        late = {i: {"start": "Het startjaar ligt na het einde van het scenario."}
                for i, lever in enumerate(levers) if lever["start"] > end_year}
        if late:  # same shape as DRF's own errors of a nested list: ``levers.0.start``
            raise serializers.ValidationError({"levers": late}, code="start_na_einde")
        if "levers" in attrs or "end_year" in attrs:
            problem = modelbridge.check_levers(levers, end_year)
            if problem:
                raise serializers.ValidationError(
                    {"levers": f"Deze combinatie van hefbomen kan niet: {problem}"},
                    code="tegenstrijdig",
                )
        return attrs


def _writer_q(user, prefix: str = "") -> Q:
    """Scenarios (or runs, via ``prefix``) this user may read, over all her municipalities."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    writer, reader = [], []
    for municipality in roles.visible_municipalities(user):
        (writer if roles.role_in(user, municipality) in access.WRITERS else reader).append(
            municipality.pk
        )
    return Q(**{f"{prefix}municipality__in": writer}) | Q(
        **{f"{prefix}municipality__in": reader, f"{prefix}shared": True}
    )


# -- runs -----------------------------------------------------------------------------------
def _visible_runs(user):
    """Runs whose plan (and reference, if any) the user may read; deleted plans are gone."""
    qs = Run.objects.filter(plan__deleted_at__isnull=True).select_related(
        "municipality", "plan", "reference"
    )
    if getattr(user, "is_superuser", False):
        return qs
    plan_q = _writer_q(user, "plan__")
    ref_ok = (
        Q(reference__isnull=True)
        | Q(reference__shared=True)
        | Q(municipality__in=[
            mu.pk for mu in roles.visible_municipalities(user)
            if roles.role_in(user, mu) in access.WRITERS
        ])
    )
    return qs.filter(plan_q & ref_ok).order_by("-created_at")


class RunRequestSerializer(serializers.Serializer):
    reference = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Scenario om mee te vergelijken; leeg: dezelfde gemeente zonder hefbomen.",
    )

    def validate_reference(self, pk):
        if pk is None:
            return None
        scenario = self.context["scenario"]
        request = self.context["request"]
        found = Scenario.objects.filter(
            _writer_q(request.user), pk=pk, municipality=scenario.municipality
        ).exclude(pk=scenario.pk).first()
        if found is None:
            raise serializers.ValidationError(
                "Kies een ander scenario van dezelfde gemeente om mee te vergelijken.",
                code="does_not_exist",
            )
        return found


class RunSummarySerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    scenario = serializers.PrimaryKeyRelatedField(source="plan", read_only=True)
    reference = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = ("id", "url", "status", "municipality", "scenario", "reference", "created_at",
                  "started_at", "finished_at")

    def get_status(self, run) -> str:
        return STATUS[run.status]

    def get_url(self, run) -> str:
        return f"/api/v1/doorrekeningen/{run.pk}"


class QuantilesSerializer(serializers.Serializer):
    p10 = serializers.ListField(child=serializers.FloatField())
    p50 = serializers.ListField(child=serializers.FloatField(), help_text="Mediaan.")
    p90 = serializers.ListField(child=serializers.FloatField())


class DiffQuantilesSerializer(QuantilesSerializer):
    kans_lager = serializers.ListField(
        child=serializers.FloatField(), help_text="Kans (0-1) dat het plan lager uitkomt."
    )


class YearSeriesSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    headline = serializers.BooleanField()
    years = serializers.ListField(child=serializers.IntegerField())
    ref = QuantilesSerializer(help_text="Referentie per jaar: mediaan en 80%-interval.")
    plan = QuantilesSerializer(help_text="Plan per jaar: mediaan en 80%-interval.")
    diff = DiffQuantilesSerializer(help_text="Verschil plan - referentie, per trekking.")


class TermRowSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    optelling = serializers.ChoiceField(choices=["som", "gemiddelde"])
    ref = serializers.FloatField(allow_null=True, help_text="Referentie, mediaan.")
    plan = serializers.FloatField(allow_null=True, help_text="Plan, mediaan.")
    diff = serializers.FloatField(allow_null=True, help_text="Verschil, mediaan.")
    diff_p10 = serializers.FloatField(allow_null=True)
    diff_p90 = serializers.FloatField(allow_null=True)
    kans_lager = serializers.FloatField(allow_null=True)


class ResultSerializer(serializers.Serializer):
    area = serializers.CharField()
    area_name = serializers.CharField()
    draws = serializers.IntegerField()
    seed = serializers.IntegerField()
    names = inline_serializer("Namen", {"ref": serializers.CharField(),
                                        "plan": serializers.CharField()})
    term = serializers.CharField(help_text="Raadsperiode, bijv. 2026-2029.")
    term_rows = TermRowSerializer(many=True, help_text="Verschillen over de raadsperiode.")
    series = YearSeriesSerializer(many=True, help_text="Reeksen per jaar met banden.")
    effectiveness = serializers.ListField(child=serializers.DictField())
    levers = serializers.ListField(child=serializers.DictField())
    seconds = serializers.FloatField()


class RunSerializer(RunSummarySerializer):
    position = serializers.SerializerMethodField(help_text="Wachtenden vóór deze.")
    error = serializers.CharField(read_only=True, help_text="Waarom het mislukte (Nederlands).")
    details_ready = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta(RunSummarySerializer.Meta):
        fields = (*RunSummarySerializer.Meta.fields, "position", "error", "details_ready",
                  "result")

    def get_position(self, run) -> int:
        if run.status != Run.Status.QUEUED:
            return 0
        return Run.objects.filter(status=Run.Status.QUEUED, created_at__lt=run.created_at).count()

    def get_details_ready(self, run) -> bool:
        return run.details is not None

    @extend_schema_field(ResultSerializer(allow_null=True))
    def get_result(self, run):
        if run.status != Run.Status.DONE or not run.result:
            return None
        r = run.result
        keep = ("key", "label", "unit", "headline", "ref", "plan", "diff")
        return {
            "area": r["area"],
            "area_name": r["area_name"],
            "draws": r["draws"],
            "seed": r["seed"],
            "names": r["names"],
            "term": r["term"],
            "term_rows": r["term_rows"],
            "series": [{**{k: ind[k] for k in keep}, "years": r["years"]}
                       for ind in r["indicators"]],
            "effectiveness": r["effectiveness"],
            "levers": r["levers"],
            "seconds": r["seconds"],
        }


@extend_schema_view(list=extend_schema(parameters=[MUNI_PARAM]))
class ScenarioViewSet(viewsets.ModelViewSet):
    """Scenario's van het scenariolab: hefbomen met dosis en startjaar, per gemeente."""

    serializer_class = ScenarioSerializer
    permission_classes = (permissions.IsAuthenticated,)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")

    def get_queryset(self):
        qs = Scenario.objects.filter(_writer_q(self.request.user)).select_related(
            "municipality", "owner"
        )
        if code := municipality_filter(self.request):
            qs = qs.filter(municipality__code=code)
        return qs.order_by("id")

    def _role(self, municipality) -> str | None:
        return roles.role_in(self.request.user, municipality)

    def perform_create(self, serializer):
        municipality = serializer.validated_data["municipality"]
        if not access.can_create(self._role(municipality)):
            raise PermissionDenied("U heeft geen rechten om hier een scenario te maken.")
        with transaction.atomic():
            serializer.save(owner=self.request.user)

    def perform_update(self, serializer):
        scenario = serializer.instance
        if not access.can_edit(self.request.user, self._role(scenario.municipality), scenario):
            raise PermissionDenied("Alleen de eigenaar of een beheerder wijzigt dit scenario.")
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        """Soft delete, as on the page: an administrator restores it in Beheer."""
        if not access.can_edit(self.request.user, self._role(instance.municipality), instance):
            raise PermissionDenied("Alleen de eigenaar of een beheerder verwijdert dit scenario.")
        instance.deleted_at = timezone.now()
        instance.save(update_fields=["deleted_at"])

    @extend_schema(
        methods=["GET"],
        summary="Doorrekeningen van dit scenario",
        request=None,
        responses=RunSummarySerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Doorrekening aanvragen (202; de worker rekent, Location wijst de doorrekening)",
        request=RunRequestSerializer,
        responses={202: RunSummarySerializer},
        parameters=[
            OpenApiParameter(
                "Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[202],
                description="Adres van de doorrekening, /api/v1/doorrekeningen/{id}.",
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], url_path="doorrekeningen")
    def doorrekeningen(self, request, pk=None):
        scenario = self.get_object()
        role = self._role(scenario.municipality)
        if request.method == "GET":
            runs = _visible_runs(request.user).filter(plan=scenario).defer(
                "result", "details", "spec"
            )
            page = self.paginate_queryset(runs)
            data = RunSummarySerializer(page, many=True, context={"request": request}).data
            return self.get_paginated_response(data)
        if not access.can_run(role):
            raise PermissionDenied("U heeft geen rechten om een scenario door te rekenen.")
        if not modelbridge.available():
            raise ModelUnavailable
        body = RunRequestSerializer(data=request.data, context={"request": request,
                                                                "scenario": scenario})
        body.is_valid(raise_exception=True)
        from jeugdstelsel.web.lab.views import queue_run

        run = queue_run(scenario.municipality, scenario, body.validated_data.get("reference"),
                        request.user)
        location = f"/api/v1/doorrekeningen/{run.pk}"
        data = RunSummarySerializer(run, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema_view(list=extend_schema(parameters=[MUNI_PARAM]))
class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Doorrekeningen: status (wachtend, bezig, klaar, mislukt) en, als ze klaar zijn, de
    uitkomst."""

    permission_classes = (permissions.IsAuthenticated,)
    lookup_value_regex = r"[0-9a-f-]{36}"

    def get_serializer_class(self):
        return RunSerializer if self.action == "retrieve" else RunSummarySerializer

    def get_queryset(self):
        from jeugdstelsel.web.lab import worker

        worker.reap_dead()  # a run whose worker died is queued again or failed, never "bezig"
        qs = _visible_runs(self.request.user)
        if self.action != "retrieve":
            qs = qs.defer("result", "details", "spec")
        if code := municipality_filter(self.request):
            qs = qs.filter(municipality__code=code)
        return qs

