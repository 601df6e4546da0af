"""API viewsets: municipalities, Kwaliteitskompas items and the embedded national figures.

Reading shows only the municipalities where the user has a role; changes go through
``kompas.history`` (validation, history, soft delete), exactly like the web forms.
"""

from __future__ import annotations

import importlib
import logging
import re

import pandas as pd
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from jeugdstelsel.data import refdata
from jeugdstelsel.web import storebridge
from jeugdstelsel.web.api import serializers as s
from jeugdstelsel.web.api.permissions import ItemPermission
from jeugdstelsel.web.kompas import history, roles
from jeugdstelsel.web.kompas import models as m

log = logging.getLogger(__name__)
MUNI_PARAM = OpenApiParameter(
    "gemeente", OpenApiTypes.STR, pattern=r"^[Gg][Mm][0-9]{4}$",
    description="Alleen deze gemeente (CBS-code, bijv. GM0363).",
)
_MUNI_CODE = re.compile(r"[Gg][Mm][0-9]{4}")


def municipality_filter(request) -> str | None:
    """The ``gemeente`` query parameter as a CBS code, None without it; a 400 when malformed."""
    code = request.query_params.get("gemeente")
    if code is None:
        return None
    if not _MUNI_CODE.fullmatch(code):
        raise ValidationError(
            {"gemeente": ["Geef de CBS-code van een gemeente, bijv. GM0281."]}, code="ongeldig"
        )
    return code.upper()


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """Gemeenten waar u een rol heeft."""

    serializer_class = s.MunicipalitySerializer
    lookup_field = "code"
    lookup_value_regex = r"GM\d{4}"

    def get_queryset(self):
        return roles.visible_municipalities(self.request.user).order_by("code")

    @extend_schema(
        summary="Reeksen van deze gemeente in de cijferopslag (CBS)",
        responses=s.MunicipalSeriesSerializer(many=True),
    )
    @action(detail=True, url_path="reeksen", pagination_class=None)
    def reeksen(self, request, code: str):
        municipality = self.get_object()
        frame = _store_observations(municipality.code)
        data = []
        if not frame.empty:
            for name, group in frame.groupby("series", sort=True):
                periods = sorted(group["period"].unique())
                data.append({
                    "name": name,
                    "datasets": sorted(group["dataset"].unique()),
                    "unit": str(group["unit"].iloc[0]),
                    "definition": str(group["definition"].iloc[0]),
                    "figures": len(group),
                    "first_period": periods[0],
                    "last_period": periods[-1],
                })
        return Response(s.MunicipalSeriesSerializer(data, many=True).data)

    @extend_schema(
        summary="Cijfers van één reeks voor deze gemeente (CBS, huidige indeling)",
        operation_id="gemeenten_reeksen_retrieve",
        responses=s.MunicipalFigureSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "naam", OpenApiTypes.STR, OpenApiParameter.PATH, description="Naam van de reeks."
            )
        ],
    )
    @action(detail=True, url_path=r"reeksen/(?P<naam>[A-Za-z0-9_]+)", pagination_class=None)
    def reeks(self, request, code: str, naam: str):
        municipality = self.get_object()
        frame = _store_observations(municipality.code, naam)
        if frame.empty:
            raise NotFound(f"De cijferopslag heeft geen reeks '{naam}' voor deze gemeente.")
        data = [
            {
                "dataset": r.dataset,
                "measure": r.measure,
                "period": r.period,
                "category": r.category,
                "category_label": r.category_label or "",
                "value": None if pd.isna(r.value) else float(r.value),
                "unit": r.unit,
                "status": r.status,
                "definition": r.definition,
                "comparable_since": None if pd.isna(r.comparable_since)
                else int(r.comparable_since),
            }
            for r in frame.itertuples(index=False)
        ]
        return Response(s.MunicipalFigureSerializer(data, many=True).data)


def _store_observations(code: str, series: str | None = None) -> pd.DataFrame:
    """A municipality's figures from the store (``storebridge``'s module); empty without it."""
    try:
        service = importlib.import_module(storebridge.SERVICE_MODULE)
    except ModuleNotFoundError:
        return pd.DataFrame()
    try:
        return service.observations(code, series)
    except Exception:  # not in the store (yet), tables not migrated: no figures, no 500
        log.exception("api: store observations for %s failed", code)
        return pd.DataFrame()


@extend_schema_view(list=extend_schema(parameters=[MUNI_PARAM]))
class _ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    model: type = m.Area

    def get_queryset(self):
        qs = self.model.objects.filter(
            municipality__in=roles.visible_municipalities(self.request.user)
        ).select_related("municipality")
        if code := municipality_filter(self.request):
            qs = qs.filter(municipality__code=code)
        return qs.order_by("id")


class AreaViewSet(_ScopedViewSet):
    """Gebieden (de hele gemeente en wijken)."""

    model = m.Area
    serializer_class = s.AreaSerializer


