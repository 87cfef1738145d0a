"""WSGI entry point (gunicorn serves this)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampass.config.settings")
application = get_wsgi_application()
