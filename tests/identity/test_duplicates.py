"""One face behind several accounts: stored embeddings (encrypted), the lookup, and their
deletion with the images under retention, erasure and rejection."""

import datetime
import io

import numpy as np
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from identity import duplicates, matching, tasks
from identity.models import FaceDuplicate, FaceEmbedding, FaceMatch
from review.signals import open_signals
from tests.factories import UserFactory
from tests.review.factories import submitted_case
from verification.models import Status
from verification.status import change_status

from .conftest import attach, customer_page, evidence

pytestmark = pytest.mark.django_db


def _application(case="customer holding own page", **fields):
    from benchmarks.faces import scenes

    verification = submitted_case(documents=False, **fields)
    attach(verification, "passport_page", scenes.png(customer_page()[0]), "page.png")
    attach(verification, "holding_photo", evidence(case))
    match = matching.start_match(verification.pk, send=tasks.match_faces.apply_async)
    match.refresh_from_db()
    assert match.state == FaceMatch.State.DONE
    return verification, match


def _face_signals(verification):
    return sorted(s.key for s in open_signals(verification) if s.key.startswith("face:same"))


def test_the_same_face_under_another_account_is_flagged_with_a_link(client, reviewer):
    first, _ = _application()
    second, match = _application("customer, another photo, brighter")
    assert second.user_id != first.user_id
    assert _face_signals(second) == [f"face:same:{first.pk}"]
    rows = FaceDuplicate.objects.filter(face_match=match, other_verification=first)
    assert {row.kind for row in rows} == {"person", "portrait"}
    assert all(row.score >= duplicates.DUPLICATE_THRESHOLD for row in rows)
    client.force_login(reviewer)
    from django.urls import reverse

    html = client.get(reverse("review:detail", args=[second.pk])).content.decode()
    assert f'href="{reverse("review:detail", args=[first.pk])}"' in html
    assert 'id="same-faces"' in html


def test_another_persons_face_is_no_duplicate():
    _application()
    other, match = _application("someone else holding the customer's page")
    # The same page (so the same portrait) is a duplicate of the portrait; the person is not.
    assert not FaceDuplicate.objects.filter(face_match=match, kind="person").exists()


def test_the_same_portrait_under_a_different_name_in_one_account_is_flagged():
    customer = UserFactory()
    first, _ = _application(user=customer, surname="OBAMA", status=Status.PASSED)
    # A later application of the same account, the same face, another name.
    change_status(first.pk, Status.LAPSED, reason="expired")
    second, _ = _application(user=customer, surname="SMITH")
    assert _face_signals(second) == [f"face:same:{first.pk}"]
    titles = [s.title for s in open_signals(second) if s.key.startswith("face:same")]
    assert titles == [f"Same face as application #{first.pk} under a different name"]


def test_the_embedding_is_encrypted_at_rest_and_rotates_with_the_keys(settings):
    _, match = _application()
    stored = FaceEmbedding.objects.get(face_match=match, kind="person")
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector FROM identity_faceembedding WHERE id = %s", [stored.pk])
        raw_before = cursor.fetchone()[0]
    assert stored.vector not in raw_before  # a Fernet token, not the numbers
    assert duplicates.decode(stored.vector).shape == (128,)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "identity.FaceEmbedding: 2 rows re-encrypted" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert FaceEmbedding.objects.get(pk=stored.pk).vector == stored.vector


def test_retention_deletes_the_embeddings_with_the_images():
    from privacy.retention import purge_expired_document_images

    first, match = _application(status=Status.PASSED)
    first.__class__.objects.filter(pk=first.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=3650)
    )
    assert FaceEmbedding.objects.filter(face_match=match).count() == 2
    purge_expired_document_images()
    assert not FaceEmbedding.objects.filter(face_match=match).exists()
    # Later applications with the same face no longer find the deleted one.
    second, _ = _application("customer, another photo, brighter")
    assert _face_signals(second) == []


def test_erasure_deletes_the_embeddings():
    from privacy.services import erase_account

    first, match = _application()
    erase_account(first.user)
    assert not FaceEmbedding.objects.filter(face_match=match).exists()


def test_a_rejected_application_keeps_no_face(reviewer):
    first, match = _application(status=Status.UNDER_REVIEW, assigned_to=reviewer)
    change_status(first.pk, Status.REJECTED, actor=reviewer, reason="test")
    assert not FaceEmbedding.objects.filter(verification=first).exists()


def test_the_index_adds_new_rows_and_finds_the_nearest_in_one_product():
    index = duplicates.FaceIndex()
    _, match = _application()
    index.refresh()
    assert len(index.ids) == 2
    person = duplicates.decode(FaceEmbedding.objects.get(face_match=match, kind="person").vector)
    nearest = index.nearest(person)
    assert nearest[0][1] == pytest.approx(0.0, abs=1e-3)  # float32 rounding
    far = np.full(128, 0.5, dtype=np.float32)
    assert index.nearest(far) == []
    index.refresh()  # nothing new: nothing added twice
    assert len(index.ids) == 2


def test_a_worker_process_starts_with_the_face_index_loaded(monkeypatch):
    from celery.signals import worker_process_init

    case = submitted_case()  # its faces compared
    match = case.face_matches.get()
    vectors = np.eye(128, dtype=np.float32)[:2]
    for kind, vector in zip(("person", "portrait"), vectors, strict=True):
        FaceEmbedding.objects.create(
            face_match=match, verification=case, kind=kind, vector=duplicates.encode(vector)
        )
    assert len(duplicates.index().ids) == 0  # nothing loaded before the worker starts
    # Only this handler (Celery's own would close the test's database connection, as it does
    # a forked child's inherited one); the worker connects it when it starts (worker_init).
    monkeypatch.setattr(worker_process_init, "receivers", [])
    monkeypatch.setattr(worker_process_init, "sender_receivers_cache", {})
    tasks._warm_up_each_worker_process(sender=None)
    worker_process_init.send(sender="celery@test")
    index = duplicates.index()
    assert sorted(index.ids) == sorted(FaceEmbedding.objects.values_list("pk", flat=True))
    assert index.nearest(vectors[0])[0][1] == pytest.approx(0.0, abs=1e-6)
