"""``kampass demo`` on an installation that holds the whole demo (every context's part, not only the
accounts and logins that ``test_demo.py`` loads).

The whole demo is loaded once for the module, inside a transaction that is rolled back at the end;
each test runs in a savepoint inside it (``db``). Running the command again on it changes nothing but
the demo logins (seconds), so only the reset test pays for a second full load.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kampass.demo.services import DEMO_LOGINS, DemoSummary, demo_password, demo_summary
from kampass.programme.models import Respondent
from kampass.users.models import User
from kampass.users.services import user_create


def _whole_demo() -> DemoSummary:
    call_command("demo", stdout=StringIO())
    return demo_summary()


@pytest.fixture(scope="module")
def whole_demo(module_loader: Any) -> Iterator[DemoSummary]:
    yield from module_loader(_whole_demo)


def test_command_prints_summary_and_logins_and_reset_reloads_the_whole_demo(whole_demo, db):
    """The command prints the summary and the logins. Given the whole demo loaded (assessment rounds
    invite demo users), when it is reset, then the users can be deleted and everything loads again
    (it failed with ProtectedError on Respondent.user)."""
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "Demo data present already; demo logins refreshed" in text
    assert str(whole_demo.accounts) in text
    for login in DEMO_LOGINS:
        assert login.username in text
    assert demo_password() in text
    assert Respondent.objects.filter(user__isnull=False).exists()
    old_users = set(
        User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list("pk", flat=True)
    )
    out = StringIO()

    call_command("demo", "--reset", stdout=out)

    assert "Demo data loaded" in out.getvalue()
    assert demo_summary().accounts == whole_demo.accounts
    assert Respondent.objects.filter(user__isnull=False).exists()
    new_users = set(
        User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list("pk", flat=True)
    )
    # the demo users were deleted and created again
    assert new_users
    assert not new_users & old_users


def test_the_command_refuses_foreign_data_with_a_clear_message_unless_forced(whole_demo, db):
    # given
    user_create(username="anna", password="Tr0ub4dor&3x")

    # when
    with pytest.raises(CommandError) as exc:
        call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--force", stdout=out)

    # then
    assert "not created by the demo (1 user(s): anna)" in str(exc.value)
    assert "--force" in str(exc.value)
    assert "demo logins refreshed" in out.getvalue()
    assert User.objects.filter(username="anna").exists()


def test_the_command_marks_the_demo_passwords_for_local_use_and_a_kept_admin_password(whole_demo, db):
    # given
    admin = User.objects.get(username="admin")
    admin.set_password("S3cret-of-the-admin")
    admin.save()
    out = StringIO()

    # when
    call_command("demo", stdout=out)

    # then
    text = out.getvalue()
    assert "use them on your own machine only" in text
    admin_row = next(line for line in text.splitlines() if line.strip().startswith("admin "))
    assert "(changed, left as it is)" in admin_row
    assert demo_password() not in admin_row
