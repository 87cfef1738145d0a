"""``kampass demo --if-empty`` (what ``make run`` calls) on an installation that holds no accounts
but users the demo did not create. (Its own module: ``test_demo`` keeps the demo data set loaded for
the whole module.)"""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from kampass.accounts.models import Account
from kampass.users.models import Role, User
from kampass.users.services import user_create


def test_the_command_if_empty_leaves_a_database_with_foreign_users_alone(db):
    # given: an installation whose administrator was created by hand, no accounts yet
    user_create(username="root", password="Tr0ub4dor&3x", role=Role.ADMIN)
    out = StringIO()

    # when: what `make run` calls
    call_command("demo", "--if-empty", stdout=out)

    # then: exits normally, says why, loads nothing
    assert "not created by the demo (1 user(s): root); demo data not loaded." in out.getvalue()
    assert not Account.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["root"]
