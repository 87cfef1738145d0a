"""``kampass screening segments``: compute and show a run as JSON and as text; the refusals."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kampass.screening.models import SegmentRun
from kampass.screening.tests.factories_segments import two_kinds_of_key_accounts

pytestmark = pytest.mark.django_db


def test_compute_and_show_as_json_and_text(db):
    # given
    kinds = two_kinds_of_key_accounts()
    out = io.StringIO()
    # when
    call_command("screening", "segments", "--compute", "--json", stdout=out)
    # then
    doc = json.loads(out.getvalue())
    run = SegmentRun.objects.get()
    assert (doc["run_id"], doc["k"], doc["accounts"], doc["as_of"]) == (run.pk, 2, 6, "2011-12-09")
    groups = sorted(sorted(m["account_id"] for m in s["members"]) for s in doc["segments"])
    assert groups == sorted(sorted(a.pk for a in accounts) for accounts in kinds.values())
    assert all(s["profile"] and s["profile_de"] for s in doc["segments"])
    # and shown again (no new run) as text
    text = io.StringIO()
    call_command("screening", "segments", stdout=text)
    assert SegmentRun.objects.count() == 1
    assert "6 key accounts in 2 segments" in text.getvalue()
    assert "bags 1" in text.getvalue()


def test_refusals(db):
    with pytest.raises(CommandError, match="No segment run yet"):
        call_command("screening", "segments")
    with pytest.raises(CommandError, match="at least three key accounts"):
        call_command("screening", "segments", "--compute")
    with pytest.raises(CommandError, match="no date"):
        call_command("screening", "segments", "--compute", "--as-of", "9.12.2011")
