"""WSGI entry point, served by waitress (``jeugdstelsel serve``) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdstelsel.web.settings")
application = get_wsgi_application()
