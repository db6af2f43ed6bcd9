"""The customer's journey: the declaration before Submit, the status track, the masked document
number, one date format per language, View or Set in the User Center, and the upload script's
JSON answers."""

import datetime
import json
import re

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from privacy.services import personal_data
from tests.factories import VerificationFactory, png_bytes
from tests.verification.conftest import upload
from tests.verification.test_submission import complete_passport_draft
from verification import services, track, uploads
from verification.models import Document, Status, StatusChange
from verification.status import change_status

pytestmark = pytest.mark.django_db

DECLARATION_ERROR = (
    "Please tick the declaration: the information is true and the documents are yours."
)


def _post_review(client, **data):
    return client.post(reverse("verification:review"), {"action": "submit", **data})


def _submitted(customer, **fields):
    """A passport application the customer has submitted (Provided)."""
    verification = complete_passport_draft(customer)
    return services.submit(verification, actor=customer, declared=True).verification


def _move(verification, *statuses, **fields):
    for status in statuses:
        verification = change_status(verification.pk, status, reason="test", **fields)
    return verification


# --- the declaration --------------------------------------------------------------------------


def test_submit_without_the_declaration_is_refused_and_nothing_is_written(
    customer_client, customer
):
    verification = complete_passport_draft(customer)

    response = _post_review(customer_client)

    assert response.status_code == 400
    html = response.content.decode()
    assert DECLARATION_ERROR in html
    assert 'aria-invalid="true"' in html
    # Only the tick is missing: Submit stays pressable.
    assert re.search(r'<button type="submit" name="action" value="submit" class="primary">', html)
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT
    assert verification.declared_at is None and verification.submitted_at is None
    assert not StatusChange.objects.filter(verification=verification).exists()


def test_the_review_step_shows_the_declaration_as_a_required_checkbox(customer_client, customer):
    complete_passport_draft(customer)
    html = customer_client.get(reverse("verification:review")).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="declaration"[^>]*>', html).group(0)
    assert "required" in checkbox
    assert "the information I have given is true and exactly the same as on my documents" in html


def test_the_declaration_is_recorded_with_the_submission(customer_client, customer):
    verification = complete_passport_draft(customer)

    response = _post_review(customer_client, declaration="yes")

    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert verification.declared_at is not None
    assert verification.declared_at == verification.submitted_at


def test_a_double_submit_makes_one_submission_and_keeps_the_first_declaration(
    customer_client, customer
):
    verification = complete_passport_draft(customer)
    _post_review(customer_client, declaration="yes")
    verification.refresh_from_db()
    first = verification.declared_at

    again = _post_review(customer_client, declaration="yes")

    assert again.status_code == 302
    verification.refresh_from_db()
    assert verification.declared_at == first
    assert StatusChange.objects.filter(verification=verification, new=Status.PROVIDED).count() == 1


def test_the_domain_refuses_a_submission_without_the_declaration(customer):
    verification = complete_passport_draft(customer)
    with pytest.raises(services.IncompleteApplication) as refused:
        services.submit(verification, actor=customer, declared=False)
    assert refused.value.problems == [DECLARATION_ERROR]
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT and verification.declared_at is None


def test_going_for_manual_verification_carries_the_declaration(customer_client, customer):
    verification = complete_passport_draft(customer, number="X99999999")

    prompt = _post_review(customer_client, declaration="yes").content.decode()
    assert '<input type="hidden" name="declaration" value="yes">' in prompt
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT and verification.declared_at is None

    _post_review(customer_client, action="manual_verification", declaration="yes")
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED and verification.ocr_mismatch is True
    assert verification.declared_at == verification.submitted_at


def test_a_supplement_is_declared_again(customer_client, customer):
    verification = _submitted(customer)
    first = verification.declared_at
    verification = _move(verification, Status.UNDER_REVIEW)
    verification = change_status(
        verification.pk,
        Status.SUPPLEMENT_REQUESTED,
        reason="test",
        requested_items=["document:holding_photo"],
    )

    assert _post_review(customer_client).status_code == 400
    assert _post_review(customer_client, declaration="yes").status_code == 302

    verification.refresh_from_db()
    # A returned supplement goes straight back to review (it stays "Under review" for customers).
    assert verification.status == Status.UNDER_REVIEW and verification.declared_at > first


def test_the_reviewer_sees_when_the_declaration_was_ticked(client, customer, reviewer):
    verification = _submitted(customer)
    client.force_login(reviewer)
    html = client.get(reverse("review:detail", args=[verification.pk])).content.decode()
    when = timezone.localtime(verification.declared_at).strftime("%Y-%m-%d %H:%M")
    assert f'<span id="declaration-line">Declaration ticked {when}</span>' in html


def test_the_data_download_includes_the_declaration(customer):
    verification = _submitted(customer)
    (record,) = personal_data(customer)["applications"]
    assert record["declared_at"] == verification.declared_at.isoformat()


# --- the status page --------------------------------------------------------------------------


def _status_page(client):
    return client.get(reverse("verification:status")).content.decode()


def _speak_chinese(client):
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})


def _track(html):
    """[(status, state)] of the progress track, in order."""
    return re.findall(r'class="track-stage stage-(\w+)[^"]*" data-status="(\w+)"', html)


def test_status_page_masks_the_document_number(customer_client, customer):
    verification = _submitted(customer)
    number = verification.document_number
    html = _status_page(customer_client)
    assert number not in html
    assert "•" * (len(number) - 4) + number[-4:] in html


def test_the_review_step_still_shows_the_whole_number_to_check(customer_client, customer):
    verification = complete_passport_draft(customer)
    html = customer_client.get(reverse("verification:review")).content.decode()
    assert verification.document_number in html


