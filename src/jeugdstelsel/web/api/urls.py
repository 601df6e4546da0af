"""API routes: /api/v1/<Dutch plural>, no trailing slashes, OpenAPI at /api/v1/openapi.json."""

from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
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



class OpenApiView(SpectacularJSONAPIView):
    """The description itself: public, JSON (``application/json`` first), readable cross-origin.

    Dutch API Design Rules /core/doc-openapi and /core/publish-openapi: OpenAPI 3 at
    ``<base>/openapi.json``, publicly and with CORS, so that tools in a browser (such as the
    ADR validator of developer.overheid.nl) can read it. Only this document is cross-origin.
    """

    renderer_classes = (OpenApiJsonRenderer2, OpenApiJsonRenderer)
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        operation_id="openapi_retrieve",
        summary="Deze beschrijving van de API (OpenAPI 3, JSON)",
        description="Openbaar, zonder API-sleutel.",
        responses={200: OpenApiTypes.OBJECT},
        tags=["openapi"],
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


app_name = "api"
urlpatterns = [
    path(
        "openapi.json",
        OpenApiView.as_view(),
        name="openapi",
    ),
    path("", include(router.urls)),
]
