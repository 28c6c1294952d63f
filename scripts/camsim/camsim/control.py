"""Python control of the camera simulator: run it as a subprocess and drive its control API.

:class:`CameraSimulator` starts `/usr/bin/python3 -m camsim serve ...` (the system Python has
the GStreamer bindings), waits until it streams, and stops it on exit::

    with CameraSimulator(["acme/camera/door"]) as sim:
        url = sim.url("acme/camera/door")       # rtsp://127.0.0.1:<port>/acme/camera/door
        sim.stop_camera("acme/camera/door")     # readers of that URL are disconnected
        sim.start_camera("acme/camera/door")

:class:`ControlClient` speaks to an already running simulator. Both need only the stdlib.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import quote

from camsim.config import DEFAULT_HOST, StreamSettings
from camsim.paths import unique_paths, validate_path

SYSTEM_PYTHON = "/usr/bin/python3"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
STDERR_TAIL_LINES = 30


class CameraSimulatorError(RuntimeError):
    """The simulator could not be started, stopped or reached."""


class ControlApiError(CameraSimulatorError):
    """The control API answered with an error `{"message", "code", "extra"}`."""

    def __init__(self, status: int, code: str, message: str, extra: dict[str, object]) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


@dataclass(frozen=True)
class Camera:
    """A camera as listed by the control API."""

    path: str
    state: str

    @property
    def online(self) -> bool:
        return self.state == "online"


def _camera(body: object) -> Camera:
    if not isinstance(body, dict):
        raise CameraSimulatorError(f"unexpected camera in answer: {body!r}")
    return Camera(path=str(body["path"]), state=str(body["state"]))


class ControlClient:
    """Client of the control API at `base_url`, e.g. `http://127.0.0.1:8555`."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def health(self) -> dict[str, object]:
        body = self._request("GET", "/health")
        if not isinstance(body, dict):
            raise CameraSimulatorError(f"unexpected health answer: {body!r}")
        return body

    def cameras(self) -> list[Camera]:
        body = self._request("GET", "/cameras")
        if not isinstance(body, list):
            raise CameraSimulatorError(f"unexpected camera list: {body!r}")
        return [_camera(item) for item in body]

    def add_camera(self, path: str) -> Camera:
        return _camera(self._request("POST", "/cameras", {"path": path}))

    def stop_camera(self, path: str) -> Camera:
        return _camera(self._request("POST", f"/cameras/{quote(path, safe='/')}/stop"))

    def start_camera(self, path: str) -> Camera:
        return _camera(self._request("POST", f"/cameras/{quote(path, safe='/')}/start"))

    def _request(self, method: str, route: str, body: object = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is built from our base URL)
            self.base_url + route,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                answer = json.loads(raw)
            except ValueError:
                answer = {}
            if not isinstance(answer, dict):
                answer = {}
            extra = answer.get("extra")
            raise ControlApiError(
                error.code,
                str(answer.get("code", "http_error")),
                str(answer.get("message", raw[:200].decode(errors="replace"))),
                extra if isinstance(extra, dict) else {},
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise CameraSimulatorError(
                f"control API {self.base_url} unreachable: {error}"
            ) from error


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _reap(process: "subprocess.Popen[bytes]", timeout: float) -> None:
    """Stop `process`: SIGTERM, then SIGKILL after `timeout` seconds; close its stdin."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    if process.stdin is not None:
        process.stdin.close()


class CameraSimulator:
    """The simulator as a managed subprocess; a context manager that starts and stops it.

    Ports are picked free on the first start unless given, and kept for later starts so
    camera URLs stay valid across :meth:`restart`. Cameras added at runtime are served again
    after a restart; every camera comes back online.
    """

    def __init__(
        self,
        paths: Iterable[str] = (),
        *,
        rtsp_port: int | None = None,
        control_port: int | None = None,
        host: str = DEFAULT_HOST,
        stream: StreamSettings | None = None,
        python: str = SYSTEM_PYTHON,
        startup_timeout: float = 20.0,
        stop_timeout: float = 5.0,
        log_path: Path | None = None,
    ) -> None:
        self._paths = unique_paths(paths)
        self.host = host
        self.rtsp_port = rtsp_port
        self.control_port = control_port
        self.stream = stream or StreamSettings()
        self.python = python
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._workdir = Path(tempfile.mkdtemp(prefix="camsim-"))
        self.log_path = log_path or self._workdir / "camsim.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._reaper: weakref.finalize[..., CameraSimulator] | None = None
        weakref.finalize(self, shutil.rmtree, self._workdir, ignore_errors=True)

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the server and wait until it streams; raise :class:`CameraSimulatorError`."""
        if self.running:
            raise CameraSimulatorError("the simulator is already running")
        if not Path(self.python).exists():
            raise CameraSimulatorError(f"{self.python} not found: it runs the GStreamer server")
        self.rtsp_port = self.rtsp_port or free_port(self.host)
        self.control_port = self.control_port or free_port(self.host)
        self._workdir.mkdir(parents=True, exist_ok=True)
        paths_file = self._workdir / "paths.txt"
        paths_file.write_text("".join(f"{path}\n" for path in self._paths), encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(PACKAGE_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        env["PYTHONUNBUFFERED"] = "1"
        command = [
            self.python,
            "-m",
            "camsim",
            "serve",
            "--host",
            self.host,
            "--rtsp-port",
            str(self.rtsp_port),
            "--control-port",
            str(self.control_port),
            "--paths-file",
            str(paths_file),
            "--width",
            str(self.stream.width),
            "--height",
            str(self.stream.height),
            "--fps",
            str(self.stream.fps),
            "--bitrate",
            str(self.stream.bitrate_kbps),
            "--pattern",
            self.stream.pattern,
            "--exit-on-stdin-eof",
        ]
        self._log = self.log_path.open("ab")
        # The server stops when its stdin pipe closes, so it never outlives this process.
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            env=env,
            cwd=self._workdir,
        )
        self._reaper = weakref.finalize(self, _reap, self._process, self.stop_timeout)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        client = self.client(timeout=1.0)
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise CameraSimulatorError(
                    f"the simulator exited with code {code} while starting:\n{self.stderr_tail()}"
                )
            try:
                if client.health().get("status") == "ok":
                    return
            except CameraSimulatorError as error:
                last_error = str(error)
            time.sleep(0.1)
        raise CameraSimulatorError(
            f"the simulator was not ready within {self.startup_timeout:.0f} s ({last_error}):\n"
            f"{self.stderr_tail()}"
        )

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after `stop_timeout` seconds."""
        process, self._process = self._process, None
        if self._reaper is not None:
            self._reaper.detach()
            self._reaper = None
        if process is not None:
            _reap(process, self.stop_timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """Stop and start again on the same ports, as a relay restart does."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its working files."""
        self.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def stderr_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        """The last `lines` lines the server logged."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- cameras -------------------------------------------------------------------------

    @property
    def paths(self) -> list[str]:
        """Every camera path this simulator serves, online or not."""
        return list(self._paths)

    def url(self, path: str) -> str:
        """The RTSP URL of the camera at `path`."""
        if self.rtsp_port is None:
            raise CameraSimulatorError("the simulator has not been started")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        return f"rtsp://{host}:{self.rtsp_port}/{validate_path(path)}"

    def client(self, timeout: float = 10.0) -> ControlClient:
        if self.control_port is None:
            raise CameraSimulatorError("the simulator has not been started")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        return ControlClient(f"http://{host}:{self.control_port}", timeout=timeout)

    def health(self) -> dict[str, object]:
        return self.client().health()

    def cameras(self) -> list[Camera]:
        return self.client().cameras()

    def add_camera(self, path: str) -> Camera:
        camera = self.client().add_camera(path)
        self._paths = unique_paths([*self._paths, camera.path])
        return camera

    def stop_camera(self, path: str) -> Camera:
        return self.client().stop_camera(path)

    def start_camera(self, path: str) -> Camera:
        return self.client().start_camera(path)
