"""Root URLs. Pages have Dutch paths without trailing slashes, like the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jeugdstelsel.web.core import oidc
from jeugdstelsel.web.core import views as core
from jeugdstelsel.web.dashboard import views as dashboard

urlpatterns = [
    path("", core.home, name="home"),
    path("inloggen", auth_views.LoginView.as_view(extra_context={"nav": "login"}), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("inloggen/organisatie", oidc.authentication_init, name="oidc_authentication_init"),
    path("inloggen/organisatie/terug", oidc.authentication_callback,
         name="oidc_authentication_callback"),
    path("inloggen/organisatie/mislukt", oidc.failed, name="oidc_failed"),
    path("staat-van-het-jeugdstelsel", include("jeugdstelsel.web.dashboard.urls")),
    path("staat-van-het-jeugdstelsel/routekaart", dashboard.routekaart, name="routekaart"),
    path("kompas/", include("jeugdstelsel.web.kompas.urls")),
    path("scenariolab/", include("jeugdstelsel.web.lab.urls")),
    path("transparantie", core.transparency_page, name="transparantie"),
    path(
        "transparantie/algoritmeregister.json",
        core.transparency_download,
        name="transparantie_download",
    ),
    path("toegankelijkheid", core.accessibility, name="toegankelijkheid"),
    path("account/api-sleutel", core.api_token, name="api_token"),
    path("beheer/", admin.site.urls),
    path("api/v1/", include("jeugdstelsel.web.api.urls")),
]

handler400 = "jeugdstelsel.web.core.views.error_400"
handler403 = "jeugdstelsel.web.core.views.error_403"
handler404 = "jeugdstelsel.web.core.views.error_404"
handler500 = "jeugdstelsel.web.core.views.error_500"
