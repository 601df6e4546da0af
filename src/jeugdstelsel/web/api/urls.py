"""API routes: /api/v1/<Dutch plural>, no trailing slashes, OpenAPI at /api/v1/openapi.json."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from jeugdstelsel.web.api import scenarios as sc
from jeugdstelsel.web.api import viewsets as v

router = SimpleRouter(trailing_slash=False)
router.register("gemeenten", v.MunicipalityViewSet, basename="gemeente")
router.register("gebieden", v.AreaViewSet, basename="gebied")
router.register("organisaties", v.OrganisationViewSet, basename="organisatie")
router.register("vraagstukken", v.IssueViewSet, basename="vraagstuk")
router.register("doelen", v.GoalViewSet, basename="doel")
router.register("activiteiten", v.ActivityViewSet, basename="activiteit")
router.register("interventies", v.InterventionViewSet, basename="interventie")
router.register("metingen", v.MeasurementViewSet, basename="meting")
router.register("verbeteracties", v.ImprovementActionViewSet, basename="verbeteractie")
router.register("reeksen", v.SeriesViewSet, basename="reeks")
router.register("scenarios", sc.ScenarioViewSet, basename="scenario")
router.register("doorrekeningen", sc.RunViewSet, basename="doorrekening")

app_name = "api"
urlpatterns = [
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="openapi",
    ),
    path("", include(router.urls)),
]
