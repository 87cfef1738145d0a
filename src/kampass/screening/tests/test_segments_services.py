"""Computing and storing a segment run from kampass's facts, its permissions, and the programme signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.screening import facade
from kampass.screening import selectors_segments as selectors
from kampass.screening import services_segments as services
from kampass.screening.models import Segment, SegmentMembership, SegmentRun
from kampass.screening.tests.factories_segments import two_kinds_of_key_accounts

pytestmark = pytest.mark.django_db


def test_facts_of_the_key_accounts_are_taken_from_invoices_and_buying_centres(settings):
    # given (the lines are in GBP; the reporting currency is GBP so that no conversion interferes)
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    kinds = two_kinds_of_key_accounts()
    # when
    found = services.segment_facts()
    # then: the newest invoice day, and for a bags account: 10 x 1000 + 10 of the candles code this year,
    # 5 x 1000 the year before (growth +100.2 %), product groups normalised (letter suffix removed)
    assert (found.as_of, found.currency) == (dt.date(2011, 12, 9), "GBP")
    facts = {f.account_id: f for f in found.facts}
    assert set(facts) == {a.pk for accounts in kinds.values() for a in accounts}  # the prospect is no key account
    bags = facts[kinds["bags"][0].pk]
    assert bags.mix == {"85099": 10_000.0, "84029": 10.0}
    assert bags.numeric["revenue"] == 10_010.0
    assert bags.numeric["growth"] == pytest.approx((10_010 - 5_000) / 5_000)
    assert bags.numeric["buying_centre"] == 4
    assert bags.categories == {"industry": "Wholesale", "country": "DE"}


def test_the_imported_product_group_wins_over_the_stock_code():
    assert services.product_group_key("85123A", "Candles") == "Candles"
    assert services.product_group_key("85123A", "") == "85123"
    assert services.product_group_key("85123A", "85123A") == "85123"  # the mapping fell back to the stock code


def test_head_computes_a_run_with_segments_profiles_and_members(head, settings):
    # given
    settings.KAMPASS_REPORTING_CURRENCY = "GBP"
    kinds = two_kinds_of_key_accounts()
    # when
    run = services.segment_run_compute(actor=head)
    # then the two kinds are the two segments
    assert (run.k, run.accounts, run.as_of, run.computed_by) == (2, 6, dt.date(2011, 12, 9), head)
    members = {
        s.number: set(SegmentMembership.objects.filter(segment=s).values_list("account_id", flat=True))
        for s in run.segments.all()
    }
    assert sorted(members.values(), key=min) == sorted(
        ({a.pk for a in kinds["candles"]}, {a.pk for a in kinds["bags"]}), key=min
    )
    bags_segment = selectors.account_segment(kinds["bags"][0].pk)
    assert bags_segment is not None
    assert bags_segment.size == 3
    assert "85099" in bags_segment.description_en or "Wholesale" in bags_segment.description_en
    assert bags_segment.description_de
    by_feature = {p["feature"]: p for p in bags_segment.profile}
    assert by_feature["group:85099"]["z"] > 0
    assert by_feature["group:85099"]["mean"] == pytest.approx(10_000 / 10_010)
    # the silhouette of two perfectly separated groups of identical accounts is 1
    assert run.silhouette == pytest.approx(1.0)
    # and the programme signals: dispersion over two segments of three = 1 - 2 x (1/2)^2
    signals = facade.programme_signals()
    assert signals["account_heterogeneity"] == pytest.approx(0.5)
    assert signals["key_account_segments"] == 2
    assert signals["segment_separation"] == pytest.approx(1.0)
    assert signals["key_accounts_segmented_share"] == 1.0


def test_new_key_accounts_lower_the_segmented_share(head):
    from kampass.accounts.tests.factories import AccountFactory

    two_kinds_of_key_accounts()
    assert facade.programme_signals()["key_accounts_segmented_share"] == 0.0  # no run yet
    services.segment_run_compute(actor=head)
    AccountFactory(name="new key account", kam_status="strategic")
    assert facade.programme_signals()["key_accounts_segmented_share"] == pytest.approx(6 / 7)


def test_without_a_run_the_signals_are_unknown(db):
    signals = facade.programme_signals()
    assert signals["account_heterogeneity"] is None
    assert signals["key_account_segments"] is None
    assert signals["key_accounts_segmented_share"] is None  # no key accounts at all


def test_the_programme_reads_the_heterogeneity_from_screening(head):
    from kampass.programme import facade as programme_facade

    two_kinds_of_key_accounts()
    assert programme_facade.current_signals()["account_heterogeneity"] is None
    services.segment_run_compute(actor=head)
    assert programme_facade.current_signals()["account_heterogeneity"] == pytest.approx(0.5)


@pytest.mark.parametrize("who", ["kam", "controller", "viewer"])
def test_only_head_and_admin_compute(request, who):
    two_kinds_of_key_accounts()
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.segment_run_compute(actor=user)
    assert not SegmentRun.objects.exists()


def test_admin_computes(admin_user):
    two_kinds_of_key_accounts()
    assert services.segment_run_compute(actor=admin_user).k == 2


def test_too_few_key_accounts_and_a_bad_k_range_are_refused(head):
    from kampass.accounts.tests.factories import AccountFactory

    AccountFactory(kam_status="key_account")
    with pytest.raises(ValidationError, match="at least three key accounts"):
        services.segment_run_compute(actor=head)
    with pytest.raises(ValidationError, match="range of segment counts"):
        services.segment_run_compute(actor=head, k_min=3, k_max=2)
    assert not Segment.objects.exists()
