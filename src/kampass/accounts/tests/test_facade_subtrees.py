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
