"""Exit 0 when the PostgreSQL server in the given URL accepts connections."""

from __future__ import annotations

import sys

import psycopg

url = sys.argv[1]
admin = url.rsplit("/", 1)[0] + "/postgres"
try:
    with psycopg.connect(admin, connect_timeout=3):
        pass
except psycopg.Error as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
