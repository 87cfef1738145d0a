"""WSGI entry point (gunicorn serves this)."""

import os

from django.core.wsgi import get_wsgi_application

from kampass.common.filemodes import restrict_umask

# a server started without the kampass command (gunicorn kampass.config.wsgi) creates private files too
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampass.config.settings")
application = get_wsgi_application()