class OrganisationViewSet(_ScopedViewSet):
    """Partnerorganisaties."""

    model = m.Organisation
    serializer_class = s.OrganisationSerializer


@extend_schema_view(list=extend_schema(parameters=[MUNI_PARAM]))
class ItemViewSet(viewsets.ModelViewSet):
    """Base for the six Kwaliteitskompas resources."""

    model: type[m.WorkspaceItem]
    permission_classes = (permissions.IsAuthenticated, ItemPermission)
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")

    def get_queryset(self):
        qs = self.model.objects.filter(
            area__municipality__in=roles.visible_municipalities(self.request.user)
        ).select_related("area__municipality")
        if code := municipality_filter(self.request):
            qs = qs.filter(area__municipality__code=code)
        return qs.order_by("id")

    def _check_partner(self, instance) -> None:
        municipality = instance.area.municipality
        if roles.role_in(self.request.user, municipality) == m.Role.PARTNER:
            org = roles.partner_organisation_id(self.request.user, municipality)
            if instance.organisation_id is None:
                instance.organisation_id = org
            if instance.organisation_id != org:
                raise PermissionDenied("Als partner voert u alleen in voor uw eigen organisatie.")

    def perform_create(self, serializer):
        instance = serializer.save()
        if not roles.can_add(self.request.user, instance.area.municipality, self.model):
            raise PermissionDenied("U heeft geen rechten om dit toe te voegen.")
        self._check_partner(instance)
        history.save_item(instance, self.request.user)

    def perform_update(self, serializer):
        instance = serializer.save()
        if not roles.can_add(self.request.user, instance.area.municipality, self.model):
            raise PermissionDenied("U heeft geen rechten in deze gemeente.")
        self._check_partner(instance)
        history.save_item(instance, self.request.user)

    def perform_destroy(self, instance):
        """Soft delete: an administrator can restore it; the history keeps who did it."""
        history.soft_delete(instance, self.request.user)


def _item_viewset(model_, serializer_, doc: str) -> type[ItemViewSet]:
    return type(
        f"{model_.__name__}ViewSet",
        (ItemViewSet,),
        {
            "model": model_,
            "serializer_class": serializer_,
            "__doc__": doc,
        },
    )


IssueViewSet = _item_viewset(m.Issue, s.IssueSerializer, "Vraagstukken (stap 1).")
GoalViewSet = _item_viewset(m.Goal, s.GoalSerializer, "Doelen met indicator (stap 2).")
ActivityViewSet = _item_viewset(m.Activity, s.ActivitySerializer, "Activiteiten (stap 3).")
InterventionViewSet = _item_viewset(
    m.Intervention, s.InterventionSerializer, "Interventies met erkenning (stap 4)."
)
MeasurementViewSet = _item_viewset(m.Measurement, s.MeasurementSerializer, "Metingen (stap 5).")
ImprovementActionViewSet = _item_viewset(
    m.ImprovementAction, s.ImprovementActionSerializer, "Verbeteracties (stap 6)."
)

YOUTH_CARE_PREFIXES = ("youth_", "jh_")


class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Landelijke reeksen (CBS en NJi, CC-BY 4.0), met status en trendbreuk per cijfer."""

    permission_classes = (permissions.AllowAny,)
    lookup_field = "name"
    lookup_value_regex = r"[a-z0-9_]+"
    pagination_class = None

    def get_serializer_class(self):
        return s.FigureSerializer if self.action == "retrieve" else s.SeriesSerializer

    @extend_schema(responses=s.SeriesSerializer(many=True))
    def list(self, request):
        frame = refdata.load_figures()
        frame = frame[frame["geo"] == "Nederland"]
        first = (
            frame.groupby("series")
            .agg(
                unit=("unit", "first"),
                definition=("definition", "first"),
                periods=("value", "size"),
            )
            .reset_index()
        )
        data = [
            {
                "name": r.series,
                "unit": r.unit,
                "definition": r.definition,
                "periods": int(r.periods),
            }
            for r in first.itertuples(index=False)
        ]
        return Response(s.SeriesSerializer(data, many=True).data)

    @extend_schema(
        operation_id="reeksen_retrieve",
        responses=s.FigureSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "name", OpenApiTypes.STR, OpenApiParameter.PATH, description="Naam van de reeks."
            )
        ],
    )
    def retrieve(self, request, name: str):
        rows = refdata.series(name)
        if rows.empty:
            raise NotFound(f"Reeks '{name}' bestaat niet.")
        youth_care = name.startswith(YOUTH_CARE_PREFIXES)
        data = [
            {
                "period": r.period,
                "category": r.category,
                "value": float(r.value),
                "unit": r.unit,
                "status": r.status,
                "comparable_with_before_2021": not (youth_care and str(r.period)[:4] >= "2021"),
                "definition": r.definition,
                "source_title": r.source_title,
                "source_url": r.source_url,
            }
            for r in rows.itertuples(index=False)
        ]
        return Response(s.FigureSerializer(data, many=True).data)
