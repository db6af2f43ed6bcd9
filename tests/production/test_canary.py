"""The canary: the main flows run with a recognisable document number, and it must appear in
no log record (ours at DEBUG, and the real worker's), in no Redis command or key of the broker
and cache, and in no database column as plain text.

Sign-up and email confirmation, the wizard with a generated passport carrying the canary
number, OCR on a real worker, the reviewer's decision and the customer's notifications.
"""

import base64
import datetime
import json
import logging
import random
import threading
import time

import pytest
import redis
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.db import connection
from django.urls import reverse

from review import services as review_services
from tests.factories import PASSWORD, png_bytes, staff_user
from tests.verification.conftest import typed_from_truth, upload
from verification.models import OcrResult, Status, Verification

pytestmark = [pytest.mark.worker, pytest.mark.slow]

CANARY = "ZQX7K3V9W"  # nine characters: a full TD3 document number
STEP1_PASSPORT = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}


def canary_forms(canary: str) -> list[bytes]:
    """The canary as bytes, and as it would look inside base64 at any of the three offsets
    (kombu puts task bodies in base64)."""
    raw = canary.encode()
    forms = [raw, raw.lower()]
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        # Drop the characters that mix with the padding bytes or the following data.
        start = {0: 0, 1: 2, 2: 3}[pad]
        forms.append(encoded[start : start + (len(raw) * 4) // 3 - 2])
    return forms


def contains_canary(data: bytes | str) -> bool:
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    return any(form in data for form in canary_forms(CANARY))


def canary_passport() -> tuple[bytes, dict]:
    import io

    from benchmarks.mrz import generate

    today = datetime.date.today()
    rng = random.Random("canary")
    original = generate._random_number
    generate._random_number = lambda rng: CANARY
    try:
        while True:
            document = generate.random_document(rng, "TD3", today)
            truth = generate.ground_truth(document, today)
            born = datetime.date.fromisoformat(truth["date_of_birth"])
            expires = datetime.date.fromisoformat(truth["expiration_date"])
            if born < today.replace(year=today.year - 19) and expires > today.replace(
                year=today.year + 1
            ):
                break
    finally:
        generate._random_number = original
    buffer = io.BytesIO()
    generate.degrade(document, "clean", rng).save(buffer, "PNG")
    return buffer.getvalue(), truth


class RedisMonitor(threading.Thread):
    """Every command the redis-server receives (all databases), as raw text."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.client = redis.Redis(host="127.0.0.1", port=port)
        self.commands: list[str] = []
        self.ready = threading.Event()

    def run(self):
        try:
            with self.client.monitor() as monitor:
                self.ready.set()
                for command in monitor.listen():
                    self.commands.append(command["command"])
        except redis.ConnectionError:  # the server stopped at the end of the test
            pass


def redis_contents(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    found = []
    for key in client.scan_iter(count=500):
        found.append(key)
        kind = client.type(key)
        if kind == b"string":
            found.append(client.get(key) or b"")
        elif kind == b"list":
            found.extend(client.lrange(key, 0, -1))
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                found += [field, value]
        elif kind == b"set":
            found.extend(client.smembers(key))
        elif kind == b"zset":
            found.extend(client.zrange(key, 0, -1))
    return found


def tables_holding_canary() -> list[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        holding = []
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*) FROM {quoted} t WHERE upper(t::text) LIKE %s",  # noqa: S608
                [f"%{CANARY}%"],
            )
            if cursor.fetchone()[0]:
                holding.append(table)
    return holding


def wait_for(condition, seconds=120, what=""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_canary_document_number_appears_in_no_log_broker_cache_or_plain_column(
    debug_worker, own_broker, caplog, client, settings
):
    from django.core import mail
    from django.test import Client

    caplog.set_level(logging.DEBUG)  # the root logger: every record of every library
    monitor = RedisMonitor(own_broker["port"])
    monitor.start()
    assert monitor.ready.wait(10)
    image, truth = canary_passport()
    assert truth["number"] == CANARY

    # Sign-up and email confirmation.
    email = "canary.customer@example.com"
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    address = EmailAddress.objects.get(email=email)
    key = EmailConfirmationHMAC(address).key
    assert client.post(reverse("account_confirm_email", args=[key])).status_code == 302
    assert client.login(email=email, password=PASSWORD)

    # The wizard, with the canary passport.
    assert client.post(reverse("verification:certificate"), STEP1_PASSPORT).status_code == 302
    for kind, content in (("passport_page", image), ("holding_photo", png_bytes())):
        response = client.post(
            reverse("verification:documents"), {"kind": kind, "file": upload(content)}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    verification = Verification.objects.get(user__email=email)
    passport = verification.documents.get(kind="passport_page")
    wait_for(
        lambda: OcrResult.objects.get(document=passport).state == OcrResult.State.DONE,
        what="OCR on the worker",
    )
    ocr = OcrResult.objects.get(document=passport)
    assert ocr.valid and ocr.fields["number"] == CANARY  # the worker really read the canary
    response = client.post(reverse("verification:details"), typed_from_truth(truth))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (
        client.post(
            reverse("verification:review"), {"action": "submit", "declaration": "yes"}
        ).status_code
        == 302
    )
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED and verification.ocr_matched is True
    assert verification.document_number == CANARY

    # The reviewer's decision.
    from django.contrib.auth.models import Group

    from accounts import roles

    # A transactional test after another one finds the tables flushed, data migrations' rows too.
    Group.objects.get_or_create(name=roles.REVIEWER)
    reviewer = staff_user(roles.REVIEWER)
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    page = reviewer_client.get(reverse("review:detail", args=[verification.pk]))
    assert page.status_code == 200 and CANARY in page.content.decode()  # shown, not logged
    review_services.claim(verification.pk, reviewer)
    verification.refresh_from_db()
    # The holding photo is a plain image: the face match (on the worker) finds no face, a
    # signal the reviewer explains before passing.
    from identity.models import FaceMatch
    from review.forms import DecisionForm
    from review.signals import open_signals

    wait_for(
        lambda: FaceMatch.objects.filter(
            verification=verification, state__in=("done", "failed")
        ).exists(),
        what="the face match on the worker",
    )
    # A screening still running shows one signal and, once finished, another: the reviewer
    # explains what the case shows when every worker's result is in.
    from screening.selectors import submission_screening

    wait_for(
        lambda: getattr(submission_screening(verification), "state", "done") in ("done", "failed"),
        what="the screening on the worker",
    )
    explained = {
        DecisionForm.ACKNOWLEDGE_PREFIX + signal.key: "Checked by eye."
        for signal in open_signals(verification)
    }
    response = reviewer_client.post(
        reverse("review:decide", args=[verification.pk]),
        {"outcome": "pass", "evidence_version": verification.evidence_version, **explained},
    )
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.PASSED

    # The customer's inbox and status pages, and the emails' delivery on the worker.
    assert client.get(reverse("verification:status")).status_code == 200
    from notifications.models import OutgoingEmail

    wait_for(
        lambda: (
            not OutgoingEmail.objects.filter(
                notification__verification=verification, sent_at__isnull=True
            ).exists()
        ),
        what="the emails sent by the worker",
    )
    del mail  # emails may carry the customer's own data: they are not logs

    # Give the worker a moment to flush its log, then search everywhere.
    time.sleep(1)
    debug_worker.terminate()
    debug_worker.wait(timeout=30)
    records = [
        logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
        + repr(getattr(record, "args", ""))
        for record in caplog.records
    ]
    assert records, "nothing was logged at all: the capture is not working"
    worker_log = debug_worker.log()
    assert "verification.tasks.extract_document" in worker_log  # the worker's log is real
    assert monitor.commands, "the Redis monitor saw nothing"
    assert any("LPUSH" in command.upper() for command in monitor.commands)

    assert [r for r in records if contains_canary(r)] == []
    assert not contains_canary(worker_log), [
        line for line in worker_log.splitlines() if contains_canary(line)
    ][:5]
    assert [c for c in monitor.commands if contains_canary(c)] == []
    for url in (own_broker["broker"], own_broker["cache"]):
        assert [v for v in redis_contents(url) if contains_canary(v)] == []
    assert tables_holding_canary() == []
    # The customer's email address is personal data too (it is stored in plain text, though).
    for text in (*records, worker_log, *monitor.commands):
        assert email not in text
    for url in (own_broker["broker"], own_broker["cache"]):
        assert not [v for v in redis_contents(url) if email.encode() in v]


def test_canary_search_finds_the_canary_however_it_is_encoded():
    """The search itself must be able to fail: plain, lower case, and inside base64 JSON."""
    body = json.dumps([[f"document {CANARY}"], {}, {}]).encode()
    for offset in range(3):
        assert contains_canary(base64.b64encode(b"x" * offset + body))
    assert contains_canary(f"INFO number={CANARY.lower()}")
    assert not contains_canary(base64.b64encode(b"document 12345"))
