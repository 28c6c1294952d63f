"""Runs the VMS natively on one machine: S3 (moto), recorder, detection, Celery worker and backend
as processes.

Used by `make demo` and by the end-to-end tests. Each process logs to its own file under
`log_dir`; `stop()` ends them all, newest first.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"


@dataclass(frozen=True)
class StackConfig:
    database_url: str
    rabbitmq_url: str
    recordings_root: Path
    log_dir: Path
    relay_rtsp_base: str
    recorder_token: str
    detection_token: str
    backend_port: int = 8000
    recorder_port: int = 8003
    detection_port: int = 8002
    segment_seconds: int = 60
    environment: str = "development"
    s3_port: int = 0  # moto's S3 server; 0 picks a free port
    s3_bucket: str = "vms-recordings"

    def __post_init__(self) -> None:
        if self.s3_port == 0:
            object.__setattr__(self, "s3_port", _free_port())

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ENVIRONMENT": self.environment,
            "DATABASE_URL": self.database_url,
            "RABBITMQ_URL": self.rabbitmq_url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "RECORDINGS_ROOT": str(self.recordings_root),
            "RELAY_RTSP_BASE": self.relay_rtsp_base,
            "RECORDER_API_TOKEN": self.recorder_token,
            "DETECTION_API_TOKEN": self.detection_token,
            "SEGMENT_SECONDS": str(self.segment_seconds),
            "RECORDER_URL": self.recorder_url,
            "DETECTION_URL": self.detection_url,
            # S3 is moto's server here; it accepts any credentials, these are deliberately fake
            "S3_ENDPOINT_URL": self.s3_url,
            "S3_BUCKET": self.s3_bucket,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "native-stack",
            "AWS_SECRET_ACCESS_KEY": "native-stack",
            "PYTHONUNBUFFERED": "1",
        }

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def recorder_url(self) -> str:
        return f"http://127.0.0.1:{self.recorder_port}"

    @property
    def detection_url(self) -> str:
        return f"http://127.0.0.1:{self.detection_port}"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Stack:
    config: StackConfig
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        """Run a Django management command and return its standard output."""
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=REPO / "backend",
            env=self.config.env(),
            capture_output=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr.decode()[-2000:]}")
        return result.stdout.decode()

    def demo_setup(self, cameras: int, password: str) -> dict[str, Any]:
        output = self.manage("demo_setup", "--cameras", str(cameras), "--password", password)
        result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        return result

    def start(self) -> None:
        """Start S3 (moto), recorder, detection, worker and backend, and wait until each answers
        its health check."""
        c = self.config
        self.start_recorder()
        self.start_detection()
        self._spawn(
            "worker",
            [
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            REPO / "backend",
        )
        self._spawn(
            "backend",
            [
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(c.backend_port),
                "--no-access-log",
            ],
            REPO / "backend",
        )
        self.wait_healthy(f"{c.backend_url}/api/health", "backend")

    def start_object_store(self) -> None:
        """moto's S3 server, standing in for S3, with the recordings bucket."""
        c = self.config
        c.log_dir.mkdir(parents=True, exist_ok=True)
        self._spawn("s3", ["moto_server", "-H", "127.0.0.1", "-p", str(c.s3_port)], REPO)
        self.wait_healthy(f"{c.s3_url}/moto-api/", "s3")
        request = urllib.request.Request(f"{c.s3_url}/{c.s3_bucket}", method="PUT")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local URL)
            if response.status != 200:
                raise RuntimeError(f"bucket {c.s3_bucket} not created: HTTP {response.status}")

    def start_recorder(self) -> None:
        c = self.config
        c.log_dir.mkdir(parents=True, exist_ok=True)
        c.recordings_root.mkdir(parents=True, exist_ok=True)
        if "s3" not in self.processes:
            self.start_object_store()
        self._spawn(
            "recorder",
            [
                "uvicorn",
                "--factory",
                "recorder.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(c.recorder_port),
                "--no-access-log",
            ],
            REPO,
        )
        self.wait_healthy(f"{c.recorder_url}/health", "recorder")

    def start_detection(self) -> None:
        c = self.config
        self._spawn(
            "detection",
            [
                "uvicorn",
                "--factory",
                "ai_detection.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(c.detection_port),
                "--no-access-log",
            ],
            REPO,
        )
        self.wait_healthy(f"{c.detection_url}/health", "detection")

    def record(self, tenant_id: str, camera_id: str) -> dict[str, Any]:
        return self._recorder_call(
            "/record/start", {"tenant_id": tenant_id, "camera_id": camera_id}
        )

    def stop_recording(self, tenant_id: str, camera_id: str) -> dict[str, Any]:
        return self._recorder_call("/record/stop", {"tenant_id": tenant_id, "camera_id": camera_id})

    def recorder_status(self) -> dict[str, Any]:
        return self._recorder_call("/record/status", None)

    def analyse(self, tenant_id: str, camera_id: str, **settings: Any) -> dict[str, Any]:
        """Start detection on the camera; `settings` are the optional `provider`, `motion` and
        `daily_budget_usd` of the detection service's `POST /cameras/start`."""
        body = {"tenant_id": tenant_id, "camera_id": camera_id, **settings}
        return self._detection_call("/cameras/start", body)

    def stop_analysis(self, tenant_id: str, camera_id: str) -> dict[str, Any]:
        return self._detection_call(
            "/cameras/stop", {"tenant_id": tenant_id, "camera_id": camera_id}
        )

    def _detection_call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.config.detection_url, self.config.detection_token, path, body)

    def wait_healthy(self, url: str, name: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (local URL)
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} is not healthy after {timeout_s} s:\n{self.log_tail(name)}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}:\n{self.log_tail(name)}"
                )

    def log_tail(self, name: str, limit: int = 3000) -> str:
        path = self.config.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-limit:] if path.exists() else ""

    def stop(self, timeout_s: float = 20) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()

    def _spawn(self, name: str, command: list[str], cwd: Path) -> None:
        log = (self.config.log_dir / f"{name}.log").open("ab")
        command = [str(VENV_BIN / command[0]), *command[1:]]
        self.processes[name] = subprocess.Popen(
            command,
            cwd=cwd,
            env=self.config.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def _recorder_call(self, path: str, body: dict[str, str] | None) -> dict[str, Any]:
        return self._call(self.config.recorder_url, self.config.recorder_token, path, body)

    @staticmethod
    def _call(base: str, token: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (local URL)
            base + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result
