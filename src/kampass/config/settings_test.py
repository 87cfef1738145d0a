"""Settings for the test suite: the real settings plus what only makes tests faster.

pytest uses this module everywhere (``DJANGO_SETTINGS_MODULE`` in ``pyproject.toml``),
including the browser tests against ``live_server``. Nothing here changes what the
tests check: the same apps, middleware, database engine, migrations, login throttling
(django-axes) and templates as in production.

- Passwords are hashed with MD5: the production PBKDF2 hasher costs about half a
  second per user on a small machine, and the suite creates hundreds of users. The
  login path is the same (Django verifies whichever hasher the hash names).
"""

from __future__ import annotations

from kampass.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Django's test client sends "testserver" as the host; production does not answer to it.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
