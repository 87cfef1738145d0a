"""Targets: who sees which, the list's search, filters and sorting, and the forecast by forecast category
against a target, checked against an independent computation (the ECB rates read from the
currency_converter package directly)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from currency_converter import CurrencyConverter

from kampass.accounts.models import TeamMember
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.models import Opportunity
from kampass.pipeline.selectors.targets import (
    TargetFilters,
    attainment,
    target_list,
    target_subjects,
    targets_against_forecast,
)
from kampass.pipeline.services import target_create
from kampass.pipeline.tests.factories import make_opportunity
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(kam, kam2, group, other):
    dach, nordics = OrgUnit.objects.create(name="DACH"), OrgUnit.objects.create(name="Nordics")
    TeamMember.objects.filter(user=kam, account=group).update(org_unit=dach)
    TeamMember.objects.filter(user=kam2, account=other).update(org_unit=nordics)
    return dach, nordics


@pytest.fixture
def targets(head, kam, kam2, group, site, other, units):
    dach, nordics = units
    make = lambda **kw: target_create(actor=head, period="quarter", year=2024, number=2, amount=1000, **kw)  # noqa: E731
    return {
        "kam": make(scope="owner", owner=kam, note="stretch"),
        "kam2": make(scope="owner", owner=kam2),
        "dach": make(scope="team", org_unit=dach),
        "nordics": make(scope="team", org_unit=nordics),
        "group": make(scope="account", account=group),
        "site": make(scope="account", account=site),
        "other": make(scope="account", account=other),
    }


def names(qs, targets):
    by_pk = {t.pk: k for k, t in targets.items()}
    return {by_pk[t.pk] for t in qs}


def test_a_kam_sees_their_own_their_teams_and_their_subtrees_targets(kam, kam2, targets):
    assert names(target_list(user=kam), targets) == {"kam", "dach", "group", "site"}
    assert names(target_list(user=kam2), targets) == {"kam2", "nordics", "other"}


@pytest.mark.parametrize("who", ["head", "controller", "viewer", "admin_user"])
def test_head_controllers_viewers_and_admins_see_every_target(request, who, targets):
    assert names(target_list(user=request.getfixturevalue(who)), targets) == set(targets)


def test_search_filters_and_sorting(head, targets):
    assert names(target_list(user=head, filters=TargetFilters(q="stretch")), targets) == {"kam"}
    assert names(target_list(user=head, filters=TargetFilters(q="nordic")), targets) == {"nordics"}
    assert names(target_list(user=head, filters=TargetFilters(scope="account")), targets) == {"group", "site", "other"}
    assert not target_list(user=head, filters=TargetFilters(year=2025)).exists()
    subjects = [t.subject_label for t in target_list(user=head, filters=TargetFilters(sort="subject", scope="account"))]
    assert subjects == sorted(subjects, key=str.lower)
    desc = [t.subject_label for t in target_list(user=head, filters=TargetFilters(sort="subject", scope="account",
                                                                                   descending=True))]  # fmt: skip
    assert desc == subjects[::-1]
    assert dict(target_subjects(user=head))[f"team:{targets['dach'].org_unit_id}"] == "DACH"


def _deal(account, owner, amount, currency, category, close, **kw):
    return make_opportunity(account=account, owner=owner, amount=amount, currency=currency,
                            forecast_category=category, expected_close_date=close, **kw)  # fmt: skip


def test_forecast_by_category_against_an_owner_target(head, kam, kam2, group, site, other):
    target = target_create(actor=head, scope="owner", owner=kam, period="quarter", year=2024, number=2,
                           amount="100000", currency="EUR")  # fmt: skip
    won_eur = _deal(group, kam, "30000", "EUR", "commit", dt.date(2024, 4, 2), stage_name="Closed Won")
    won_usd = _deal(site, kam, "10000", "USD", "commit", dt.date(2024, 4, 2), stage_name="Closed Won")
    Opportunity.objects.filter(pk=won_eur.pk).update(closed_on=dt.date(2024, 4, 10))
    Opportunity.objects.filter(pk=won_usd.pk).update(closed_on=dt.date(2024, 5, 15))
    won_late = _deal(group, kam, "999", "EUR", "commit", dt.date(2024, 6, 2), stage_name="Closed Won")
    Opportunity.objects.filter(pk=won_late.pk).update(closed_on=dt.date(2024, 7, 1))  # closed after the quarter
    _deal(group, kam, "20000", "EUR", "commit", dt.date(2024, 5, 20))
    _deal(group, kam, "5000", "GBP", "commit", dt.date(2024, 6, 3))
    _deal(group, kam, "7000", "EUR", "best_case", dt.date(2024, 4, 1))
    _deal(site, kam, "9000", "EUR", "pipeline", dt.date(2024, 6, 30))
    _deal(group, kam, "1000", "EUR", "omitted", dt.date(2024, 5, 1))  # omitted: not counted
    _deal(group, kam, "50000", "EUR", "commit", dt.date(2024, 7, 1))  # next quarter
    _deal(group, kam, "4000", "EUR", "commit", dt.date(2024, 5, 1), stage_name="Closed Lost")
    _deal(other, kam2, "8000", "EUR", "commit", dt.date(2024, 5, 1))  # another owner

    result = attainment(user=head, target=target)

    ecb = CurrencyConverter(decimal=True, fallback_on_missing_rate=True, fallback_on_wrong_date=True)
    cent = Decimal("0.01")
    usd = (ecb.convert(Decimal(10000), "USD", "EUR", date=dt.date(2024, 5, 15))).quantize(cent)
    gbp = (ecb.convert(Decimal(5000), "GBP", "EUR", date=dt.date(2024, 6, 3))).quantize(cent)
    assert result.won == Decimal("30000") + usd
    assert result.commit == Decimal("20000") + gbp
    assert (result.best_case, result.pipeline) == (Decimal("7000"), Decimal("9000"))
    assert result.gap == Decimal("100000") - result.won - result.commit
    assert result.gap_best_case == result.gap - Decimal("7000")
    assert (result.deals, result.unconverted) == (6, 0)
    assert result.attainment == pytest.approx(float((Decimal("30000") + usd) / Decimal("100000")))
    document = result.as_json()
    assert document["won"] == str((Decimal("30000") + usd).quantize(cent))
    assert document["period_label"] == "2024-Q2"


def test_team_and_subtree_targets_count_their_owners_and_accounts(head, kam, kam2, group, site, other, units):
    dach, _ = units
    _deal(site, kam, "100", "EUR", "commit", dt.date(2024, 1, 5))
    _deal(other, kam2, "200", "EUR", "commit", dt.date(2024, 1, 6))
    _deal(AccountFactory(), kam, "300", "EUR", "best_case", dt.date(2024, 1, 7))  # kam's deal outside the group
    team = target_create(actor=head, scope="team", org_unit=dach, period="month", year=2024, number=1, amount=1000)
    tree = target_create(actor=head, scope="account", account=group, period="year", year=2024, amount=1000)
    team_figures = attainment(user=head, target=team)
    assert (team_figures.commit, team_figures.best_case) == (Decimal(100), Decimal(300))
    assert attainment(user=head, target=tree).commit == 100
    assert attainment(user=head, target=tree).best_case == 0
    rows = targets_against_forecast(user=head, period="month", year=2024)
    assert [r.target.pk for r in rows] == [team.pk]
    assert targets_against_forecast(user=head, period="year", year=2024, subject=f"account:{group.pk}")[0].commit == 100
    assert targets_against_forecast(user=head, period="year", year=2024, subject=f"account:{other.pk}") == []
    # kam2 does not see the DACH team's target
    assert targets_against_forecast(user=kam2, period="month", year=2024) == []
