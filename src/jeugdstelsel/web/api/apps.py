"""REST API /api/v1 following the Dutch API Design Rules."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jeugdstelsel.web.api"
    label = "webapi"
    verbose_name = "API"
