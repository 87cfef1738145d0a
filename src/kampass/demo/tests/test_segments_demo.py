"""The demo's segment run: computed over the demo's key accounts from its facts, idempotent, and its figures
checked against an independent computation.

(Here, not in screening/tests: it loads the whole demo data set, which sits above the contexts.)
"""

from __future__ import annotations

from collections import Counter

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    from kampass.demo.services import demo_load
    from kampass.demo.transactions import demo_transactions_load

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load()
    demo_transactions_load()


def test_demo_segment_run(demo):
    from kampass.accounts import facade as accounts_facade
    from kampass.core.screening import segments as core
    from kampass.screening import facade
    from kampass.screening import services_segments as services
    from kampass.screening.demo_segments import demo_segments_load
    from kampass.screening.models import SegmentMembership, SegmentRun

    # when
    assert demo_segments_load() == 1
    assert demo_segments_load() == 0  # idempotent
    run = SegmentRun.objects.get()
    # then every key account is in exactly one segment
    keys = accounts_facade.key_account_ids()
    members = list(SegmentMembership.objects.filter(run=run).values_list("account_id", "segment__number"))
    assert sorted(a for a, _ in members) == sorted(keys)
    assert run.accounts == len(keys) >= 3
    assert 2 <= run.k <= 8
    assert len({n for _, n in members}) == run.k
    # the chosen k has the best silhouette of those tried, and every segment has a profile in both languages
    tried = {int(k): v for k, v in run.silhouettes.items()}
    assert run.silhouette == max(tried.values())
    assert all(s.description_en and s.description_de for s in run.segments.all())
    # the heterogeneity is the Gini-Simpson dispersion of the memberships, computed here by hand
    counts = Counter(n for _, n in members)
    n = sum(counts.values())
    expected = 1 - sum((c / n) ** 2 for c in counts.values())
    assert facade.programme_signals()["account_heterogeneity"] == pytest.approx(expected)
    # and recomputing from the same facts gives the same segments (deterministic)
    again = core.segment_accounts(services.segment_facts(as_of=run.as_of).facts)
    assert again.k == run.k
    assert again.segment_of() == dict(members)
