"""Dashboard "Staat van het jeugdstelsel": observed figures, later beside the model's band."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "jeugdstelsel.web.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
