"""PostgreSQL restarted under traffic: requests fail cleanly (503, no traceback) and the portal
recovers by itself, without restarting gunicorn (CONN_HEALTH_CHECKS reopens connections)."""

import threading
import time
import urllib.error
import urllib.request

import pytest

from .conftest import manage, production_env, start_gunicorn, stop

pytestmark = [pytest.mark.slow]

CREATE_SESSION = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
user = User.objects.create_user("fault-customer@example.com", "long-enough-password-1")
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.save()
print(store.session_key)
"""


def fetch(url, cookie=None, timeout=10):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Traffic(threading.Thread):
    """Requests a signed-in page and /healthz in a loop, recording (time, path, status, body)."""

    def __init__(self, base, cookie):
        super().__init__(daemon=True)
        self.base, self.cookie = base, cookie
        self.results: list[tuple[float, str, int, str]] = []
        self.errors: list[str] = []
        self.running = True

    def run(self):
        while self.running:
            for path in ("/user-center/", "/healthz"):
                try:
                    # Load balancers call /healthz without a session cookie.
                    cookie = self.cookie if path != "/healthz" else None
                    status, body = fetch(self.base + path, cookie)
                except OSError as error:  # the server itself stopped answering
                    self.errors.append(repr(error))
                    continue
                self.results.append((time.monotonic(), path, status, body))
            time.sleep(0.05)


def test_portal_answers_503_while_postgres_is_down_and_recovers_alone(
    postgres_cluster, collected_static, tmp_path
):
    postgres_cluster.create_database("kyc_fault")
    env = production_env(
        tmp_path,
        DATABASE_URL=postgres_cluster.url("kyc_fault"),
        CONN_MAX_AGE="60",
        STATIC_ROOT=str(collected_static),
    )
    manage("migrate", "--noinput", env=env)
    session = manage("shell", "-c", CREATE_SESSION, env=env).stdout.strip().splitlines()[-1]
    cookie = f"sessionid={session}"
    server, base = start_gunicorn(env, tmp_path / "gunicorn.log")
    traffic = Traffic(base, cookie)
    try:
        # A cold worker's first page imports the views and templates: slow on a busy machine.
        status, page = fetch(base + "/user-center/", cookie, timeout=60)
        assert status == 200 and "fault-customer@example.com" in page

        traffic.start()
        time.sleep(1.5)
        postgres_cluster.stop("fast")
        stopped_at = time.monotonic()
        time.sleep(4)
        postgres_cluster.start()
        restarted_at = time.monotonic()

        deadline = restarted_at + 30
        while time.monotonic() < deadline:
            recent = [r for r in traffic.results if r[0] > restarted_at + 0.5]
            if len(recent) >= 10 and all(r[2] == 200 for r in recent[-10:]):
                break
            time.sleep(0.5)
        traffic.running = False
        traffic.join(timeout=15)
    finally:
        traffic.running = False
        stop(server)

    during = [r for r in traffic.results if stopped_at + 0.5 < r[0] < restarted_at - 0.2]
    after = [r for r in traffic.results if r[0] > restarted_at][-10:]
    assert traffic.errors == []  # gunicorn answered every request
    assert during, "no requests were made while PostgreSQL was down"
    assert {status for _, _, status, _ in during} == {503}
    for _, path, _, body in during:
        assert "Traceback" not in body and "OperationalError" not in body
        if path == "/user-center/":
            assert "Temporarily unavailable" in body
        else:
            assert '"database": "error"' in body
    assert len(after) == 10 and all(status == 200 for _, _, status, _ in after), after
    assert (
        "fault-customer@example.com" in [body for _, p, _, body in after if p == "/user-center/"][0]
    )
    assert server.returncode is not None  # stopped by us, not crashed earlier
