"""`make run`'s server script: it serves on PORT, says plainly when that port is taken, and links
in its emails lead back to the address it serves."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from .conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def serve_env(tmp_path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    env.update(
        KYC_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "emails"),
    )
    env.update(extra)
    return env


def test_a_taken_port_is_refused_with_a_clear_message_and_nothing_starts(tmp_path):
    with socket.socket() as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]

        result = subprocess.run(
            ["scripts/serve.sh"],
            cwd=ROOT,
            env=serve_env(tmp_path, PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"Port {port} is in use: stop the other server or run `make run PORT={port + 1}`"
    )
    assert "Portal:" not in result.stdout  # runserver never started


def test_a_port_that_is_not_a_number_is_refused(tmp_path):
    result = subprocess.run(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env=serve_env(tmp_path, PORT="eight thousand"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "PORT must be a number" in result.stderr


def test_the_portal_answers_on_the_given_port_and_its_emails_link_back_there(tmp_path):
    env = serve_env(tmp_path, PORT=str(free_port()))
    port = int(env["PORT"])
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed after the server stops
    # A session of its own, so stopping it also stops runserver's reloader child.
    server = subprocess.Popen(
        ["scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    try:
        wait_for_port(port, server, seconds=60)
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        home = opener.open(base + "/", timeout=30)
        assert home.status == 200 and "KYC Portal" in home.read().decode()

        # A password reset for an unknown address mails a sign-up link: it names this server.
        form = opener.open(base + "/accounts/password/reset/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": "nobody@mail.test"})
        reset = base + "/accounts/password/reset/"
        request = urllib.request.Request(reset, data=data.encode(), headers={"Referer": base})  # noqa: S310
        assert opener.open(request, timeout=30).status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    (email,) = (tmp_path / "emails").iterdir()
    links = re.findall(r"https?://\S+", email.read_text())
    assert f"{base}/accounts/signup/" in links
    assert all(link.startswith(base + "/") for link in links)
    assert f"Portal: {base}" in (tmp_path / "serve.log").read_text()