@pytest.mark.parametrize(
    "number, masked",
    [("P12345678", "•••••5678"), ("AB123", "•B123"), ("1234", "••••"), ("", "")],
)
def test_masked_document_number_shows_the_last_four_only(number, masked):
    assert VerificationFactory.build(document_number=number).masked_document_number == masked


def test_status_page_shows_the_track_with_the_current_stage_marked(customer_client, customer):
    verification = _submitted(customer)
    assert _track(_status_page(customer_client)) == [
        ("current", "provided"),
        ("upcoming", "under_review"),
        ("upcoming", "passed"),
    ]
    assert 'aria-current="step"' in _status_page(customer_client)

    _move(verification, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED)
    assert _track(_status_page(customer_client)) == [
        ("done", "provided"),
        ("current", "under_review"),
        ("upcoming", "passed"),
    ]


def test_a_draft_has_no_track(customer_client, customer):
    complete_passport_draft(customer)
    assert _track(_status_page(customer_client)) == []


def test_endings_follow_the_stages_reached(customer):
    rejected = _move(_submitted(customer), Status.UNDER_REVIEW, Status.REJECTED)
    assert [(s.status, s.state, s.ending) for s in track.track_for(rejected)] == [
        ("provided", "done", False),
        ("under_review", "done", False),
        ("rejected", "current", True),
    ]
    lapsed = VerificationFactory()
    lapsed = _move(lapsed, Status.PROVIDED, Status.UNDER_REVIEW, Status.PASSED, Status.LAPSED)
    assert [s.status for s in track.track_for(lapsed)] == [
        "provided",
        "under_review",
        "passed",
        "lapsed",
    ]
    withdrawn = _move(VerificationFactory(), Status.PROVIDED, Status.WITHDRAWN)
    assert [(s.status, s.state) for s in track.track_for(withdrawn)] == [
        ("provided", "done"),
        ("withdrawn", "current"),
    ]


def test_one_date_format_per_language_with_the_time_zone(customer_client, customer):
    verification = _submitted(customer)
    verification.submitted_at = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=datetime.UTC)
    verification.save(update_fields=["submitted_at"])

    assert "Submitted on 2 Dec 2026, 14:05 UTC." in _status_page(customer_client)
    _speak_chinese(customer_client)
    chinese = _status_page(customer_client)
    assert "2026年12月2日 14:05 UTC" in chinese
    assert "2026-12-02 14:05" not in chinese


def test_after_a_pass_the_details_are_not_repeated(customer_client, customer):
    verification = _move(
        _submitted(customer),
        Status.UNDER_REVIEW,
        Status.PASSED,
    )
    verification.valid_until = datetime.date(2030, 1, 31)
    verification.save(update_fields=["valid_until"])

    html = _status_page(customer_client)

    assert html.count("What was verified") == 1
    assert html.count(verification.get_document_type_display()) == 1
    assert verification.document_number[-4:] not in html
    assert 'class="settings summary"' not in html
    assert _track(html)[-1] == ("current", "passed")


# --- the User Center --------------------------------------------------------------------------


def _real_name_row(client):
    html = client.get(reverse("accounts:user_center")).content.decode()
    return re.search(r'<tr id="real-name-authentication">.*?</tr>', html, re.S).group(0)


def test_user_center_says_set_until_the_application_is_submitted(customer_client, customer):
    row = _real_name_row(customer_client)
    assert ">Set</a>" in row and reverse("verification:start") in row

    complete_passport_draft(customer)
    assert ">Set</a>" in _real_name_row(customer_client)


def test_user_center_says_view_once_submitted(customer_client, customer):
    _submitted(customer)
    row = _real_name_row(customer_client)
    assert ">View</a>" in row and ">Set</a>" not in row
    assert reverse("verification:status") in row


# --- the upload script's answers --------------------------------------------------------------

SCRIPT = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _passport_draft(customer):
    return VerificationFactory(user=customer)


def test_an_upload_from_the_script_is_stored_and_answered_in_json(customer_client, customer):
    verification = _passport_draft(customer)
    response = customer_client.post(
        reverse("verification:documents"),
        {"kind": "holding_photo", "file": upload(png_bytes())},
        **SCRIPT,
    )
    assert response.status_code == 200 and response.json() == {"uploaded": True}
    assert verification.documents.get().kind == Document.Kind.HOLDING_PHOTO


@override_settings(MAX_UPLOAD_BYTES=50_000)
def test_an_oversized_upload_from_the_script_gets_the_message_the_page_shows(
    customer_client, customer
):
    verification = _passport_draft(customer)
    content = png_bytes() + bytes(60_000)  # the size is checked before the content
    page = customer_client.get(reverse("verification:documents")).content.decode()
    response = customer_client.post(
        reverse("verification:documents"),
        {"kind": "holding_photo", "file": upload(content)},
        **SCRIPT,
    )

    assert response.status_code == 400
    (message,) = response.json()["errors"]
    check = uploads.browser_size_check()
    # The page's script fills "{size}" in as filesizeformat would: the same sentence.
    assert message == check["too_large"].replace("{size}", filesizeformat(len(content)))
    assert "the limit is 48.8\xa0KB" in message
    assert 'data-max-bytes="50000"' in page
    assert not verification.documents.exists()


def test_the_script_is_told_the_limit_in_chinese_too():
    with translation.override("zh-hans"):
        check = uploads.browser_size_check()
    assert check["max_bytes"] == 10 * 1024 * 1024
    assert "10.0\xa0MB" in check["too_large"] and "{size}" in check["too_large"]
    assert json.loads(check["units"]) == {
        "B": "%s\xa0字节",
        "KB": "%s\xa0KB",
        "MB": "%s\xa0MB",
        "GB": "%s\xa0GB",
    }
