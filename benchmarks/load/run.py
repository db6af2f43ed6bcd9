"""Load benchmark: gunicorn on loopback, on PostgreSQL, Redis and a real Celery worker.

50 signed-in customers browse and check their status (think time 0.2-1.0 s) while passports
are uploaded at 5 per second through the wizard's upload step, for a bounded time. Reports
requests/s, p50/p95 latency and errors per page, lost uploads (accepted but not stored), the
OCR backlog, and the same server's p95 for a trivial page (the floor).

    .venv/bin/python -m benchmarks.load.run --duration 60

It creates (and drops first) the database named in --database-url and clears the two Redis
databases given: point it at ones of its own.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.production import (
    free_port,
    percentile,
    prepare_database,
    production_env,
    python,
    start_gunicorn,
    start_worker,
    stop,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[2]
BROWSING_PAGES = ("/user-center/", "/kyc/status/", "/kyc/status/reading.json", "/")
TRIVIAL_PAGE = "/static/css/portal.css"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, int, bool]] = []  # page, seconds, status, ok

    def add(self, page, seconds, status, ok):
        with self.lock:
            self.samples.append((page, seconds, status, ok))


class Client:
    """One keep-alive connection per customer, with the customer's cookies."""

    def __init__(self, base: str, cookies: dict[str, str]):
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies = dict(cookies)
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method, path, body=None, headers=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        for attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.headers.get("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data
        raise RuntimeError("unreachable")


def timed(recorder, page, call, expect):
    started = time.perf_counter()
    try:
        status, body = call()
    except Exception:
        recorder.add(page, time.perf_counter() - started, 0, False)
        return None
    recorder.add(page, time.perf_counter() - started, status, status in expect)
    return body


def browse(base, session, stop_at, recorder, rng):
    client = Client(base, {"sessionid": session})
    while time.monotonic() < stop_at:
        for page in BROWSING_PAGES:
            if time.monotonic() >= stop_at:
                return
            timed(recorder, page, lambda p=page: client.request("GET", p), {200})
            time.sleep(rng.uniform(0.2, 1.0))


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes):
    boundary = f"----load{random.getrandbits(64):x}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
    )
    out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(base, session, image, recorder, accepted):
    client = Client(base, {"sessionid": session})
    page = timed(
        recorder,
        "upload: GET /kyc/documents/",
        lambda: client.request("GET", "/kyc/documents/"),
        {200},
    )
    if page is None:
        return
    token = CSRF_INPUT.search(page.decode())
    body, content_type = multipart(
        {"csrfmiddlewaretoken": token.group(1) if token else "", "kind": "passport_page"},
        "file",
        "passport.png",
        image,
    )
    result = timed(
        recorder,
        "upload: POST /kyc/documents/",
        lambda: client.request("POST", "/kyc/documents/", body, {"Content-Type": content_type}),
        {302},
    )
    if result is not None and recorder.samples[-1][2] == 302:
        accepted.append(session)


