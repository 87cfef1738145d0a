"""The demo data set and ``kampass demo``.

The data set is loaded once for the module inside a transaction that is rolled
back at the end; each test runs in a savepoint inside it (``db``), so tests
that reload or reset see a fresh copy and leave nothing behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from kampass.accounts.models import Account, BuyingCentreMember, Coverage, Position, TeamMember
from kampass.accounts.services import account_create
from kampass.core.relationships import ContactNode, CoverageLink, coverage_gaps
from kampass.demo.services import (
    DEMO_JSON,
    DEMO_LOGINS,
    DemoRefused,
    demo_foreign_data,
    demo_load,
    demo_password,
    demo_summary,
)
from kampass.users.models import Role, User
from kampass.users.services import user_create

PROJECT_ROOT = Path(__file__).resolve().parents[4]
SALESFORCE_CSV = PROJECT_ROOT.parent / "shared" / "data" / "salesforce-sample" / "Opportunity_export.csv"


@pytest.fixture(scope="module")
def demo(module_loader: Any) -> Iterator[Any]:
    yield from module_loader(demo_load)


def counts() -> dict[str, Any]:
    summary = asdict(demo_summary())
    summary.pop("loaded")
    return summary


def test_loading_creates_the_six_logins_with_roles_and_password(demo, db):
    # given the loaded demo data
    # then each demo login exists with its role and the demo password
    expected = {
        "admin": Role.ADMIN,
        "head": Role.HEAD,
        "kam": Role.KAM,
        "kam2": Role.KAM,
        "controller": Role.CONTROLLER,
        "viewer": Role.VIEWER,
    }
    assert {login.username: login.role for login in DEMO_LOGINS} == expected
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.first_name
        assert user.last_name
        assert user.check_password(demo_password())
    assert User.objects.get(username="admin").is_superuser


def test_the_summary_counts_a_realistic_data_set(demo, db):
    assert demo.loaded
    assert 250 <= demo.accounts <= 400
    assert 8 <= demo.groups <= 12
    assert demo.contacts > demo.accounts
    assert demo.buying_centre_members > 0
    assert demo.coverage > 0
    assert demo.team_members > 0


def test_kam_and_kam2_share_no_account_team(demo, db):
    kam_accounts = set(TeamMember.objects.filter(user__username="kam").values_list("account_id", flat=True))
    kam2_accounts = set(TeamMember.objects.filter(user__username="kam2").values_list("account_id", flat=True))
    assert kam_accounts
    assert kam2_accounts
    assert not kam_accounts & kam2_accounts

    # nor do they meet inside one group
    def roots(ids: set[int]) -> set[str]:
        return {p.split("/")[0] for p in Account.objects.filter(pk__in=ids).values_list("path", flat=True)}

    assert not roots(kam_accounts) & roots(kam2_accounts)
    kam_groups = Account.objects.filter(pk__in=kam_accounts, parent__isnull=True, children__isnull=False).distinct()
    assert kam_groups.count() >= 2


def test_hierarchies_are_deep_and_wide(demo, db):
    assert Account.objects.filter(depth__gte=3).exists()
    widest = Account.objects.annotate(n=Count("children")).order_by("-n").first()
    assert widest is not None
    assert widest.n >= 3


def test_paths_and_depths_are_consistent(demo, db):
    by_id = {a.pk: a for a in Account.objects.all()}
    for account in by_id.values():
        parent = by_id.get(account.parent_id) if account.parent_id else None
        assert account.path == (parent.path if parent else "") + f"{account.pk}/", account.name
        assert account.depth == (parent.depth + 1 if parent else 0), account.name


def test_loading_twice_is_idempotent_and_refreshes_the_password(demo, db, monkeypatch):
    before = counts()
    User.objects.get(username="kam").set_password("changed-by-someone")
    monkeypatch.setenv("KAMPASS_DEMO_PASSWORD", "another-demo-secret")

    summary = demo_load()

    assert not summary.loaded
    assert counts() == before
    assert User.objects.get(username="kam").check_password("another-demo-secret")


def test_reset_deletes_everything_and_reloads(demo, db):
    before = counts()
    admin = User.objects.get(username="admin")
    extra = account_create(actor=admin, name="Not part of the demo")
    old_ids = set(Account.objects.values_list("pk", flat=True))

    summary = demo_load(reset=True, force=True)

    assert summary.loaded
    assert counts() == before
    assert not Account.objects.filter(pk=extra.pk).exists()
    assert not old_ids & set(Account.objects.values_list("pk", flat=True))


def test_an_account_of_kam_shows_a_coverage_gap(demo, db):
    gaps = {}
    for member in TeamMember.objects.filter(user__username="kam").select_related("account"):
        account = member.account
        reports_to = dict(Position.objects.filter(account=account).values_list("contact_id", "reports_to_id"))
        nodes = [
            ContactNode(
                m.contact_id, str(m.contact), "", tuple(m.roles), m.influence, m.attitude, reports_to.get(m.contact_id)
            )
            for m in BuyingCentreMember.objects.filter(account=account).select_related("contact")
        ]
        links = [
            CoverageLink(c.contact_id, c.team_member.user.username, c.level_now, c.level_target)
            for c in Coverage.objects.filter(team_member__account=account).select_related("team_member__user")
        ]
        gaps[account.name] = coverage_gaps(nodes, links)
    assert any(gaps.values()), gaps


def test_the_buying_centre_is_known_from_each_accounts_first_status_day(demo, db):
    # the demo's people come with its accounts' story: health as of a past day finds the decision makers
    from kampass.accounts.facade import decision_maker_coverage

    data = json.loads(DEMO_JSON.read_text(encoding="utf-8"))
    first = {a["external_id"]: a["status_history"][0]["date"] for a in data["accounts"]}
    with_deciders = Account.objects.filter(buying_centre__influence__gte=7).values_list("pk", "external_id").distinct()
    assert with_deciders
    for pk, external_id in with_deciders:
        day = dt.date.fromisoformat(first[external_id])
        assert decision_maker_coverage([pk], as_of=day)[pk] == decision_maker_coverage([pk])[pk]
        before = decision_maker_coverage([pk], as_of=day - dt.timedelta(days=1))[pk]
        assert (before.decision_makers, before.share) == (0, None)  # not known before the story began
        recorded = BuyingCentreMember.history.filter(account_id=pk, history_type="+")
        assert {timezone.localtime(h.history_date).date() for h in recorded} == {day}


def test_command_if_empty_leaves_existing_accounts_alone(demo, db):
    before = counts()
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == before


# ---------------------------------------------------------------- demo safety


def test_the_demo_alone_is_not_foreign_data(demo, db):
    # then: what the demo created (logins, account owners, accounts) does not count against it
    assert not demo_foreign_data()
    assert demo_load().loaded is False


@pytest.mark.parametrize("reset", [False, True])
def test_loading_refuses_a_database_with_an_account_the_demo_did_not_create(demo, db, reset):
    # given
    extra = account_create(actor=User.objects.get(username="admin"), name="Real customer AG")
    before = counts()

    # when
    with pytest.raises(DemoRefused) as exc:
        demo_load(reset=reset)

    # then: nothing touched, and the message says what was found and how to go on
    assert "1 account(s)" in str(exc.value)
    assert "--force" in str(exc.value)
    assert counts() == before
    assert Account.objects.filter(pk=extra.pk).exists()


def test_loading_refuses_a_database_with_users_the_demo_did_not_create(demo, db):
    # given: a real user, and a real administrator called like the demo's (not the demo's e-mail)
    user_create(username="anna", password="Tr0ub4dor&3x")
    User.objects.filter(username="admin").update(email="it@customer.example")

    # when
    with pytest.raises(DemoRefused) as exc:
        demo_load()

    # then
    assert exc.value.foreign.users == ("admin", "anna")
    assert "2 user(s): admin, anna" in str(exc.value)


def test_loading_refuses_a_database_with_opportunities_the_demo_did_not_create(demo, db):
    # given: an opportunity entered by hand on a demo account
    from kampass.pipeline.tests.factories import make_opportunity

    make_opportunity(account=Account.objects.order_by("pk").first(), actor=User.objects.get(username="admin"))

    # when / then
    with pytest.raises(DemoRefused, match="1 opportunity"):
        demo_load()
    assert demo_foreign_data().opportunities == 1


def test_force_loads_next_to_foreign_data(demo, db):
    # given
    extra = account_create(actor=User.objects.get(username="admin"), name="Real customer AG")

    # when
    summary = demo_load(force=True)

    # then
    assert not summary.loaded
    assert Account.objects.filter(pk=extra.pk).exists()


@pytest.mark.parametrize("reset", [False, True])
def test_a_changed_administrator_password_is_never_reset(demo, db, reset):
    # given: the administrator changed the demo password; a key account manager did too
    admin = User.objects.get(username="admin")
    admin.set_password("S3cret-of-the-admin")
    admin.save()
    kam = User.objects.get(username="kam")
    kam.set_password("S3cret-of-the-kam")
    kam.save()

    # when
    summary = demo_load(reset=reset, force=reset)

    # then: the administrator keeps theirs; the demo login of the key account manager is refreshed
    assert summary.kept_passwords == ("admin",)
    assert User.objects.get(username="admin").check_password("S3cret-of-the-admin")
    assert User.objects.get(username="kam").check_password(demo_password())


def test_make_run_prints_that_the_demo_passwords_are_for_local_use():
    # given
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    # then: loads the demo only into an empty installation, and says the passwords are for local use
    assert "kampass demo --if-empty" in run
    assert "for local use only" in run


# ---------------------------------------------------------------- the data file itself


def test_account_names_come_from_the_salesforce_export():
    if not SALESFORCE_CSV.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SALESFORCE_CSV} is missing; the demo data set must be checked against it in CI")
        pytest.skip(f"{SALESFORCE_CSV} not available")
    with SALESFORCE_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {row["AccountName"] for row in rows}
    industry_of = {row["AccountId"]: row["AccountIndustry"] for row in rows}
    data = json.loads(DEMO_JSON.read_text(encoding="utf-8"))
    demo_names = {a["name"] for a in data["accounts"]}
    assert demo_names <= names
    for account in data["accounts"]:
        assert industry_of[account["external_id"]] == account["industry"], account["name"]


def test_the_data_file_is_small_and_attributed():
    assert DEMO_JSON.stat().st_size < 2 * 1024 * 1024
    data = json.loads(DEMO_JSON.read_text(encoding="utf-8"))
    assert "Salesforce" in data["source"]
    assert "fictitious" in data["source"]
    readme = (DEMO_JSON.parent / "README.md").read_text(encoding="utf-8")
    assert "Salesforce" in readme
