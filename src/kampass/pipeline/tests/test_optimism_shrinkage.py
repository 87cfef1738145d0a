"""Optimism with few deals: each owner's bias shrunk towards the team's (partial pooling, weight n/(n+k),
k by the method of moments), the small-sample mark, and the raw and shrunk bias on the page, checked
against an independent computation with numpy."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from kampass.accounts.models import TeamMember
from kampass.accounts.tests.factories import AccountFactory
from kampass.core.forecasting.shrinkage import DEFAULT_K, K_BOUNDS, pooled_biases
from kampass.pipeline.selectors import optimism
from kampass.pipeline.tests.factories import make_opportunity
from kampass.users.models import OrgUnit

pytestmark = pytest.mark.django_db

KAM = [(90, 1), (80, 0), (70, 0), (60, 1), (90, 0), (85, 0)]
KAM2 = [(30, 1), (20, 0), (40, 1)]
HEAD = [(50, 0), (60, 0)]


@pytest.fixture
def closed(kam, kam2, head, group, other):
    dach = OrgUnit.objects.create(name="DACH")
    TeamMember.objects.filter(user__in=[kam, kam2]).update(org_unit=dach)
    lonely = AccountFactory(name="Lonely")
    for owner, account, deals in ((kam, group, KAM), (kam2, other, KAM2), (head, lonely, HEAD)):
        for i, (p, won) in enumerate(deals):
            make_opportunity(account=account, name=f"{owner.username}-{i}", amount=1, owner=owner, owner_probability=p,
                             stage_name="Closed Won" if won else "Closed Lost")  # fmt: skip
    make_opportunity(account=group, name="no-p", amount=1, owner=kam, stage_name="Closed Won")


def independent(groups: dict[str, list[tuple[int, int]]], team_of: dict[str, str | None]):
    """Shrunk bias per owner by the formulas of the method of moments, written out with numpy."""
    d = {g: np.array([p / 100 - y for p, y in deals]) for g, deals in groups.items()}
    every = np.concatenate(list(d.values()))
    teams: dict[str | None, list[np.ndarray]] = {}
    for g, t in team_of.items():
        teams.setdefault(t, []).append(d[g])
    prior = {g: (np.concatenate(teams[t]).mean() if t is not None else every.mean()) for g, t in team_of.items()}
    n = {g: len(v) for g, v in d.items()}
    sigma2 = sum(((v - v.mean()) ** 2).sum() for v in d.values()) / (len(every) - len(d))
    tau2 = max(np.mean([(d[g].mean() - prior[g]) ** 2 - sigma2 / n[g] for g in d]), 0.0)
    k = float(np.clip(sigma2 / tau2, *K_BOUNDS)) if tau2 > 0 else K_BOUNDS[1]
    return k, {g: (n[g] / (n[g] + k)) * d[g].mean() + (k / (n[g] + k)) * prior[g] for g in d}, n


def test_owner_bias_is_shrunk_towards_the_team(closed, head, kam, kam2):
    report = optimism(user=head, by="owner")
    names = {str(kam): "kam", str(kam2): "kam2", str(head): "head"}
    k, shrunk, n = independent({"kam": KAM, "kam2": KAM2, "head": HEAD}, {"kam": "DACH", "kam2": "DACH", "head": None})
    assert report.pooling.k_source == "estimated"
    assert report.pooling.k == pytest.approx(k)
    rows = {names[r["group"]]: r for r in report.as_json()["rows"]}
    for who in ("kam", "kam2", "head"):
        assert rows[who]["owner_bias_shrunk"] == pytest.approx(shrunk[who])
        assert rows[who]["deals"] == n[who]  # the deals with an owner's probability
        assert rows[who]["small_sample"] == (n[who] < k)
    assert rows["kam"]["closed_deals"] == 7  # one more, without an owner's probability
    raw_kam = np.mean([p / 100 - y for p, y in KAM])
    assert rows["kam"]["owner_bias"] == pytest.approx(raw_kam)
    # shrinking pulls towards the prior: the shrunk bias lies between the raw bias and the team's
    prior = rows["kam"]["owner_bias_prior"]
    assert min(raw_kam, prior) <= rows["kam"]["owner_bias_shrunk"] <= max(raw_kam, prior)
    assert report.as_json()["shrinkage"]["towards"] == "team"


def test_by_team_and_account_shrink_towards_all_deals(closed, head):
    report = optimism(user=head, by="account")
    every = np.array([p / 100 - y for p, y in KAM + KAM2 + HEAD])
    for row in report.as_json()["rows"]:
        assert row["owner_bias_prior"] == pytest.approx(every.mean())
    assert report.as_json()["shrinkage"]["towards"] == "all"


def test_too_few_owners_use_the_default_k():
    pool = pooled_biases([0.9, 0.1], [0, 1], ["ann", "bob"], [None, None])
    assert (pool.k, pool.k_source) == (DEFAULT_K, "default")
    assert all(r.small_sample for r in pool.rows)
    assert pool.rows[0].weight == pytest.approx(1 / (1 + DEFAULT_K))


def test_the_page_shows_raw_and_shrunk_bias_and_the_small_sample_mark(client, closed, head):
    client.force_login(head)
    response = client.get(reverse("forecast"), {"by": "owner"})
    body = response.content.decode()
    assert 'data-testid="shrunk-bias"' in body
    assert 'data-testid="shrinkage-legend"' in body
    rows = response.context["optimism_rows"]
    assert any(r["small_sample"] for r in rows)
    assert body.count('data-testid="small-sample"') == sum(1 for r in rows if r["small_sample"])
    assert sorted(r["owner_deals"] for r in rows) == sorted([len(HEAD), len(KAM2), len(KAM)])


def test_a_team_of_one_is_not_its_own_prior():
    # ann is alone in team x: her prior is the bias over all deals, not her own
    pool = pooled_biases([0.9, 0.8, 0.2, 0.3], [0, 0, 0, 1], ["ann", "ann", "bob", "cy"], ["x", "x", "y", "y"], k=2)
    every = np.mean([0.9, 0.8, 0.2, 0.3 - 1])
    ann = pool.row("ann")
    assert ann is not None
    assert ann.prior == pytest.approx(every)
    assert ann.shrunk == pytest.approx(0.5 * 0.85 + 0.5 * every)
    bob = pool.row("bob")
    assert bob is not None
    assert bob.prior == pytest.approx(np.mean([0.2, 0.3 - 1]))