def summarise(samples, seconds) -> dict:
    pages = {}
    for page in sorted({s[0] for s in samples}):
        rows = [s for s in samples if s[0] == page]
        latencies = [s[1] * 1000 for s in rows]
        pages[page] = {
            "requests": len(rows),
            "rps": round(len(rows) / seconds, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "errors": sum(1 for s in rows if not s[3]),
        }
    latencies = [s[1] * 1000 for s in samples]
    total = {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "errors": sum(1 for s in samples if not s[3]),
    }
    return {"total": total, "pages": pages}


def passports(count: int) -> list[bytes]:
    import datetime

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")
    from benchmarks.mrz.generate import degrade, random_document

    rng = random.Random(8)
    today = datetime.date.today()
    images = []
    for _ in range(count):
        buffer = io.BytesIO()
        degrade(random_document(rng, "TD3", today), "clean", rng).save(buffer, "PNG")
        images.append(buffer.getvalue())
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--upload-rate", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=19,
        help="niceness of the OCR worker, so web requests come first on a shared CPU (0: off)",
    )
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for OCR after")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kyc_load")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyc-load-"))
    env = production_env(
        "load-benchmark",
        database_url=args.database_url,
        cache_url=args.cache_url,
        work=work,
        CELERY_BROKER_URL=args.broker_url,
    )
    print("Preparing the database, static files and customers…", flush=True)
    prepare_database(env, args.broker_url, args.cache_url)
    uploads_planned = math.ceil(args.duration * args.upload_rate)
    sessions = json.loads(
        python(
            "-m",
            "benchmarks.load.prepare",
            "setup",
            "--customers",
            str(args.customers),
            "--uploaders",
            str(uploads_planned),
            env=env,
        )
    )
    images = passports(8)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn_log = open(work / "gunicorn.log", "w")  # noqa: SIM115
    server = start_gunicorn(env, port, args.workers, args.threads, gunicorn_log, "--timeout=60")
    worker_log = open(work / "worker.log", "w")  # noqa: SIM115
    worker = start_worker(env, worker_log, "--concurrency=1", nice=args.worker_nice)
    try:
        wait_healthy(port)
        # The floor: a trivial page (a static file through whitenoise), same server, idle.
        floor = Recorder()
        floor_client = Client(base, {})
        for _ in range(300):
            timed(floor, "floor", lambda: floor_client.request("GET", TRIVIAL_PAGE), {200})
        floor_idle = summarise(floor.samples, 1)["total"]

        print(
            f"Load: {args.customers} customers browsing, {args.upload_rate}/s uploads, "
            f"{args.duration:.0f} s…",
            flush=True,
        )
        recorder = Recorder()
        accepted: list[str] = []
        started = time.monotonic()
        stop_at = started + args.duration
        browsers = [
            threading.Thread(
                target=browse, args=(base, s, stop_at, recorder, random.Random(i)), daemon=True
            )
            for i, s in enumerate(sessions["browsing"])
        ]
        for thread in browsers:
            thread.start()
        trivial = threading.Thread(
            target=lambda: [  # the floor again, under load, one request every 0.2 s
                (
                    timed(
                        recorder,
                        "trivial (under load)",
                        lambda: Client(base, {}).request("GET", TRIVIAL_PAGE),
                        {200},
                    ),
                    time.sleep(0.2),
                )
                for _ in iter(lambda: time.monotonic() < stop_at, False)
            ],
            daemon=True,
        )
        trivial.start()
        with ThreadPoolExecutor(max_workers=64) as pool:
            for n, session in enumerate(sessions["uploading"] if args.upload_rate > 0 else []):
                due = started + n / args.upload_rate
                if due >= stop_at:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
                pool.submit(upload, base, session, images[n % len(images)], recorder, accepted)
        for thread in browsers:
            thread.join()
        trivial.join()
        elapsed = time.monotonic() - started
        result = summarise(recorder.samples, elapsed)

        drain_started = time.monotonic()
        while True:
            check = json.loads(python("-m", "benchmarks.load.prepare", "verify", env=env))
            waiting = check["ocr"]["pending"] + check["ocr"]["running"]
            if waiting == 0 or time.monotonic() - drain_started > args.drain:
                break
            time.sleep(5)
        report = {
            "settings": {
                k: getattr(args, k)
                for k in (
                    "duration",
                    "customers",
                    "upload_rate",
                    "workers",
                    "threads",
                    "worker_nice",
                )
            },
            "cpus": os.cpu_count(),
            "floor_idle": floor_idle,
            "load": result,
            "uploads": {
                "attempted": sum(1 for s in recorder.samples if s[0].startswith("upload: POST")),
                "accepted": len(accepted),
                "stored": check["stored_files"],
                "documents": check["documents"],
                "lost": len(accepted) - check["stored_files"],
            },
            "ocr_after_drain": check["ocr"],
            "ocr_drain_seconds": round(time.monotonic() - drain_started, 1),
        }
    finally:
        stop(server, worker)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"\nSaved to {path}")


if __name__ == "__main__":
    main()
