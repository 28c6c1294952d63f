"""The whole stack on this machine: camera simulator, recorder, Celery worker, backend.

Real PostgreSQL (a fresh `vms_e2e` database), RabbitMQ (vhost `vms_test`), ffmpeg and
GStreamer; nothing is faked. One recording session is shared by the tests of a run.
"""

import os
import secrets
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pika
import psycopg
import pytest

from camsim.control import CameraSimulator
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from stack import Stack, StackConfig

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "vms_e2e"
RABBITMQ_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
SEGMENT_SECONDS = 30


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database() -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"


def empty_queues() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    channel = connection.channel()
    topology = load_topology(DEFAULT_DEFINITIONS)
    declare_topology(channel, topology)
    for queue in topology.queues:
        channel.queue_purge(queue["name"])
    connection.close()


@dataclass
class RunningStack:
    stack: Stack
    simulator: CameraSimulator
    tenant_id: str
    camera_id: str
    username: str
    password: str
    database_url: str

    @property
    def url(self) -> str:
        return self.stack.config.backend_url

    def playback(self, api: httpx.Client, start: datetime, end: datetime) -> dict[str, Any]:
        response = api.get(
            f"/api/playback/{self.camera_id}",
            params={"start": start.isoformat(), "end": end.isoformat()},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def recorded(self, api: httpx.Client, recording: "Recording") -> dict[str, Any]:
        """The playback answer around the session's recording, once its last segment is in."""
        start, end = (
            recording.started - timedelta(minutes=1),
            recording.stopped + timedelta(minutes=1),
        )
        deadline = time.monotonic() + 45
        while True:  # the last segment closes when recording stops, then travels to the database
            body = self.playback(api, start, end)
            last_end = parse(body["segments"][-1]["end"]) if body["segments"] else None
            if last_end and last_end > recording.stopped - timedelta(seconds=5):
                return body
            assert time.monotonic() < deadline, f"last segment never arrived: {body}"
            time.sleep(1)

    def api(self) -> httpx.Client:
        response = httpx.post(
            f"{self.url}/api/auth/login",
            json={"username": self.username, "password": self.password},
            timeout=10,
        )
        response.raise_for_status()
        token = response.json()["access"]
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory) -> Iterator[RunningStack]:
    work = tmp_path_factory.mktemp("stack")
    database_url = fresh_database()
    empty_queues()
    password = secrets.token_urlsafe(12)
    rtsp_port = free_port()
    config = StackConfig(
        database_url=database_url,
        rabbitmq_url=RABBITMQ_URL,
        recordings_root=work / "recordings",
        log_dir=work / "log",
        relay_rtsp_base=f"rtsp://127.0.0.1:{rtsp_port}",
        recorder_token=secrets.token_urlsafe(24),
        detection_token=secrets.token_urlsafe(24),
        backend_port=free_port(),
        recorder_port=free_port(),
        detection_port=free_port(),
        segment_seconds=SEGMENT_SECONDS,
    )
    stack = Stack(config)
    stack.manage("migrate", "--no-input")
    demo = stack.demo_setup(1, password)
    camera = demo["cameras"][0]
    simulator = CameraSimulator(
        [camera["relay_path"]], rtsp_port=rtsp_port, log_path=work / "camsim.log"
    )
    try:
        simulator.start()
        stack.start()
        yield RunningStack(
            stack,
            simulator,
            demo["tenant_id"],
            camera["id"],
            demo["username"],
            password,
            database_url,
        )
    finally:
        stack.stop()
        simulator.close()


@dataclass
class Recording:
    """What the session recorded: one outage of the camera between two stretches of video."""

    started: datetime
    camera_off: datetime
    camera_on: datetime
    stopped: datetime


OUTAGE_S = 30


@pytest.fixture(scope="session")
def recorded_with_outage(running_stack) -> Recording:
    """Records the camera for 70 s, takes it off the air for 30 s, records 50 s more, stops.

    The outage is real: the simulator removes the camera's mount and drops its readers, so the
    recorder loses the stream, retries, and records again when the camera comes back.
    """
    s = running_stack
    path = s.simulator.paths[0]
    started = datetime.now(UTC)
    s.stack.record(s.tenant_id, s.camera_id)
    _run_for(s, 70)
    camera_off = datetime.now(UTC)
    s.simulator.stop_camera(path)
    _run_for(s, OUTAGE_S)
    s.simulator.start_camera(path)
    camera_on = datetime.now(UTC)
    _run_for(s, 50)
    s.stack.stop_recording(s.tenant_id, s.camera_id)
    return Recording(started, camera_off, camera_on, datetime.now(UTC))


def _run_for(s: RunningStack, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s.stack.check_alive()
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
