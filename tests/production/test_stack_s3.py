"""The whole stack on an S3 bucket: gunicorn, a Celery worker and beat as separate processes,
on PostgreSQL, Redis and moto's S3 server, configured by environment as in docker-compose.

A customer signs in and walks the wizard over HTTP with a generated passport; the worker reads
it; a reviewer with two-step verification opens the case, views the images (streamed from the
bucket and decrypted) and passes it; beat's retention purge then deletes the images from the
bucket while the decision record stays. The bucket itself is inspected with boto3 throughout.
"""

import datetime
import http.client
import json
import os
import re
import shelve
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from audit.models import AuditEvent
from kyc_portal.storage import decrypt_bytes
from review.models import ReviewDecision
from tests.conftest import _database_url, start_celery_worker, stop_celery_worker
from tests.factories import (
    PASSWORD,
    DocumentFactory,
    UserFactory,
    enable_totp,
    png_bytes,
    staff_user,
    totp_code,
)
from tests.verification.conftest import generated_passport, typed_from_truth
from verification.models import Document, OcrResult, Status, StatusChange, Verification

from .conftest import ROOT, production_env, start_gunicorn, stop

pytestmark = [pytest.mark.worker, pytest.mark.slow]

STEP1_PASSPORT = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}
PURGE_ENTRY = "purge-expired-document-images"  # settings.CELERY_BEAT_SCHEDULE
PURGE_DONE = re.compile(
    r"privacy\.tasks\.purge_expired_document_images\[[^\]]+\] succeeded in [\d.]+s: (\d+)"
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff")


class Visitor:
    """One person's browser over plain HTTP. Cookies are kept by hand: production marks them
    Secure, and a cookie jar returns those only over HTTPS (gunicorn serves plain loopback)."""

    def __init__(self, base: str):
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, data

    def get(self, path):
        response, data = self.request("GET", path)
        token = CSRF_INPUT.search(data.decode("utf-8", "replace"))
        if token:  # the form's token, as a browser would post it back
            self.csrf_token = token.group(1)
        return response, data

    def post(self, path, fields, files=None):
        """Posts a form (multipart when there are files) with the last page's CSRF token."""
        fields = {"csrfmiddlewaretoken": self.csrf_token, **fields}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body, {"Content-Type": content_type})

    def sign_in(self, email, totp_secret=None):
        assert self.get(reverse("account_login"))[0].status == 200
        response, _ = self.post(reverse("account_login"), {"login": email, "password": PASSWORD})
        assert response.status == 302, response.status
        if totp_secret:
            assert response.headers["Location"] == reverse("mfa_authenticate")
            assert self.get(reverse("mfa_authenticate"))[0].status == 200
            response, _ = self.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret)})
            assert response.status == 302, response.status
        assert response.headers["Location"] not in (
            reverse("account_login"),
            reverse("mfa_authenticate"),
        )


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = f"----stack{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Beat:
    """`celery beat` with its schedule file in a folder of its own, restartable."""

    def __init__(self, env, folder: Path):
        self.env, self.folder = env, folder
        self.schedule = str(folder / "beat-schedule")
        self.process = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.folder / f"beat-{self.runs}.log"

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def start(self):
        self.runs += 1
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "kyc_portal",
                    "beat",
                    f"--schedule={self.schedule}",
                    f"--pidfile={self.folder / 'beat.pid'}",
                    "--loglevel=DEBUG",  # says when its schedule is loaded
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Ticking: the schedule file is open and SIGTERM would save it.
        wait_for(lambda: "beat: Ticking with max interval" in self.log(), "beat to start", self)

    def stop(self):
        if self.process is not None:
            stop_celery_worker(self.process)  # SIGTERM: beat saves its schedule and exits

    def restart_with_purge_due(self):
        """Restarts beat as if the purge's interval had passed since it last ran."""
        self.stop()
        # The schedule file beat itself wrote, in a folder of this test's own.
        with shelve.open(self.schedule, writeback=True) as stored:  # noqa: S301
            entry = stored["entries"][PURGE_ENTRY]
            entry.last_run_at -= entry.schedule.run_every + datetime.timedelta(minutes=1)
        self.start()
        wait_for(
            lambda: f"Sending due task {PURGE_ENTRY}" in self.log(), "beat to send the purge", self
        )


