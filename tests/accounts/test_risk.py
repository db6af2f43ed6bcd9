"""Sign-in lockouts (wrong passwords, wrong two-step codes) become risk events supervisors see."""

import pytest
from django.urls import reverse

from accounts.models import RiskEvent
from kyc_portal import crypto
from tests.factories import PASSWORD, enable_totp, totp_code
from tests.review.factories import submitted_case

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
CLIENT_IP = "198.51.100.23"


def _log_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=CLIENT_IP)


def test_the_fifth_wrong_password_locks_sign_in_and_records_one_risk_event(client, customer):
    for attempt in range(4):
        _log_in(client, customer.email, f"wrong-password-{attempt}")
    assert not RiskEvent.objects.exists()  # wrong passwords alone are not yet a lockout

    _log_in(client, customer.email, "wrong-password-4")
    locked = _log_in(client, customer.email, PASSWORD)  # even the right one, for a while

    assert locked.status_code == 200
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    event = RiskEvent.objects.get()
    assert event.kind == RiskEvent.Kind.SIGN_IN_LOCKED
    assert event.user == customer
    assert event.ip_hash == crypto.lookup_hash(CLIENT_IP)
    assert CLIENT_IP not in event.ip_hash
    assert event.email_domain == customer.email.rpartition("@")[2]
    assert event.path == LOGIN


def test_wrong_passwords_for_an_unknown_email_lock_without_a_user(client):
    for attempt in range(5):
        _log_in(client, "nobody@unknown.example", f"wrong-password-{attempt}")

    event = RiskEvent.objects.get()
    assert event.kind == RiskEvent.Kind.SIGN_IN_LOCKED and event.user is None
    assert event.email_domain == "unknown.example"


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_the_fifth_wrong_two_step_code_locks_sign_in_and_records_a_risk_event(client, customer):
    secret = enable_totp(customer)
    assert _log_in(client, customer.email, PASSWORD)["Location"] == reverse("mfa_authenticate")

    for _ in range(4):
        response = client.post(
            reverse("mfa_authenticate"), {"code": _wrong(totp_code(secret))}, REMOTE_ADDR=CLIENT_IP
        )
        assert response.status_code == 200
    assert not RiskEvent.objects.exists()
    client.post(
        reverse("mfa_authenticate"), {"code": _wrong(totp_code(secret))}, REMOTE_ADDR=CLIENT_IP
    )
    right = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret)}, REMOTE_ADDR=CLIENT_IP
    )

    assert right.status_code == 200 and "_auth_user_id" not in client.session  # locked
    event = RiskEvent.objects.get()
    assert event.kind == RiskEvent.Kind.TWO_STEP_LOCKED
    assert event.user == customer
    assert event.ip_hash == crypto.lookup_hash(CLIENT_IP)


def test_supervisors_see_lockouts_on_the_case_page_and_in_the_admin(
    client, customer, supervisor, reviewer
):
    case = submitted_case(user=customer)
    for attempt in range(5):
        _log_in(client, customer.email, f"wrong-password-{attempt}")
    label = "Sign-in locked after repeated wrong passwords"

    client.force_login(supervisor)
    case_page = client.get(reverse("review:detail", args=[case.pk]))
    admin_list = client.get(reverse("admin:accounts_riskevent_changelist"))

    assert label in case_page.content.decode()
    assert admin_list.status_code == 200
    assert label in admin_list.content.decode() and customer.email in admin_list.content.decode()
    client.force_login(reviewer)  # reviewers keep to the case page
    assert client.get(reverse("admin:accounts_riskevent_changelist")).status_code == 302
