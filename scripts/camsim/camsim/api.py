"""Control API of the simulator: a small JSON HTTP server on a background thread.

Routes:

- `GET /health`: 200 `{"status": "ok", ...}` once the stream is being encoded, 503 before.
- `GET /cameras`: 200 `[{"path": ..., "state": "online" | "offline"}]`.
- `POST /cameras` with body `{"path": ...}`: 201, adds an online camera.
- `POST /cameras/{path}/stop`: 200, takes the camera offline (mount removed, clients dropped).
- `POST /cameras/{path}/start`: 200, brings the camera back at the same URL.

Errors are JSON `{"message", "code", "extra"}`: 400 for bad input, 404 for an unknown camera
or route, 405 for a wrong method, 409 for a camera that already exists.
The camera logic lives behind :class:`CameraBackend`; this module only speaks HTTP.
"""

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import unquote, urlsplit

from camsim.jsonlog import log_event
from camsim.paths import PATH_PATTERN_TEXT, InvalidPathError, validate_path

MAX_BODY_BYTES = 64 * 1024

JsonObject = dict[str, object]


class ApiError(Exception):
    """An error answered to the client as `{"message", "code", "extra"}` with `status`."""

    def __init__(
        self, status: HTTPStatus, code: str, message: str, extra: JsonObject | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra: JsonObject = extra or {}

    def body(self) -> JsonObject:
        return {"message": self.message, "code": self.code, "extra": self.extra}


def invalid_path(path: object) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_path",
        f"invalid camera path {path!r}",
        {"path": path, "pattern": PATH_PATTERN_TEXT},
    )


def camera_not_found(path: str) -> ApiError:
    return ApiError(
        HTTPStatus.NOT_FOUND, "camera_not_found", f"no camera at {path!r}", {"path": path}
    )


def camera_exists(path: str) -> ApiError:
    return ApiError(
        HTTPStatus.CONFLICT, "camera_exists", f"a camera already exists at {path!r}", {"path": path}
    )


class CameraBackend(Protocol):
    """What the control API needs from the camera server. Methods raise :class:`ApiError`."""

    def health(self) -> JsonObject: ...

    def list_cameras(self) -> list[JsonObject]: ...

    def add_camera(self, path: str) -> JsonObject: ...

    def stop_camera(self, path: str) -> JsonObject: ...

    def start_camera(self, path: str) -> JsonObject: ...


def _checked_path(raw: object) -> str:
    try:
        return validate_path(raw)
    except InvalidPathError:
        raise invalid_path(raw) from None


class _Handler(BaseHTTPRequestHandler):
    server: "_ControlHttpServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: object) -> None:
        """Requests are logged as JSON by `_dispatch`, not in the default text format."""

    def _dispatch(self, method: str) -> None:
        status: HTTPStatus
        body: object
        try:
            status, body = self._route(method, urlsplit(self.path).path)
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception as error:
            log_event("control_error", level="error", error=repr(error))
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            body = {"message": str(error), "code": "internal_error", "extra": {}}
        log_event("control_request", method=method, target=self.path, status=int(status))
        self._send(status, body)

    def _route(self, method: str, target: str) -> tuple[HTTPStatus, object]:
        backend = self.server.backend
        if target == "/health":
            self._require(method, "GET")
            health = backend.health()
            ok = health.get("status") == "ok"
            return (HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE), health
        if target == "/cameras":
            if method == "GET":
                return HTTPStatus.OK, backend.list_cameras()
            self._require(method, "POST")
            body = self._json_body()
            if not isinstance(body, dict) or "path" not in body:
                raise ApiError(
                    HTTPStatus.BAD_REQUEST,
                    "invalid_body",
                    'expected a JSON object {"path": "<tenant>/camera/<camera>"}',
                )
            return HTTPStatus.CREATED, backend.add_camera(_checked_path(body["path"]))
        prefix = "/cameras/"
        for action in ("stop", "start"):
            suffix = f"/{action}"
            if target.startswith(prefix) and target.endswith(suffix):
                self._require(method, "POST")
                path = _checked_path(unquote(target[len(prefix) : -len(suffix)]))
                if action == "stop":
                    return HTTPStatus.OK, backend.stop_camera(path)
                return HTTPStatus.OK, backend.start_camera(path)
        raise ApiError(
            HTTPStatus.NOT_FOUND, "not_found", f"no route {target!r}", {"target": target}
        )

    @staticmethod
    def _require(method: str, allowed: str) -> None:
        if method != allowed:
            raise ApiError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"method {method} not allowed here",
                {"allowed": [allowed]},
            )

    def _json_body(self) -> object:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            raise ApiError(
                HTTPStatus.BAD_REQUEST,
                "invalid_body",
                f"body must be at most {MAX_BODY_BYTES} bytes with a valid Content-Length",
            )
        raw = self.rfile.read(length)
        try:
            return json.loads(raw or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApiError(
                HTTPStatus.BAD_REQUEST, "invalid_json", f"body is not valid JSON: {error}"
            ) from None

    def _send(self, status: HTTPStatus, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _ControlHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], backend: CameraBackend) -> None:
        super().__init__(address, _Handler)
        self.backend = backend


class ControlServer:
    """Serves the control API for `backend` on `host:port` from a daemon thread."""

    def __init__(self, host: str, port: int, backend: CameraBackend) -> None:
        self._http = _ControlHttpServer((host, port), backend)
        self._thread = threading.Thread(
            target=self._http.serve_forever, name="camsim-control", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop answering requests and release the port."""
        if self._thread.is_alive():
            self._http.shutdown()
            self._thread.join(timeout=5)
        self._http.server_close()
