"""Subtrees of many accounts at once: an account stored without its path still counts as its own subtree."""

from __future__ import annotations

import pytest

from kampass.accounts import facade
from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_an_account_made_outside_the_services_is_its_own_subtree():
    # given an account created directly (no path stored) beside a group with a subsidiary
    bare = Account.objects.create(name="Kone Elevators", kam_status="key_account")
    group = AccountFactory(name="Group")
    site = AccountFactory(name="Site", parent=group)
    assert bare.path == ""
    # when
    trees = facade.subtree_account_ids_of([bare.pk, group.pk])
    # then the bare account is its own subtree (the scorecard and the KPIs count it), the group has its site
    assert trees[bare.pk] == [bare.pk]
    assert sorted(trees[group.pk]) == sorted([group.pk, site.pk])
    # and one by one the same (not every account, as a path of "" matched before)
    assert facade.subtree_account_ids(bare.pk) == [bare.pk]


def test_a_few_subtrees_read_by_their_paths_equal_the_pass_over_all_accounts(monkeypatch):
    # given two groups with subsidiaries two levels deep, an unrelated account, a bare one and an unknown id
    north = AccountFactory(name="North")
    north_site = AccountFactory(name="North site", parent=north)
    AccountFactory(name="North plant", parent=north_site)
    south = AccountFactory(name="South")
    AccountFactory(name="South site", parent=south)
    AccountFactory(name="Elsewhere")
    bare = Account.objects.create(name="Bare", kam_status="key_account")
    wanted = [north.pk, north_site.pk, south.pk, bare.pk, 999_999]
    # when read by their paths (few) and by one pass over all accounts (forced)
    few = facade.subtree_account_ids_of(wanted)
    monkeypatch.setattr(facade, "_FEW_SUBTREES", 0)
    every = facade.subtree_account_ids_of(wanted)
    # then the same subtrees in the same order, the unknown id left out
    assert few == every
    assert list(few) == list(every)
    assert len(few[north.pk]) == 3
    assert len(few[north_site.pk]) == 2
    assert few[bare.pk] == [bare.pk]
    assert 999_999 not in few
