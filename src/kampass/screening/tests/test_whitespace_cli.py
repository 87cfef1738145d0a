"""``kampass screening whitespace [--account ID] --json``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kampass.screening.tests.factories_whitespace import purchase_world

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_recommendations_of_one_account_as_json(head):
    world = purchase_world()
    out = StringIO()
    call_command("screening", "whitespace", "--account", str(world.acme.pk), "--json", "--top", "3", stdout=out)
    doc = json.loads(out.getvalue())
    assert [a["account_id"] for a in doc["accounts"]] == [world.acme.pk]
    first = doc["accounts"][0]["recommendations"][0]
    assert (first["product_group"], first["rank"], first["similar_buyers"]) == ("10004", 1, 4)
    assert len(doc["accounts"][0]["recommendations"]) <= 3
    assert doc["conversion"] == {"open": 0, "won": 0, "lost": 0, "win_rate": None}


def test_without_account_every_linked_account_and_text_output(head):
    world = purchase_world()
    out = StringIO()
    call_command("screening", "whitespace", "--json", stdout=out)
    ids = [a["account_id"] for a in json.loads(out.getvalue())["accounts"]]
    assert ids == sorted([world.acme.pk, world.east.pk, world.other.pk])
    text = StringIO()
    call_command("screening", "whitespace", "--account", str(world.acme.pk), "--lang", "de", stdout=text)
    assert "4 der 4 diesem Account ähnlichsten Accounts kaufen 10004" in text.getvalue()


def test_an_unknown_account_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no account with id 999999"):
        call_command("screening", "whitespace", "--account", "999999", "--json")