def wait_for(condition, what, *processes, seconds=120):
    """Polls until condition() holds; on timeout says what, with the processes' logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    logs = "\n".join(f"--- {p.log_path}\n{p.log()[-3000:]}" for p in processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def bucket_keys(s3, bucket) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def anonymous_get(endpoint, bucket, key) -> int:
    """The status of an unsigned GET of one object, as anyone on the network could try."""
    url = f"{endpoint}/{bucket}/{urllib.parse.quote(key)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def purge_results(worker) -> list[int]:
    """What each purge the worker finished returned (how many images it deleted)."""
    return [int(count) for count in PURGE_DONE.findall(worker.log())]


@pytest.fixture
def stack(transactional_db, request, settings, tmp_path, monkeypatch):
    """A private bucket, then gunicorn, a worker and beat on it, all stopped afterwards."""
    from django.db import connection

    from kyc_portal.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://… and DATABASE_URL=postgres://… for the stack")
    endpoint = request.getfixturevalue("s3_server")
    static = request.getfixturevalue("collected_static")

    credentials = {"AWS_ACCESS_KEY_ID": "test-access", "AWS_SECRET_ACCESS_KEY": "test-secret"}
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    bucket = f"kyc-stack-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ACL="private")
    # This process writes a document of its own into the bucket too.
    storage = {
        "BACKEND": "kyc_portal.storage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}

    env = production_env(
        tmp_path / "var",
        **credentials,
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker,
        CACHE_URL=os.environ.get("CACHE_URL", ""),
        # The same keys as this process, which made the reviewer's authenticator secret.
        SECRET_KEY=settings.SECRET_KEY,
        LOOKUP_HASH_KEY=settings.LOOKUP_HASH_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        STATIC_ROOT=str(static),
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        DOCUMENT_RETENTION_DAYS="1",
        PORTAL_URL="https://kyc.example.com",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        KYC_FACE_UPLOAD_CHECK="false",  # the wizard here uploads a plain holding photo
    )
    web = worker = None
    beat = Beat(env, tmp_path)
    try:
        app.control.purge()  # nothing left over from an earlier run on this broker
        web, base = start_gunicorn(env, tmp_path / "gunicorn.log")
        web.log_path = tmp_path / "gunicorn.log"
        web.log = web.log_path.read_text
        worker = start_celery_worker(settings, tmp_path / "worker.log", **env)
        beat.start()
        yield {
            "base": base,
            "endpoint": endpoint,
            "s3": s3,
            "bucket": bucket,
            "web": web,
            "worker": worker,
            "beat": beat,
        }
    finally:
        beat.stop()
        if worker is not None:
            stop_celery_worker(worker)
        if web is not None:
            stop(web)
        for key in bucket_keys(s3, bucket):
            s3.delete_object(Bucket=bucket, Key=key)
        s3.delete_bucket(Bucket=bucket)


def test_document_uploaded_read_reviewed_and_purged_on_s3_across_the_whole_stack(stack):
    s3, bucket, endpoint = stack["s3"], stack["bucket"], stack["endpoint"]
    web, worker, beat = stack["web"], stack["worker"], stack["beat"]
    image, truth = generated_passport("s3-stack")
    photo = png_bytes()
    customer = UserFactory()
    reviewer = staff_user(roles.REVIEWER, mfa=False)
    secret = enable_totp(reviewer)
    # A case passed today, its image in the same bucket: the purge must leave it alone.
    recent = DocumentFactory(
        verification__status=Status.PASSED, verification__decided_at=timezone.now()
    )

    # The customer signs in and walks the wizard.
    visitor = Visitor(stack["base"])
    visitor.sign_in(customer.email)
    assert visitor.get(reverse("verification:certificate"))[0].status == 200
    response, _ = visitor.post(reverse("verification:certificate"), STEP1_PASSPORT)
    assert response.status == 302
    for kind, content in (("passport_page", image), ("holding_photo", photo)):
        assert visitor.get(reverse("verification:documents"))[0].status == 200
        response, page = visitor.post(
            reverse("verification:documents"),
            {"kind": kind},
            files={"file": (f"{kind}.png", content, "image/png")},
        )
        assert response.status == 302, page.decode()[:2000]
    verification = Verification.objects.get(user=customer)
    passport = verification.documents.get(kind="passport_page")
    holding = verification.documents.get(kind="holding_photo")

    # The worker reads the passport; the status endpoint the page polls says when.
    def reading_finished():
        response, data = visitor.get(reverse("verification:reading_state"))
        return response.status == 200 and json.loads(data) == {"reading": False}

    wait_for(reading_finished, "the worker's OCR reading", worker, web)
    ocr = OcrResult.objects.get(document=passport)
    assert ocr.state == OcrResult.State.DONE and ocr.valid
    assert ocr.fields["number"] == truth["number"]
    response, page = visitor.get(reverse("verification:details"))
    assert f'value="{truth["surname"]}"' in page.decode()  # pre-filled from the reading
    response, page = visitor.post(reverse("verification:details"), typed_from_truth(truth))
    assert response.status == 302, page.decode()[:2000]
    assert visitor.get(reverse("verification:review"))[0].status == 200
    response, _ = visitor.post(
        reverse("verification:review"), {"action": "submit", "declaration": "yes"}
    )
    assert response.status == 302
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED and verification.ocr_matched is True

    # In the bucket: both images, encrypted, and refused to anyone without credentials.
    uploads = {passport.file.name: image, holding.file.name: photo}
    assert set(uploads) | {recent.file.name} == bucket_keys(s3, bucket)
    for key, original in uploads.items():
        stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert stored.startswith(b"gAAAAA")  # a Fernet token
        assert not stored.startswith(IMAGE_MAGIC) and not any(m in stored for m in IMAGE_MAGIC)
        assert original not in stored and original[:64] not in stored
        assert truth["number"].encode() not in stored
        assert decrypt_bytes(stored) == original  # the upload itself, sealed with the portal's key
        grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert grants and all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)
        assert anonymous_get(endpoint, bucket, key) == 403
    # The refusal can fail: a public object in the same store is handed to anyone.
    s3.put_object(Bucket=bucket, Key="control/public", Body=b"x", ACL="public-read")
    assert anonymous_get(endpoint, bucket, "control/public") == 200
    s3.delete_object(Bucket=bucket, Key="control/public")

    # The reviewer signs in with two-step verification, opens the case and views the images.
    staff = Visitor(stack["base"])
    staff.sign_in(reviewer.email, totp_secret=secret)
    response, page = staff.get(reverse("review:queue"))
    assert response.status == 200 and f'data-case="{verification.pk}"' in page.decode()
    response, _ = staff.post(reverse("review:claim", args=[verification.pk]), {})
    assert response.status == 302
    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW
    assert verification.assigned_to_id == reviewer.pk
    response, page = staff.get(reverse("review:detail", args=[verification.pk]))
    assert response.status == 200
    for document in (passport, holding):
        url = reverse("verification:document", args=[document.pk])
        assert url in page.decode()
        response, served = staff.get(url)
        assert response.status == 200
        assert served == uploads[document.file.name]  # streamed from the bucket, decrypted
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Cache-Control"] == "no-store"
        assert Visitor(stack["base"]).get(url)[0].status == 404  # nobody else
    viewed = AuditEvent.objects.filter(
        actor=reviewer, action=AuditEvent.Action.DOCUMENT_VIEWED, verification=verification
    )
    assert sorted(event.detail["document_id"] for event in viewed) == sorted(
        [passport.pk, holding.pk]
    )

    # And passes it, explaining the face match's signal: the holding photo is a plain image
    # (the stack runs with KYC_FACE_UPLOAD_CHECK off), so the worker found no face in it.
    from identity.models import FaceMatch
    from review.forms import DecisionForm
    from review.signals import open_signals

    wait_for(
        lambda: FaceMatch.objects.filter(
            verification=verification, state__in=("done", "failed")
        ).exists(),
        "the worker's face match",
        worker,
        web,
    )
    explained = {
        DecisionForm.ACKNOWLEDGE_PREFIX + signal.key: "Checked by eye."
        for signal in open_signals(verification)
    }
    version = re.search(r'name="evidence_version" value="(\d+)"', page.decode()).group(1)
    response, page = staff.post(
        reverse("review:decide", args=[verification.pk]),
        {
            "outcome": "pass",
            "evidence_version": version,
            "customer_message": "Thank you.",
            **explained,
        },
    )
    assert response.status == 302, page.decode()[:2000]
    verification.refresh_from_db()
    assert verification.status == Status.PASSED and verification.decided_at
    decision = ReviewDecision.objects.get(verification=verification)
    assert decision.reviewer_id == reviewer.pk

    # Beat's purge the same day deletes nothing: the retention period (1 day) has not passed.
    beat.restart_with_purge_due()
    wait_for(lambda: purge_results(worker) == [0], "the first purge on the worker", worker, beat)
    assert set(uploads) | {recent.file.name} == bucket_keys(s3, bucket)

    # Two days later (the decision backdated) beat's next purge deletes both images.
    Verification.objects.filter(pk=verification.pk).update(
        decided_at=verification.decided_at - datetime.timedelta(days=2)
    )
    beat.restart_with_purge_due()
    wait_for(lambda: purge_results(worker) == [0, 2], "the second purge", worker, beat)
    assert bucket_keys(s3, bucket) == {recent.file.name}
    for key in uploads:
        with pytest.raises(s3.exceptions.ClientError):
            s3.head_object(Bucket=bucket, Key=key)

    # The decision record stays; the images are gone for the reviewer too.
    verification.refresh_from_db()
    assert verification.status == Status.PASSED
    assert verification.document_number == truth["number"]
    assert ReviewDecision.objects.filter(pk=decision.pk).exists()
    assert list(
        StatusChange.objects.filter(verification=verification).values_list("new", flat=True)
    ) == [Status.PROVIDED, Status.UNDER_REVIEW, Status.PASSED]
    for document in Document.objects.filter(verification=verification):
        assert document.file_deleted_at is not None and not document.file
        assert document.sha256  # the row keeps what identifies the image
        response, _ = staff.get(reverse("verification:document", args=[document.pk]))
        assert response.status == 404
    assert staff.get(reverse("review:detail", args=[verification.pk]))[0].status == 200
    recent.refresh_from_db()
    assert recent.file_deleted_at is None
    assert web.poll() is None and worker.poll() is None and beat.process.poll() is None
