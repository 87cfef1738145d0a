import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kampass.accounts.models import Account, AccountStatusChange
from kampass.accounts.services import account_create, account_set_status, account_update


def test_account_create_builds_paths(admin_user):
    group = account_create(actor=admin_user, name="Siemens Group")
    company = account_create(actor=admin_user, name="Siemens AG", parent=group)
    site = account_create(actor=admin_user, name="Erlangen", parent=company)
    assert group.path == f"{group.pk}/"
    assert site.path == f"{group.pk}/{company.pk}/{site.pk}/"
    assert site.depth == 2


def test_move_into_own_subtree_is_refused(admin_user):
    group = account_create(actor=admin_user, name="G")
    child = account_create(actor=admin_user, name="C", parent=group)
    with pytest.raises(ValidationError) as exc:
        account_update(actor=admin_user, account=group, parent=child)
    assert "cycle" in str(exc.value)
    group.refresh_from_db()
    assert group.parent is None


def test_move_rebases_subtree(admin_user):
    a = account_create(actor=admin_user, name="A")
    b = account_create(actor=admin_user, name="B")
    c = account_create(actor=admin_user, name="C", parent=a)
    d = account_create(actor=admin_user, name="D", parent=c)
    account_update(actor=admin_user, account=c, parent=b)
    d.refresh_from_db()
    assert d.path == f"{b.pk}/{c.pk}/{d.pk}/"
    assert d.depth == 2


def test_duplicate_name_under_same_parent_is_refused(admin_user):
    g = account_create(actor=admin_user, name="G")
    account_create(actor=admin_user, name="Sub", parent=g)
    with pytest.raises(ValidationError):
        account_create(actor=admin_user, name="sub", parent=g)
    assert Account.objects.filter(parent=g).count() == 1


def test_status_change_is_recorded_with_reason(admin_user):
    a = account_create(actor=admin_user, name="A")
    account_set_status(actor=admin_user, account=a, status="key_account", reason="Top 10 potential")
    a.refresh_from_db()
    assert a.kam_status == "key_account"
    assert AccountStatusChange.objects.filter(account=a, to_status="key_account", reason="Top 10 potential").exists()


def test_kam_cannot_edit_foreign_account(admin_user, kam):
    a = account_create(actor=admin_user, name="A")
    with pytest.raises(PermissionDenied):
        account_update(actor=kam, account=a, name="Hijacked")


def test_buying_centre_reports_all_bad_fields_at_once(admin_user):
    from kampass.accounts.models import BuyingCentreMember
    from kampass.accounts.services import buying_centre_set, contact_create

    a = account_create(actor=admin_user, name="A")
    c = contact_create(actor=admin_user, last_name="Muster", account=a)
    with pytest.raises(ValidationError) as exc:
        buying_centre_set(actor=admin_user, account=a, contact=c, roles=["emperor"], influence=11)
    assert set(exc.value.message_dict) == {"roles", "influence"}
    assert not BuyingCentreMember.objects.exists()
