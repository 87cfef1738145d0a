"""KPI targets (head of KAM) and the KPI matrix: the service's checks and denials, the matrix's values
and lights over the hierarchy, and the roll-ups per KAM and team, each checked against a computation in
plain Python over the same invoice lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.commercial.models import CustomerLink
from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.concurrency import ConcurrentEdit
from kampass.planning import kpi_target_selectors as selectors
from kampass.planning.kpi_target_services import kpi_target_remove, kpi_target_set
from kampass.planning.models import KpiTarget
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
DAY = dt.date(2026, 3, 5)


@pytest.fixture
def portfolio(kam, kam2):
    """A group (not a key account) with two key-account subsidiaries of ``kam`` (team Nord), one of which has
    a key-account site of its own, and a separate key account of ``kam2`` (team Süd)."""
    nord, sued = (OrgUnit.objects.create(name=n, code=c, country="DE") for n, c in (("Nord", "N"), ("Süd", "S")))
    group = AccountFactory(name="Holding")
    a = AccountFactory(name="Holding A", parent=group, kam_status="key_account")
    a_site = AccountFactory(name="Holding A Werk", parent=a, kam_status="key_account")
    b = AccountFactory(name="Holding B", parent=group, kam_status="key_account")
    other = AccountFactory(name="Otis", kam_status="key_account")
    for acc in (a, a_site, b):
        TeamMemberFactory(account=acc, user=kam, role="kam", org_unit=nord)
    TeamMemberFactory(account=other, user=kam2, role="kam", org_unit=sued)
    links = {"A": a, "AW": a_site, "B": b, "O": other}
    CustomerLink.objects.bulk_create([CustomerLink(customer_id=c, account=acc) for c, acc in links.items()])
    rows = [
        line("1", "A", "10", "100.00", date=DAY),
        line("1", "A", "1", "-100.00", "discounts", date=DAY),
        line("2", "AW", "1", "500.00", date=DAY),
        line("3", "B", "1", "1000.00", date=DAY),
        line("3", "B", "1", "-500.00", "freight", date=DAY),
        line("4", "O", "2", "200.00", date=DAY),
    ]
    insert_lines(rows)
    return {"group": group, "a": a, "a_site": a_site, "b": b, "other": other, "rows": rows, "nord": nord}


def _sums(rows, customers):
    mine = [r for r in rows if r["customer_id"] in customers]
    gross = sum((r["amount"] for r in mine if r["amount"] > 0), Decimal(0))
    pocket = sum((r["amount"] for r in mine), Decimal(0))
    return gross, pocket


# ---- service -----------------------------------------------------------------------------------------


def test_the_head_sets_a_general_target_and_setting_it_again_replaces_it(head):
    first = kpi_target_set(actor=head, kpi_key="leakage_share", green="0.05", amber="0.10")
    again = kpi_target_set(actor=head, kpi_key="leakage_share", green="0.04", amber="0.08", version=first.version)

    assert KpiTarget.objects.count() == 1
    assert again.pk == first.pk
    assert (again.green, again.amber, again.higher_is_better) == (Decimal("0.04"), Decimal("0.08"), False)


def test_a_money_target_gets_the_reporting_currency_and_an_account_target_is_separate(head, portfolio, settings):
    general = kpi_target_set(actor=head, kpi_key="revenue", green="1000", amber="500")
    own = kpi_target_set(actor=head, kpi_key="revenue", green="5000", amber="100", account_id=portfolio["a"].pk)

    assert general.currency == own.currency == settings.KAMPASS_REPORTING_CURRENCY
    assert KpiTarget.objects.count() == 2


def test_bad_targets_are_refused_naming_the_field(head):
    with pytest.raises(ValidationError) as err:
        kpi_target_set(actor=head, kpi_key="win_rate", green="0.2", amber="0.5")
    assert "amber" in err.value.message_dict

    with pytest.raises(ValidationError) as err:
        kpi_target_set(actor=head, kpi_key="nope", green="1", amber="0")
    assert "kpi_key" in err.value.message_dict

    with pytest.raises(ValidationError) as err:
        kpi_target_set(actor=head, kpi_key="revenue", green="x", amber="1", currency="XYZ")
    assert {"green", "currency"} <= set(err.value.message_dict)
    assert not KpiTarget.objects.exists()


def test_a_stale_version_is_refused(head):
    row = kpi_target_set(actor=head, kpi_key="win_rate", green="0.5", amber="0.3")
    kpi_target_set(actor=head, kpi_key="win_rate", green="0.6", amber="0.3", version=row.version)

    with pytest.raises(ConcurrentEdit):
        kpi_target_set(actor=head, kpi_key="win_rate", green="0.7", amber="0.3", version=row.version)


def test_only_the_head_sets_and_removes_targets(head, kam, viewer):
    row = kpi_target_set(actor=head, kpi_key="win_rate", green="0.5", amber="0.3")

    for user in (kam, viewer):
        with pytest.raises(PermissionDenied):
            kpi_target_set(actor=user, kpi_key="win_rate", green="0.9", amber="0.3")
        with pytest.raises(PermissionDenied):
            kpi_target_remove(actor=user, target=row)
    kpi_target_remove(actor=head, target=row)
    assert not KpiTarget.objects.exists()


# ---- matrix -----------------------------------------------------------------------------------------


def test_the_matrix_shows_groups_above_the_key_accounts_with_subtree_values_and_lights(head, portfolio):
    p = portfolio
    kpi_target_set(actor=head, kpi_key="pocket_margin", green="0.8", amber="0.6")
    kpi_target_set(actor=head, kpi_key="pocket_margin", green="0.96", amber="0.94", account_id=p["a"].pk)

    m = selectors.kpi_matrix(user=head, as_of=AS_OF, currency="GBP")

    rows = {r.account_id: r for r in m.rows}
    assert [r.name for r in m.rows] == ["Holding", "Holding A", "Holding A Werk", "Holding B", "Otis"]
    assert rows[p["group"].pk].kind == "group"
    # independent: the group covers every line of its subtree
    gross, pocket = _sums(p["rows"], {"A", "AW", "B"})
    assert rows[p["group"].pk].cell("revenue").value == gross == Decimal("2500.00")
    margin = rows[p["group"].pk].cell("pocket_margin")
    assert margin.value == round(float(pocket / gross), 4) == 0.76
    assert margin.light == "amber"  # the general target: 0.6 <= 0.76 < 0.8
    a_gross, a_pocket = _sums(p["rows"], {"A", "AW"})
    a_margin = rows[p["a"].pk].cell("pocket_margin")
    assert a_margin.value == round(float(a_pocket / a_gross), 4)
    assert a_margin.light == "red"  # its own target: 0.9333 < 0.94
    assert a_margin.target is not None
    assert a_margin.target.green == Decimal("0.96")
    assert rows[p["other"].pk].cell("pocket_margin").light == "green"  # 1.0, no leakage


def test_a_kam_sees_only_their_accounts_and_the_groups_above_them(kam2, portfolio):
    m = selectors.kpi_matrix(user=kam2, as_of=AS_OF, currency="GBP")

    assert [r.name for r in m.rows] == ["Otis"]


def test_the_rollups_per_kam_and_team_sum_each_subtree_once_and_recompute_shares(head, kam, portfolio):
    p = portfolio
    kpi_target_set(actor=head, kpi_key="leakage_share", green="0.1", amber="0.2")

    m = selectors.kpi_matrix(user=head, as_of=AS_OF, currency="GBP")

    mine = next(r for r in m.by_kam if r.key == kam.pk)
    gross, pocket = _sums(p["rows"], {"A", "AW", "B"})  # the site belongs to A's subtree: counted once
    cells = {c.key: c for c in mine.cells}
    assert mine.accounts == 2
    assert cells["revenue"].value == gross
    leakage = round(float((gross - pocket) / gross), 4)
    assert cells["leakage_share"].value == leakage == 0.24  # 600 / 2500, not the mean of 0.0667 and 0.5
    assert cells["leakage_share"].light == "red"
    team = next(r for r in m.by_team if r.key == p["nord"].pk)
    assert {c.key: c.value for c in team.cells}["revenue"] == gross
    assert [r.name for r in m.by_team] == ["Nord", "Süd"]
