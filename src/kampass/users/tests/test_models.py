"""Users, roles, org units and API tokens as stored."""

from __future__ import annotations

import hashlib

import pytest

from kampass.users.models import ApiToken, OrgUnit, Role, User, hash_token


def test_a_user_is_shown_by_full_name_and_falls_back_to_the_username(db):
    # given
    named = User.objects.create_user(username="anna", first_name="Anna", last_name="Meier")
    bare = User.objects.create_user(username="bob")

    # when / then
    assert str(named) == "Anna Meier"
    assert str(bare) == "bob"


def test_a_new_user_is_a_viewer_without_a_language(db):
    # when
    user = User.objects.create_user(username="new")

    # then
    assert user.role == Role.VIEWER
    assert user.language == ""


@pytest.mark.parametrize(
    ("role", "superuser", "expected"),
    [
        (Role.ADMIN, False, True),
        (Role.HEAD, False, False),
        (Role.KAM, False, False),
        (Role.VIEWER, True, True),
    ],
)
def test_is_admin_role_for_the_admin_role_or_a_superuser(role, superuser, expected):
    # given: an unsaved user (the property reads the fields only)
    user = User(username="u", role=role, is_superuser=superuser)

    # when / then
    assert user.is_admin_role is expected


def test_users_are_ordered_by_last_name_then_first_name_then_username(db):
    # given
    User.objects.create_user(username="z", first_name="Anna", last_name="Zeller")
    User.objects.create_user(username="b", first_name="Berta", last_name="Albrecht")
    User.objects.create_user(username="a", first_name="Anna", last_name="Albrecht")

    # when
    names = list(User.objects.values_list("username", flat=True))

    # then
    assert names == ["a", "b", "z"]


def test_the_role_labels_are_translated():
    # given / when
    from django.utils import translation

    with translation.override("de"):
        labels = (str(Role.HEAD.label), str(Role.VIEWER.label))

    # then
    assert labels == ("KAM-Leitung", "Betrachter")


def test_an_org_unit_is_shown_by_name_and_ordered_by_name(db):
    # given
    parent = OrgUnit.objects.create(name="Zürich", code="ZH", country="CH")
    OrgUnit.objects.create(name="Aarau", parent=parent)

    # when
    units = list(OrgUnit.objects.all())

    # then
    assert [str(u) for u in units] == ["Aarau", "Zürich"]
    assert list(parent.children.values_list("name", flat=True)) == ["Aarau"]


def test_hash_token_is_the_sha256_hex_digest_of_the_raw_token():
    # given
    raw = "kp_secret"

    # when / then
    assert hash_token(raw) == hashlib.sha256(b"kp_secret").hexdigest()
    assert len(hash_token(raw)) == 64
    assert hash_token(raw) != hash_token(raw + "x")


def test_generated_tokens_carry_the_prefix_and_differ():
    # when
    tokens = {ApiToken.generate() for _ in range(20)}

    # then
    assert len(tokens) == 20
    assert all(t.startswith("kp_") and len(t) > 40 for t in tokens)


def test_a_token_is_shown_by_its_prefix_and_owner(db):
    # given
    user = User.objects.create_user(username="tok", first_name="Tom", last_name="Koch")

    # when
    token = ApiToken.objects.create(user=user, prefix="kp_abcdefg", token_hash="0" * 64)

    # then
    assert str(token) == "kp_abcdefg… (Tom Koch)"
