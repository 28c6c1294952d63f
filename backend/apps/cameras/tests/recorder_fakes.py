"""Stand-ins for the recorder in tests.

`FakeRecorder` is an in-memory fake of the RecorderPolicies port; `RecorderServer` is a
tiny real HTTP server on 127.0.0.1 that records each request and answers with the
statuses it is told, so the real HTTP client is exercised end to end.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeRecorder:
    """Records every policy it is given; raises `error` instead when one is set."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None

    def policy_put(self, *, tenant_id: str, camera_id: str, body: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append({"tenant_id": tenant_id, "camera_id": camera_id, "body": body})

    def record_start(self, *, tenant_id: str, camera_id: str) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append({"camera_id": camera_id, "recording": True})

    def record_stop(self, *, tenant_id: str, camera_id: str) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append({"camera_id": camera_id, "recording": False})


@dataclass
class FakeDetection:
    """The detection service's port: what each camera was last told."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None

    def analysis_start(self, *, tenant_id: str, camera_id: str, options: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append({"camera_id": camera_id, "options": options})

    def analysis_stop(self, *, tenant_id: str, camera_id: str) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append({"camera_id": camera_id, "options": None})


@dataclass
class FakeRelay:
    """The relay's port: its configured paths and their sources."""

    paths: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None

    def path_set(self, *, path: str, source_url: str) -> None:
        if self.error is not None:
            raise self.error
        self.paths[path] = source_url

    def path_remove(self, *, path: str) -> None:
        if self.error is not None:
            raise self.error
        self.paths.pop(path, None)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    authorization: str | None
    body: Any


class RecorderServer:
    """A real HTTP server (recorder, detection service or relay API): `statuses` are
    answered in order, then 204 for ever."""

    def __init__(self, statuses: list[int] | None = None, delay_s: float = 0.0) -> None:
        self.requests: list[RecordedRequest] = []
        self.statuses = list(statuses or [])
        self.delay_s = delay_s
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.requests.append(
                    RecordedRequest(
                        method=self.command,
                        path=self.path,
                        authorization=self.headers.get("Authorization"),
                        body=json.loads(raw) if raw else None,
                    )
                )
                if server.delay_s:
                    time.sleep(server.delay_s)
                status = server.statuses.pop(0) if server.statuses else 204
                self.send_response(status)
                if status == 204:
                    self.end_headers()
                    return
                payload = json.dumps({"message": f"status {status}"}).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_DELETE = do_PUT

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "RecorderServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
