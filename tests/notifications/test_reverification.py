"""Re-verification: when a pass stops counting, the daily beat task across dates."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import reverification, tasks
from notifications.models import Kind, Notification
from verification.models import Status, StatusChange, Verification
from verification.status import change_status

from .conftest import claim, decide, submit

pytestmark = pytest.mark.django_db


def passed(application, reviewer):
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "pass")
    application.refresh_from_db()
    return application


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert reverification.add_months(datetime.date(2026, 3, 15), 24) == datetime.date(2028, 3, 15)
    assert reverification.add_months(datetime.date(2028, 2, 29), 24) == datetime.date(2030, 2, 28)
    assert reverification.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert reverification.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


def test_valid_until_is_the_document_expiry_or_the_period_end_whichever_is_first(settings):
    settings.KYC_VALIDITY_MONTHS = 24
    passed_on = datetime.date(2026, 5, 10)
    soon = datetime.date(2027, 1, 1)
    late = datetime.date(2035, 1, 1)

    assert reverification.valid_until_for(soon, passed_on) == soon
    assert reverification.valid_until_for(late, passed_on) == datetime.date(2028, 5, 10)
    assert reverification.valid_until_for(None, passed_on) == datetime.date(2028, 5, 10)
    settings.KYC_VALIDITY_MONTHS = 6
    assert reverification.valid_until_for(late, passed_on) == datetime.date(2026, 11, 10)


def test_passing_records_valid_until_with_the_configured_period(application, reviewer, settings):
    settings.KYC_VALIDITY_MONTHS = 12
    application = passed(application, reviewer)

    today = timezone.localdate()
    assert application.valid_until == reverification.add_months(today, 12)
    assert application.status == Status.PASSED
    assert list(application.status_changes.values_list("new", flat=True)) == [
        Status.PROVIDED,
        Status.UNDER_REVIEW,
        Status.PASSED,
    ]


def test_daily_task_lapses_a_pass_only_after_its_last_valid_day(
    application, reviewer, django_capture_on_commit_callbacks
):
    application = passed(application, reviewer)
    last_day = application.valid_until
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert reverification.lapse_due(last_day - datetime.timedelta(days=30)) == 0
        assert reverification.lapse_due(last_day) == 0
    application.refresh_from_db()
    assert application.status == Status.PASSED
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert reverification.lapse_due(last_day + datetime.timedelta(days=1)) == 1
        assert reverification.lapse_due(last_day + datetime.timedelta(days=2)) == 0

    application.refresh_from_db()
    assert application.status == Status.LAPSED
    change = StatusChange.objects.get(verification=application, new=Status.LAPSED)
    assert change.old == Status.PASSED and change.actor is None
    assert change.reason == reverification.LAPSE_REASONS[reverification.PERIOD_ENDED]
    notification = Notification.objects.get(kind=Kind.REVERIFICATION_REQUIRED)
    assert notification.data == {"cause": reverification.PERIOD_ENDED}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[KYC Portal] Re-verification required"
    assert "Your verification has reached the end of its validity period." in mail.outbox[0].body


def test_an_expired_document_lapses_the_pass_the_day_after_expiry(
    application, reviewer, django_capture_on_commit_callbacks
):
    expiry = timezone.localdate() + datetime.timedelta(days=90)
    application.expiry_date = expiry
    application.save()
    application = passed(application, reviewer)
    assert application.valid_until == expiry
    mail.outbox.clear()

    assert reverification.lapse_due(expiry) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reverification.lapse_due(expiry + datetime.timedelta(days=1)) == 1

    assert Verification.objects.get(pk=application.pk).status == Status.LAPSED
    assert "The document you were verified with has expired." in mail.outbox[0].body


def test_beat_task_uses_todays_date_and_touches_only_passes(
    application, reviewer, outsider, django_capture_on_commit_callbacks
):
    from tests.factories import VerificationFactory

    application = passed(application, reviewer)
    Verification.objects.filter(pk=application.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    # An application still in review whose document expired is the reviewers' business.
    in_review = VerificationFactory(
        user=outsider, expiry_date=timezone.localdate() - datetime.timedelta(days=5)
    )
    submit(in_review)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.mark_lapsed_verifications.delay().get() == 1

    assert Verification.objects.get(pk=application.pk).status == Status.LAPSED
    assert Verification.objects.get(pk=in_review.pk).status == Status.PROVIDED
    assert [m.to for m in mail.outbox] == [[application.user.email]]


def test_a_lapse_is_final_for_that_application(application, reviewer):
    application = passed(application, reviewer)
    change_status(application.pk, Status.LAPSED, reason="test")

    with pytest.raises(Exception, match="lapsed -> passed"):
        change_status(application.pk, Status.PASSED)
