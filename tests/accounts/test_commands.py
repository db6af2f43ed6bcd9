import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts import roles
from accounts.models import User
from sales.models import SalesGroup

pytestmark = pytest.mark.django_db


def test_create_reviewer_makes_a_verified_reviewer(monkeypatch):
    monkeypatch.setenv("KYC_PASSWORD", "a-long-reviewer-pass")

    call_command("create_reviewer", "Rita@Example.com")

    user = User.objects.get(email="rita@example.com")
    assert roles.of(user) == {roles.REVIEWER}
    assert not user.is_staff
    assert user.check_password("a-long-reviewer-pass")
    assert EmailAddress.objects.get(user=user).verified


def test_create_reviewer_as_supervisor_may_use_the_admin(monkeypatch):
    monkeypatch.setenv("KYC_PASSWORD", "a-long-supervisor-pass")

    call_command("create_reviewer", "sam@example.com", "--supervisor")

    user = User.objects.get(email="sam@example.com")
    assert roles.is_supervisor(user) and user.is_staff


def test_create_reviewer_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("KYC_PASSWORD", "short")

    with pytest.raises(CommandError, match="too short"):
        call_command("create_reviewer", "weak@example.com")
    assert not User.objects.filter(email="weak@example.com").exists()


def test_inquiry_account_belongs_to_its_sales_group(monkeypatch):
    monkeypatch.setenv("KYC_PASSWORD", "a-long-inquiry-pass")
    call_command("create_sales_group", "East team")

    call_command("create_inquiry_account", "east@example.com", "--group", "East team")

    user = User.objects.get(email="east@example.com")
    assert roles.is_inquiry(user)
    assert user.sales_group == SalesGroup.objects.get(name="East team")


def test_inquiry_account_for_an_unknown_group_is_refused(monkeypatch):
    monkeypatch.setenv("KYC_PASSWORD", "a-long-inquiry-pass")

    with pytest.raises(CommandError, match="No sales group"):
        call_command("create_inquiry_account", "x@example.com", "--group", "Nope")
    assert not User.objects.filter(email="x@example.com").exists()


def test_demo_accounts_are_idempotent():
    call_command("ensure_demo_accounts")
    call_command("ensure_demo_accounts")

    assert User.objects.filter(is_demo=True).count() == 3
    assert SalesGroup.objects.count() == 1
