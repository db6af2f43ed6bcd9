"""API benchmark: status lookups under a fixed request rate, and webhook throughput.

Runs the portal as in production (DEBUG off, gunicorn, PostgreSQL, Redis cache for the rate
limit) on loopback with --applicants customers of one shop, then sends GET
/api/v1/applicants/{reference} for random references at each of --rates requests per second
(open loop: latency counts from when each request was due, so a slow server cannot hide its
queue). Then a
Celery worker delivers --events webhooks to a slow receiver on loopback (--receiver-delay s per
request) and the events delivered per second are measured.

    .venv/bin/python -m benchmarks.api.run --duration 30
"""

import argparse
import datetime
import http.client
import json
import os
import random
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of gunicorn's master and its workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    total = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def lookups(port, key, references, rate, duration, threads) -> dict:
    """Open-loop GETs at `rate`/s for `duration` s from `threads` keep-alive connections."""
    total = int(rate * duration)
    started = time.monotonic() + 0.5
    counter = iter(range(total))
    lock = threading.Lock()
    latencies, service, statuses = [], [], {}
    rng = random.Random(3)
    paths = [f"/api/v1/applicants/{rng.choice(references)}" for _ in range(total)]

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            due = started + index / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent = time.monotonic()
            try:
                connection.request("GET", paths[index], headers={"Authorization": f"Api-Key {key}"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = "error"
            done = time.monotonic()
            with lock:
                latencies.append(done - due)
                service.append(done - sent)
                statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    generator_cpu = time.process_time()  # this process: every sending thread
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    generator_cpu = time.process_time() - generator_cpu
    return {
        "generator_cpu_ms_per_request": round(generator_cpu * 1000 / total, 2),
        "requests": total,
        "achieved_per_s": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "p95_service_ms": round(percentile(service, 0.95) * 1000, 1),
    }


def slow_receiver(delay: float):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            received.append(time.monotonic())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default backlog of 5 would refuse concurrent deliveries
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--rates", default="50,100,200", help="requests/s, one phase each")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--threads", type=int, default=32, help="load generator connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--receiver-delay", type=float, default=0.2)
    parser.add_argument("--worker-concurrency", type=int, default=16)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/kyc_api_bench"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyc-api-bench-"))
    env = production_env(
        "api-benchmark",
        database_url=args.database_url,
        cache_url=args.cache_url,
        work=work,
        CELERY_BROKER_URL=args.broker_url,
        # One key sends everything: the limiter still runs (one add and one incr in Redis per
        # request) but must not turn the benchmark away.
        API_RATE_LIMIT="1000000/m/key",
    )
    print(f"Preparing {args.applicants} applicants…", flush=True)
    prepare_database(env, args.broker_url, args.cache_url)
    prepared_at = time.monotonic()
    data = json.loads(
        python(
            "-m", "benchmarks.api.prepare", "applicants", "--count", str(args.applicants), env=env
        )
    )
    print(f"  made in {time.monotonic() - prepared_at:.0f} s", flush=True)

    port = free_port()
    gunicorn_log = open(work / "gunicorn.log", "w")  # noqa: SIM115
    server = start_gunicorn(
        env, port, args.workers, args.gunicorn_threads, gunicorn_log, "--keep-alive=30"
    )
    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "applicants": args.applicants,
        "gunicorn": f"{args.workers} workers x {args.gunicorn_threads} threads (gthread)",
        "load_average_before": os.getloadavg(),
    }
    try:
        wait_healthy(port)
        lookups(port, data["key"], data["references"], 20, 3, 4)  # warm the workers up
        report["lookups"] = []
        for rate in [float(r) for r in args.rates.split(",")]:
            print(f"Lookups: {rate}/s for {args.duration} s…", flush=True)
            cpu_before = cpu_seconds(server.pid)
            phase = lookups(
                port, data["key"], data["references"], rate, args.duration, args.threads
            )
            phase["rate"] = rate
            phase["gunicorn_cpu_ms_per_request"] = round(
                (cpu_seconds(server.pid) - cpu_before) * 1000 / phase["requests"], 2
            )
            phase["load_average_after"] = os.getloadavg()[0]
            report["lookups"].append(phase)
            print(json.dumps(phase), flush=True)
    finally:
        stop(server)

    receiver, received = slow_receiver(args.receiver_delay)
    receiver_url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    # Only the worker may post to the loopback receiver, which needs DEBUG on (settings.py).
    worker_env = {**env, "DEBUG": "true", "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}
    print(
        f"Webhooks: {args.events} events queued, receiver answering in {args.receiver_delay} s…",
        flush=True,
    )
    # The events are made with no worker running (their messages wait in Redis), so what is
    # measured is delivery alone.
    hooks = json.loads(
        python(
            "-m",
            "benchmarks.api.prepare",
            "events",
            "--count",
            str(args.events),
            "--url",
            receiver_url,
            env=worker_env,
        )
    )
    worker_log = open(work / "worker.log", "w")  # noqa: SIM115
    made = time.monotonic()
    worker = start_worker(
        worker_env, worker_log, "--pool=threads", f"--concurrency={args.worker_concurrency}"
    )
    try:
        deadline = time.monotonic() + 600
        while len(received) < args.events and time.monotonic() < deadline:
            time.sleep(0.2)
        first, last = (received[0], received[-1]) if received else (made, made)
        state = json.loads(
            python(
                "-m",
                "benchmarks.api.prepare",
                "delivered",
                "--client",
                str(hooks["client"]),
                env=env,
            )
        )
        report["webhooks"] = {
            "events": args.events,
            "receiver_delay_s": args.receiver_delay,
            "worker": f"threads pool, concurrency {args.worker_concurrency}",
            "received": len(received),
            "delivered_rows": state["delivered"],
            "attempts": state["attempts"],
            "seconds_first_to_last": round(last - first, 2),
            "events_per_s": round((len(received) - 1) / (last - first), 1)
            if len(received) > 1
            else None,
            "seconds_from_worker_start": round(last - made, 2),
        }
        print(json.dumps(report["webhooks"]), flush=True)
    finally:
        stop(worker)
        receiver.shutdown()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"api-{report['when'].replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"Report: {path}")


if __name__ == "__main__":
    main()
