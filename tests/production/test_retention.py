"""Retention: images go a configurable time after a final decision; the decision record stays."""

import datetime

import pytest
from django.utils import timezone

from privacy import retention, tasks
from tests.factories import DocumentFactory, VerificationFactory
from verification.models import Document, Status, StatusChange

pytestmark = pytest.mark.django_db


def _decided(status, days_ago, **kwargs):
    verification = VerificationFactory(
        status=status, decided_at=timezone.now() - datetime.timedelta(days=days_ago), **kwargs
    )
    StatusChange.objects.create(verification=verification, old="under_review", new=status)
    return verification, DocumentFactory(verification=verification)


def test_images_are_deleted_after_the_retention_period_and_the_record_kept(
    settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RETENTION_DAYS = 30
    old_pass, old_image = _decided(Status.PASSED, days_ago=31)
    old_reject, rejected_image = _decided(Status.REJECTED, days_ago=45)
    recent, recent_image = _decided(Status.PASSED, days_ago=29)
    open_case = VerificationFactory(status=Status.UNDER_REVIEW, decided_at=None)
    open_image = DocumentFactory(verification=open_case)
    old_path = settings.PRIVATE_MEDIA_ROOT / old_image.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_expired_document_images() == 2

    assert not old_path.exists()
    for document in (old_image, rejected_image):
        document.refresh_from_db()
        assert document.file_deleted_at is not None
        assert not document.file
        assert document.sha256 == "" or document.sha256  # the row and its metadata stay
    for document in (recent_image, open_image):
        document.refresh_from_db()
        assert document.file_deleted_at is None
        assert document.file.storage.exists(document.file.name)
    old_pass.refresh_from_db()
    assert old_pass.status == Status.PASSED
    assert old_pass.document_number  # the decision record keeps its details
    assert StatusChange.objects.filter(verification=old_pass).count() == 1
    assert Document.objects.filter(verification=old_pass).count() == 1


def test_retention_period_comes_from_settings(settings, django_capture_on_commit_callbacks):
    settings.DOCUMENT_RETENTION_DAYS = 400
    _decided(Status.PASSED, days_ago=200)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_document_images() == 0
    settings.DOCUMENT_RETENTION_DAYS = 100
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_document_images() == 1


def test_running_the_purge_twice_deletes_nothing_more(settings, django_capture_on_commit_callbacks):
    settings.DOCUMENT_RETENTION_DAYS = 1
    _decided(Status.LAPSED, days_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_document_images() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_document_images() == 0


def test_purge_is_scheduled_daily_or_more_often(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-document-images"]
    assert entry["task"] == "privacy.tasks.purge_expired_document_images"
    assert entry["schedule"] <= 24 * 3600


# --- records kept from erased accounts ----------------------------------------------------------


def _erased_with_records(days_ago):
    """An account erased `days_ago` days ago, with one rejected and one withdrawn application."""
    from django.contrib.auth import get_user_model

    from audit.models import AuditEvent
    from privacy import services
    from privacy.models import ErasureRequest
    from review.models import ReviewDecision

    rejected, _image = _decided(Status.REJECTED, days_ago=days_ago + 10)
    user = rejected.user
    ReviewDecision.objects.create(
        verification=rejected, outcome="reject", reasons=["risk"], evidence_version=1
    )
    AuditEvent.objects.create(action="case_opened", verification=rejected, subject=user)
    in_review = VerificationFactory(user=user, status=Status.PROVIDED)
    DocumentFactory(verification=in_review)
    services.erase_account(get_user_model().objects.get(pk=user.pk))
    erased_at = timezone.now() - datetime.timedelta(days=days_ago)
    ErasureRequest.objects.filter(user=user).update(completed_at=erased_at)
    return user, [rejected.pk, in_review.pk]


def test_kept_records_are_purged_after_the_retention_period_not_before(
    settings, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent
    from privacy.models import ErasureRequest
    from review.models import ReviewDecision
    from verification.models import Verification

    settings.KYC_RECORD_RETENTION_DAYS = 1825
    old_user, old_records = _erased_with_records(days_ago=1826)
    recent_user, recent_records = _erased_with_records(days_ago=1824)
    # A customer who never erased their account keeps an old decided application.
    active, _image = _decided(Status.PASSED, days_ago=4000)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_expired_kyc_records() == 2

    assert not Verification.objects.filter(pk__in=old_records).exists()
    assert not StatusChange.objects.filter(verification_id__in=old_records).exists()
    assert not ReviewDecision.objects.filter(verification_id__in=old_records).exists()
    assert not Document.objects.filter(verification_id__in=old_records).exists()
    # The audit trail keeps its rows, without the link to the deleted application.
    assert (
        AuditEvent.objects.filter(subject=old_user, action="case_opened").get().verification_id
        is None
    )
    assert ErasureRequest.objects.get(user=old_user).records_purged_at is not None

    recent = Verification.objects.filter(pk__in=recent_records)
    assert {v.status for v in recent} == {Status.REJECTED, Status.WITHDRAWN}
    assert all(v.document_number_hash for v in recent)
    assert ReviewDecision.objects.filter(verification_id__in=recent_records).count() == 1
    assert ErasureRequest.objects.get(user=recent_user).records_purged_at is None
    assert Verification.objects.filter(pk=active.pk).exists()

    # A second run finds nothing more, and the period comes from the setting.
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_kyc_records() == 0
    settings.KYC_RECORD_RETENTION_DAYS = 1000
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_kyc_records() == 2
    assert not Verification.objects.filter(pk__in=recent_records).exists()


def test_record_purge_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-kyc-records"]
    assert entry["task"] == "privacy.tasks.purge_expired_kyc_records"
    assert entry["schedule"] <= 24 * 3600
