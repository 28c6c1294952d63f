"""A real HTTP server on 127.0.0.1 standing in for a customer's webhook receiver.

It answers each POST with the next status of its script (the last one repeats) and keeps
what it received.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    url: str
    statuses: list[int]
    received: list[Received] = field(default_factory=list)
    # Seconds to wait before answering (to make the client time out).
    delay_s: float = 0.0
    # When given, answers wait until it is set (or the server stops).
    hold: threading.Event | None = None


@contextmanager
def webhook_server(
    *statuses: int, delay_s: float = 0.0, hold: threading.Event | None = None
) -> Iterator[WebhookServer]:
    state = WebhookServer(url="", statuses=list(statuses) or [200], delay_s=delay_s, hold=hold)
    lock = threading.Lock()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body))
                index = min(len(state.received), len(state.statuses)) - 1
                status = state.statuses[index]
            if state.delay_s:
                stop.wait(state.delay_s)
            while state.hold is not None and not state.hold.is_set() and not stop.is_set():
                state.hold.wait(0.1)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/vms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
