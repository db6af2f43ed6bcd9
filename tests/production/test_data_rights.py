"""A customer downloads their data and asks for deletion, honoured except what retention keeps."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from privacy.models import ErasureRequest
from tests.factories import PASSWORD, DocumentFactory, VerificationFactory, png_bytes
from verification.models import Document, Status, Verification

pytestmark = pytest.mark.django_db


def test_user_center_links_to_the_data_page(customer_client):
    page = customer_client.get(reverse("accounts:user_center")).content.decode()
    assert reverse("privacy:overview") in page


def test_customer_downloads_their_data_with_images(customer_client, customer):
    verification = VerificationFactory(user=customer, document_number="X1234567")
    image = png_bytes(400, 300)
    from django.core.files.base import ContentFile

    DocumentFactory(verification=verification, file=ContentFile(image, name="p.png"))
    VerificationFactory(document_number="SOMEONE-ELSE")  # another customer's

    response = customer_client.post(reverse("privacy:download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == customer.email
    assert data["messages"] == []  # the inbox (empty here)
    [application] = data["applications"]
    assert application["document_number"] == "X1234567"
    assert application["date_of_birth"] == "1990-05-17"
    [document] = application["documents"]
    assert archive.read(document["file"]) == image  # decrypted for the customer
    assert b"SOMEONE-ELSE" not in response.content
    assert AuditEvent.objects.filter(action="data_export", subject=customer).count() == 1


def test_download_needs_post_and_sign_in(customer_client):
    from django.test import Client

    assert customer_client.get(reverse("privacy:download")).status_code == 405
    response = Client().post(reverse("privacy:download"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_erasure_keeps_decided_applications_without_images(
    customer_client, customer, settings, django_capture_on_commit_callbacks
):
    from verification.status import change_status

    decided = VerificationFactory(user=customer, status=Status.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(decided.pk, Status.REJECTED, reason="test")
    assert Notification.objects.filter(user=customer).exists()
    decided_image = DocumentFactory(verification=decided)
    draft = VerificationFactory(user=customer, status=Status.DRAFT)
    draft_image = DocumentFactory(verification=draft)
    paths = [settings.PRIVATE_MEDIA_ROOT / d.file.name for d in (decided_image, draft_image)]

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            reverse("privacy:erase"), {"password": PASSWORD, "confirm": "on"}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert not response.wsgi_request.user.is_authenticated
    assert all(not path.exists() for path in paths)
    assert not Verification.objects.filter(pk=draft.pk).exists()
    decided.refresh_from_db()
    assert decided.status == Status.REJECTED
    # The record stays without what identifies the person; the keyed hash still matches.
    assert decided.document_number == "" and decided.surname == "" and decided.date_of_birth is None
    assert decided.document_number_hash
    assert decided.status_changes.count() == 1
    kept_image = Document.objects.get(pk=decided_image.pk)
    assert kept_image.file_deleted_at is not None and not kept_image.file

    user = get_user_model().objects.get(pk=customer.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    erasure = ErasureRequest.objects.get(user=user)
    assert (erasure.deleted_applications, erasure.deleted_images, erasure.kept_applications) == (
        1,
        2,
        1,
    )
    assert erasure.completed_at is not None
    event = AuditEvent.objects.get(action="data_erased", subject=user)
    assert event.detail == {
        "deleted_applications": 1,
        "deleted_images": 2,
        "kept_applications": 1,
        "withdrawn_applications": 0,
    }
    assert customer_client.login(email=customer.email, password=PASSWORD) is False


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": "wrong-password-1", "confirm": "on"}, "That password is not correct."),
        ({"password": PASSWORD}, "Please tick the box to confirm the deletion."),
    ],
)
def test_erasure_refused_without_password_or_confirmation(customer_client, customer, form, message):
    verification = VerificationFactory(user=customer)
    response = customer_client.post(reverse("privacy:erase"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Verification.objects.filter(pk=verification.pk).exists()
    assert not ErasureRequest.objects.exists()
    customer.refresh_from_db()
    assert customer.is_active and customer.has_usable_password()


def test_staff_cannot_erase_their_account_from_the_portal(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("privacy:erase"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert not ErasureRequest.objects.exists()
