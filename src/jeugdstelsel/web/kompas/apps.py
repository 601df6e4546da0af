"""The Kwaliteitskompas learning cycle per municipality and area (DESIGN section 3)."""

from django.apps import AppConfig


class KompasConfig(AppConfig):
    name = "jeugdstelsel.web.kompas"
    label = "kompas"
    verbose_name = "Kwaliteitskompas"

    def ready(self) -> None:
        from jeugdstelsel.web.kompas import roles

        roles.connect_signals()
