"""Each notification's content, language and exactly-once delivery (inline tasks)."""

import datetime
import socket

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Kind, Notification, OutgoingEmail
from review import services as review_services
from tests.factories import VerificationFactory
from verification.models import Status

from .conftest import claim, decide, submit

pytestmark = pytest.mark.django_db


def only_email():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def html_of(message):
    return next(body for body, kind in message.alternatives if kind == "text/html")


def test_submission_sends_one_received_email_with_expected_completion(
    application, django_capture_on_commit_callbacks
):
    due = timezone.make_aware(datetime.datetime(2031, 3, 4, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        submit(application, due=due)

    message = only_email()
    assert message.to == [application.user.email]
    assert message.subject == "[KYC Portal] Application received"
    assert "“Provided”" in message.body
    assert "Expected completion: 4 Mar 2031." in message.body
    assert "/kyc/status/" in message.body
    assert "Expected completion: 4 Mar 2031." in html_of(message)
    notification = Notification.objects.get(user=application.user)
    assert notification.kind == Kind.RECEIVED and notification.read_at is None
    email = OutgoingEmail.objects.get(notification=notification)
    assert email.sent_at is not None and email.attempts == 1
    assert email.idempotency_key == f"status-change:{notification.status_change_id}"


def test_email_never_carries_the_document_number_or_birth_date(
    application, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)
        claim(application, reviewer)
        decide(application, reviewer, "pass")

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        for text in (message.subject, message.body, html_of(message)):
            assert application.document_number not in text
            assert "1990" not in text


def test_repeated_status_change_notifies_once(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)
        submit(application)  # a double click or a retried task: no new StatusChange

    assert Notification.objects.filter(user=application.user).count() == 1
    assert OutgoingEmail.objects.count() == 1
    only_email()


def test_sending_the_same_email_again_sends_nothing(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)
    email = OutgoingEmail.objects.get()

    assert services.send_email(email.pk) is False
    assert services.send_unsent_emails(older_than_seconds=0) == 0
    only_email()
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_released_claim_sends_the_customer_nothing(
    application, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)
        claim(application, reviewer)
        review_services.release(application.pk, reviewer)

    assert [n.kind for n in Notification.objects.all()] == [Kind.RECEIVED]
    assert len(mail.outbox) == 1


def test_supplement_request_lists_exactly_the_items_and_the_reviewers_message(
    application, reviewer, django_capture_on_commit_callbacks
):
    submit(application)
    claim(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            reviewer,
            "supplement",
            requested_items=["document:holding_photo", "field:given_names"],
            customer_message="Your face is cut off in the photo.\nPlease also check your names.",
        )

    message = mail.outbox[-1]
    assert message.subject == "[KYC Portal] Supplement requested"
    assert (
        "- Re-upload: Photo holding the document: http://localhost:8000/kyc/documents/#slot-holding_photo"
        in message.body
    )
    assert (
        "- Correct: Given names: http://localhost:8000/kyc/details/#id_given_names" in message.body
    )
    assert "Passport data page" not in message.body
    assert "Your face is cut off in the photo." in message.body
    html = html_of(message)
    assert 'href="http://localhost:8000/kyc/documents/#slot-holding_photo"' in html
    assert "Your face is cut off in the photo.<br>Please also check your names." in html
    notification = Notification.objects.get(kind=Kind.SUPPLEMENT_REQUESTED)
    assert notification.data == {"requested_items": ["document:holding_photo", "field:given_names"]}


def test_reviewer_message_is_escaped_in_the_html_email(
    application, reviewer, django_capture_on_commit_callbacks
):
    submit(application)
    claim(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            reviewer,
            "supplement",
            requested_items=["field:surname"],
            customer_message="<script>alert(1)</script>",
        )

    html = html_of(mail.outbox[-1])
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[-1].body  # plain text is not HTML


def test_passed_email_says_until_when(application, reviewer, django_capture_on_commit_callbacks):
    application.expiry_date = datetime.date(2027, 6, 30)
    application.save()
    submit(application)
    claim(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, reviewer, "pass")

    message = mail.outbox[-1]
    assert message.subject == "[KYC Portal] Real-name authentication passed"
    assert "Your verification is valid until 30 Jun 2027." in message.body
    application.refresh_from_db()
    assert application.valid_until == datetime.date(2027, 6, 30)


def test_rejection_with_retry_lists_reasons_and_how_to_try_again(
    application, reviewer, django_capture_on_commit_callbacks
):
    submit(application)
    claim(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            reviewer,
            "reject",
            reasons=["unreadable", "other"],
            other_reason="The photo is of a screen",
            customer_message="Please photograph the passport itself.",
        )

    message = mail.outbox[-1]
    assert message.subject == "[KYC Portal] Real-name authentication rejected"
    assert "- Document blurry or unreadable" in message.body
    assert "- The photo is of a screen" in message.body
    assert "Please photograph the passport itself." in message.body
    assert "You may try again" in message.body
    assert "This decision is final" not in message.body


def test_final_rejection_says_it_is_final(
    application, reviewer, django_capture_on_commit_callbacks
):
    submit(application)
    claim(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            reviewer,
            "reject",
            reasons=["risk"],
            final=True,
            customer_message="We cannot verify this account.",
        )

    body = mail.outbox[-1].body
    assert "- Abnormal activity / risk control" in body
    assert "This decision is final" in body
    assert "You may try again" not in body


def test_emails_are_in_the_customers_language(
    customer, reviewer, django_capture_on_commit_callbacks
):
    customer.preferred_language = "zh-hans"
    customer.save()
    expiry = datetime.date(timezone.localdate().year + 1, 1, 31)
    application = VerificationFactory(user=customer, expiry_date=expiry)
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)
        claim(application, reviewer)
        decide(application, reviewer, "pass")

    received, passed = mail.outbox
    assert received.subject == "[KYC Portal] 已收到申请"
    assert "已提供" in received.body
    assert passed.subject == "[KYC Portal] 实名认证已通过"
    assert f"您的认证有效期至 {expiry.year}年1月31日。" in passed.body
    assert 'lang="zh-hans"' in html_of(passed)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mail_server_down_keeps_the_email_pending_and_the_sweep_sends_it_once(
    application, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    with django_capture_on_commit_callbacks(execute=True):
        submit(application)  # the submission itself succeeds

    application.refresh_from_db()
    assert application.status == Status.PROVIDED
    email = OutgoingEmail.objects.get()
    assert email.sent_at is None and email.attempts >= 1
    assert email.last_error == "ConnectionRefusedError"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_unsent_emails(older_than_seconds=0) == 1
    assert services.send_unsent_emails(older_than_seconds=0) == 0
    only_email()
    email.refresh_from_db()
    assert email.sent_at is not None and email.last_error == ""


def test_sweep_leaves_emails_that_failed_too_often(application, settings):
    submit(application)  # no on_commit run: the email was never queued
    email = OutgoingEmail.objects.get()
    email.attempts = services.MAX_EMAIL_ATTEMPTS
    email.save()

    assert services.send_unsent_emails(older_than_seconds=0) == 0
    assert mail.outbox == []
