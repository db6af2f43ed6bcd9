"""A real HTTP receiver on loopback, started by the test: it records every POST and answers
as the test asks (a status per request, or a delay first)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    received: list = field(default_factory=list)
    # What to answer, one entry per request in turn (the last one repeats): (status, delay s).
    script: list = field(default_factory=lambda: [(200, 0)])
    answer_body: bytes = b"ok"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answers(self, *script):
        with self.lock:
            self.script = list(script)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["webhook-id"] for r in self.received]

    def wait_for(self, count, timeout=30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} webhooks received, expected {count}")


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver()
    calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                step = state.script[min(calls["n"], len(state.script) - 1)]
                calls["n"] += 1
                state.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body)
                )
            status, delay = step
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(state.answer_body)))
                self.end_headers()
                self.wfile.write(state.answer_body)
            except OSError:
                pass  # the sender gave up (a timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    return state, server
