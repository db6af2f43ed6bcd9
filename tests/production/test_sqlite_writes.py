"""On the embedded SQLite default, simultaneous writes wait their turn instead of failing.

The portal's own development server runs against a SQLite file (not pytest's in-memory database,
which other threads cannot see), and 20 requests submit one customer's application at once.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from django.urls import reverse

from .conftest import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SIMULTANEOUS_SUBMITS = 20

# Runs in `manage.py shell`: a customer with a complete passport draft whose reading matched
# what they typed, logged in; prints the session cookie and the application's id.
PREPARE = """
import datetime, json
from django.test import Client
from tests.factories import DocumentFactory, UserFactory, VerificationFactory
from verification.models import Document, OcrResult

customer = UserFactory()
draft = VerificationFactory(user=customer)
page = DocumentFactory(verification=draft, kind=Document.Kind.PASSPORT_DATA_PAGE)
DocumentFactory(verification=draft, kind=Document.Kind.HOLDING_PHOTO)
OcrResult.objects.create(
    document=page, state=OcrResult.State.DONE, mrz_type="TD3", valid=True,
    trusted_fields=["surname", "names", "number", "nationality", "date_of_birth", "sex",
                    "expiration_date"],
    fields_json=json.dumps({
        "mrz_type": "TD3", "document_type": "P", "country": "GBR", "valid": True,
        "number": draft.document_number, "nationality": "GBR", "sex": draft.sex,
        "date_of_birth": draft.date_of_birth.isoformat(),
        "expiration_date": draft.expiry_date.isoformat(),
        "surname": draft.surname, "names": draft.given_names,
    }),
)
client = Client()
client.force_login(customer)
print(json.dumps({"session": client.cookies["sessionid"].value, "verification": draft.pk}))
"""

OUTCOME = """
import json
from verification.models import StatusChange, Verification

verification = Verification.objects.get(pk={pk})
changes = StatusChange.objects.filter(verification=verification)
print(json.dumps({{
    "status": verification.status,
    "changes": [[change.old, change.new] for change in changes],
    "applications": Verification.objects.filter(user=verification.user).count(),
}}))
"""


def _manage(*args, env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _development_env(tmp_path) -> dict:
    """The defaults of `make run`: DEBUG on, no broker (tasks inline), a SQLite file."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="kyc_portal.settings",
        KYC_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private-media"),
    )
    return env


def _request(port: int, method: str, path: str, cookies: dict, form=None):
    """One request on its own connection; returns (status, Set-Cookie values, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        set_cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or ():
            set_cookies.load(header)
        return response.status, set_cookies, response.read().decode()
    finally:
        connection.close()


def _post_together(port: int, path: str, count: int, cookies: dict, form: dict) -> list:
    """POSTs `count` times from as many threads, released at once; returns each status code or
    the exception raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def post(index):
        barrier.wait()
        try:
            results[index] = _request(port, "POST", path, cookies, form)[0]
        except OSError as error:
            results[index] = error

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def test_simultaneous_final_submits_on_sqlite_all_succeed_and_submit_once(tmp_path):
    env = _development_env(tmp_path)
    _manage("migrate", "--noinput", env=env)
    prepared = json.loads(_manage("shell", "-c", PREPARE, env=env).strip().splitlines()[-1])

    port = free_port()
    log_path = tmp_path / "runserver.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, server, seconds=60)
        path = reverse("verification:review")
        cookies = {"sessionid": prepared["session"]}
        status, set_cookies, page = _request(port, "GET", path, cookies)
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cookies["csrftoken"] = set_cookies["csrftoken"].value

        codes = _post_together(
            port,
            path,
            SIMULTANEOUS_SUBMITS,
            cookies,
            {"action": "submit", "declaration": "yes", "csrfmiddlewaretoken": token},
        )
    finally:
        stop(server)

    errors = [line for line in log_path.read_text().splitlines() if "Error" in line]
    # The first submits; the others wait for it and are told it is already submitted.
    assert codes == [302] * SIMULTANEOUS_SUBMITS, (codes, errors[:5])
    assert not errors
    outcome = json.loads(
        _manage("shell", "-c", OUTCOME.format(pk=prepared["verification"]), env=env)
        .strip()
        .splitlines()[-1]
    )
    assert outcome == {
        "status": "provided",
        "changes": [["draft", "provided"]],
        "applications": 1,
    }
