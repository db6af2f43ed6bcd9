"""Who sees document images and who may use the wizard: the most thoroughly tested code."""

import pytest
from django.http import Http404
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import DocumentFactory, UserFactory, VerificationFactory, staff_user
from verification import access
from verification.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_document(customer):
    return DocumentFactory(verification=VerificationFactory(user=customer, status=Status.PROVIDED))


@pytest.fixture
def draft_document(customer):
    return DocumentFactory(verification=VerificationFactory(user=customer))


def _get(client, document):
    return client.get(reverse("verification:document", args=[document.pk]))


def test_owner_sees_own_document_with_safe_headers(customer_client, submitted_document):
    response = _get(customer_client, submitted_document)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert not AuditEvent.objects.exists()  # the owner's own views are not staff views


def test_owner_sees_own_draft_document(customer_client, draft_document):
    assert _get(customer_client, draft_document).status_code == 200


def test_another_customer_gets_404(client, outsider, submitted_document):
    client.force_login(outsider)
    assert _get(client, submitted_document).status_code == 404


def test_anonymous_visitor_gets_404(client, submitted_document):
    assert _get(client, submitted_document).status_code == 404


def test_inquiry_login_gets_404(client, inquiry, submitted_document):
    client.force_login(inquiry)
    assert _get(client, submitted_document).status_code == 404
    assert not AuditEvent.objects.exists()


def test_reviewer_sees_submitted_document_and_the_view_is_audited(
    client, reviewer, submitted_document
):
    client.force_login(reviewer)
    response = _get(client, submitted_document)
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.DOCUMENT_VIEWED
    assert event.actor == reviewer
    assert event.verification == submitted_document.verification
    assert event.subject == submitted_document.verification.user
    assert event.detail["document_id"] == submitted_document.pk


def test_every_staff_view_is_a_new_audit_row(client, supervisor, submitted_document):
    client.force_login(supervisor)
    _get(client, submitted_document)
    _get(client, submitted_document)
    assert AuditEvent.objects.filter(actor=supervisor).count() == 2


def test_reviewer_cannot_see_a_draft(client, reviewer, draft_document):
    client.force_login(reviewer)
    assert _get(client, draft_document).status_code == 404
    assert not AuditEvent.objects.exists()


def test_reviewer_without_two_step_verification_gets_404(client, submitted_document):
    from accounts import roles

    reviewer = staff_user(roles.REVIEWER, mfa=False)
    client.force_login(reviewer)
    assert _get(client, submitted_document).status_code == 404


def test_deleted_image_gets_404_even_for_the_owner(customer_client, submitted_document):
    from django.utils import timezone

    submitted_document.file_deleted_at = timezone.now()
    submitted_document.save()
    assert _get(customer_client, submitted_document).status_code == 404


def test_unknown_document_gets_404(customer_client):
    response = customer_client.get(reverse("verification:document", args=[987654]))
    assert response.status_code == 404


def test_get_document_for_viewer_raises_404_for_strangers(outsider, submitted_document):
    with pytest.raises(Http404):
        access.get_document_for_viewer(outsider, submitted_document.pk)
    with pytest.raises(Http404):
        access.get_document_for_viewer(outsider, "not-a-number")
    owner = submitted_document.verification.user
    assert access.get_document_for_viewer(owner, submitted_document.pk) == submitted_document


def test_images_are_not_under_any_public_url(client, submitted_document, settings):
    assert not settings.STORAGES["documents"]["OPTIONS"].get("base_url")
    name = submitted_document.file.name
    for url in (f"/media/{name}", f"/{name}", f"/static/{name}"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("url_name", ["start", "certificate", "documents", "details", "review"])
def test_staff_cannot_use_the_wizard(client, reviewer, inquiry, url_name):
    for user in (reviewer, inquiry):
        client.force_login(user)
        assert client.get(reverse(f"verification:{url_name}")).status_code == 403


def test_wizard_needs_a_verified_email(client):
    user = UserFactory(verified_email=False)
    client.force_login(user)
    response = client.get(reverse("verification:certificate"))
    assert "verification/certificate.html" not in [t.name for t in response.templates]
    data = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}
    client.post(reverse("verification:certificate"), data)
    assert not user.verifications.exists()


def test_wizard_needs_sign_in(client):
    response = client.get(reverse("verification:certificate"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_customer_cannot_see_another_customers_status(client, outsider, customer):
    VerificationFactory(user=customer, status=Status.PROVIDED, surname="SECRETNAME")
    client.force_login(outsider)
    response = client.get(reverse("verification:status"))
    assert response.status_code == 200
    assert "SECRETNAME" not in response.content.decode()
