"""Right after a holding photo is uploaded the wizard says when no face is in it (no score)."""

import pytest
from django.urls import reverse

from identity.models import FaceMatch
from tests.factories import VerificationFactory
from tests.verification.conftest import upload
from verification.models import Document

from .conftest import customer_page, evidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _check_on(settings):
    settings.KYC_FACE_UPLOAD_CHECK = True


@pytest.fixture
def draft(customer):
    return VerificationFactory(user=customer, surname="", document_number="")


def _post(client, content, kind="holding_photo"):
    return client.post(
        reverse("verification:documents"),
        {"kind": kind, "file": upload(content, name="me.jpg", content_type="image/jpeg")},
    )


@pytest.mark.parametrize(
    "case", ["nobody", "page alone on a table", "portrait print held up instead of a face"]
)
def test_a_holding_photo_without_the_persons_face_is_refused_with_advice(
    customer_client, draft, case
):
    response = _post(customer_client, evidence(case))
    assert response.status_code == 400
    text = response.content.decode()
    assert "We could not find your face in this photo." in text
    assert "score" not in text.lower()
    assert not Document.objects.filter(verification=draft).exists()


def test_the_advice_is_in_chinese_for_a_chinese_customer(customer_client, draft):
    customer_client.cookies["django_language"] = "zh-hans"
    response = _post(customer_client, evidence("nobody"))
    assert response.status_code == 400
    assert "我们未能在这张照片中找到您的面部" in response.content.decode()


def test_the_upload_script_gets_the_advice_beside_the_control(customer_client, draft):
    response = customer_client.post(
        reverse("verification:documents"),
        {"kind": "holding_photo", "file": upload(evidence("nobody"), "me.jpg", "image/jpeg")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("We could not find your face in this photo.")


def test_a_photo_with_the_customer_is_kept_and_its_face_match_starts_after_the_commit(
    customer_client, draft, django_capture_on_commit_callbacks
):
    from benchmarks.faces import scenes

    with django_capture_on_commit_callbacks(execute=True):
        assert _post(customer_client, evidence("customer holding own page")).status_code == 302
    assert not FaceMatch.objects.exists()  # the page is not there yet
    with django_capture_on_commit_callbacks(execute=True):
        page = scenes.jpeg(customer_page()[0])
        assert _post(customer_client, page, kind="passport_page").status_code == 302
    match = FaceMatch.objects.get(verification=draft)
    assert match.state == FaceMatch.State.DONE and match.verdict == "match"
