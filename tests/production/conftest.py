"""Throwaway servers for the production tests, each on a free loopback port of its own."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def s3_server():
    """moto's standalone S3 API server; yields its endpoint URL."""
    port = free_port()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test-access",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        endpoint = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=5).close()  # noqa: S310
        yield endpoint
    finally:
        stop(process)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of our own (no persistence), so stopping it disturbs nobody."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    server = {"port": port, "url": f"redis://127.0.0.1:{port}", "process": process}

    def restart():
        server["process"] = subprocess.Popen(
            process.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(port, server["process"])

    server["stop"] = lambda: stop(server["process"])
    server["start"] = restart
    yield server
    stop(server["process"])


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pg_bin(name: str) -> str:
    import glob

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip("PostgreSQL server binaries (initdb) are not installed")
    return found[-1]


class PostgresCluster:
    """A PostgreSQL cluster made with initdb in a temporary folder, on its own port."""

    def __init__(self):
        import tempfile

        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="kyc-pg-")
        self.data = os.path.join(self.folder, "data")
        self.as_postgres = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *self.as_postgres,
                _pg_bin("initdb"),
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )

    def pg_ctl(self, *args):
        return subprocess.run(
            [*self.as_postgres, _pg_bin("pg_ctl"), "-D", self.data, *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c full_page_writes=off -c max_connections=40"
        )
        self.pg_ctl("-o", options, "-l", os.path.join(self.folder, "log"), "-w", "start")

    def stop(self, mode="fast"):
        self.pg_ctl("-m", mode, "-w", "stop")

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
            capture_output=True,
        )

    def destroy(self):
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def postgres_cluster():
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once, as the production image does at build time."""
    folder = tmp_path_factory.mktemp("static")
    env = {**production_env(tmp_path_factory.mktemp("var")), "STATIC_ROOT": str(folder)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return folder


def production_env(var_dir, **extra) -> dict:
    """The environment of a production process (DEBUG off), over plain HTTP on loopback."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="kyc_portal.settings",
        DEBUG="false",
        SECRET_KEY="fault-test-secret-" + "y" * 50,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        KYC_VAR_DIR=str(var_dir),
        PRIVATE_MEDIA_ROOT=str(os.path.join(str(var_dir), "private-media")),
    )
    env.update(extra)
    return env


def manage(*args, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def start_gunicorn(env, log_path, workers=2) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port; its output goes to log_path (a pipe could fill up)."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "kyc_portal.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    wait_for_port(port, process, seconds=60)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def own_broker(transactional_db, redis_server, monkeypatch, settings):
    """The app and the cache on our own redis-server (db 0 broker, db 1 cache)."""
    from django.db import connection

    from kyc_portal.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs DATABASE_URL=postgres://…")
    broker, cache = redis_server["url"] + "/0", redis_server["url"] + "/1"
    # Saved before the environment changes: Celery reads CELERY_BROKER_URL from it first.
    # Celery caches connections in two pools: both must forget the machine's Redis.
    saved = (
        app.conf.broker_url,
        app.conf.broker_write_url,
        app.__dict__.get("_pool"),
        app.amqp._producer_pool,
    )
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.setenv("CACHE_URL", cache)
    saved_caches = settings.CACHES
    # As settings.py makes it for a redis:// CACHE_URL: hashed keys, an outage read as a miss.
    settings.CACHES = {
        "default": {
            **saved_caches["default"],
            "BACKEND": "kyc_portal.cache.FailOpenRedisCache",
            "LOCATION": cache,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    app.conf.broker_url = app.conf.broker_write_url = broker
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield {"broker": broker, "cache": cache, "port": redis_server["port"]}
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved[0], saved[1]
        app._pool, app.amqp._producer_pool = saved[2], saved[3]
        settings.CACHES = saved_caches  # before the autouse fixture clears the cache


@pytest.fixture
def debug_worker(own_broker, settings, tmp_path):
    """A real Celery worker at DEBUG log level, its output in a file (read it with .log())."""
    from tests.conftest import start_celery_worker, stop_celery_worker

    worker = start_celery_worker(
        settings,
        tmp_path / "worker.log",
        loglevel="DEBUG",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    yield worker
    stop_celery_worker(worker)
