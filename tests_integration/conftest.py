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
from datetime import UTC, datetime
from pathlib import Path

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
        backend_port=free_port(),
        recorder_port=free_port(),
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
    started: datetime
    stopped: datetime


@pytest.fixture(scope="session")
def two_minutes_recorded(running_stack) -> Recording:
    """Records the camera for two minutes, then stops the recorder for it."""
    s = running_stack
    started = datetime.now(UTC)
    s.stack.record(s.tenant_id, s.camera_id)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        s.stack.check_alive()
        time.sleep(1)
    s.stack.stop_recording(s.tenant_id, s.camera_id)
    return Recording(started, datetime.now(UTC))
