from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "jeugdstelsel.web.lab"
    label = "lab"
    verbose_name = "Scenariolab"
