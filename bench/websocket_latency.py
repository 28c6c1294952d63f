"""From publishing a detection event to receiving it on the dashboard's WebSocket.

Uses the vhost and database of `event_throughput.py` (created and migrated when missing),
creates a fresh tenant with a camera and a user, and starts the backend as
`scripts/stack.py` does (`uvicorn config.asgi:application`, Channels on the Redis at
`--redis-url`) and `celery -A config worker --concurrency 1`, both on that database, vhost
and Redis. It logs the user in (`POST /api/auth/login`), opens
`ws://.../ws/detections?token=<access token>`, waits for the socket's pong (so its group is
joined), then publishes `DetectionResult` events of the camera to the `detections` exchange
with publisher confirms, as the detection service does, at `--rate` for `--seconds`,
noting each event's publish time by `event_id`. Each `{"type": "detection"}` frame is
timed as it is received; after the last publish it waits up to `--wait` seconds for the
rest. Prints events sent and received, duplicates, and the publish-to-receipt latency:
p50, p95, p99 and max.

PASS: every event received once and p95 <= 300 ms.

    .venv/bin/python bench/websocket_latency.py [--rate 100] [--seconds 30]
        [--rabbitmq-url amqp://guest:guest@127.0.0.1:5672/vms_bench] [--database vms_bench]
        [--redis-url redis://127.0.0.1:6379/3]

Logs of the backend and the worker are kept under `.var/log/bench/`.
"""

import argparse
import asyncio
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from event_throughput import (
    BACKEND,
    BENCH_VHOST,
    DEFAULT_RABBITMQ_URL,
    DEFAULT_REDIS_URL,
    VENV_BIN,
    BenchCamera,
    Interrupted,
    Process,
    PublishRun,
    bench_camera,
    django_setup,
    empty_detection_queues,
    ensure_database,
    ensure_vhost,
    install_signal_handlers,
    make_events,
    percentile,
    publish_paced,
    running,
    service_env,
    start_worker,
    wait_consuming,
)
from websockets.asyncio.client import ClientConnection, connect

TARGET_P95_MS = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_backend(env: dict[str, str], port: int) -> Process:
    return Process(
        "backend",
        [
            str(VENV_BIN / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        BACKEND,
        env,
    )


def wait_healthy(base_url: str, backend: Process, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        backend.check_alive()
        try:
            with urllib.request.urlopen(f"{base_url}/api/health", timeout=3) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the backend is not healthy after {timeout_s} s:\n{backend.log_tail()}")


def bench_user(camera: BenchCamera) -> tuple[str, str]:
    """A viewer of the camera's tenant, with a random password."""
    from apps.usuarios.models import Tenant
    from apps.usuarios.services import user_create

    username = f"bench-{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(16)
    user_create(
        tenant=Tenant.objects.get(pk=camera.tenant_id), username=username, password=password
    )
    return username, password


def login(base_url: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/api/auth/login",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        access: str = json.loads(response.read())["access"]
        return access


async def subscribed(socket_: ClientConnection, timeout_s: float = 10) -> None:
    """The consumer answers a ping only once it has joined its group."""
    await socket_.send(json.dumps({"type": "ping"}))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frame = await asyncio.wait_for(
            socket_.recv(), timeout=max(0.1, deadline - time.monotonic())
        )
        if json.loads(frame).get("type") == "pong":
            return
    raise RuntimeError("no pong from /ws/detections")


class Receipts:
    """Receipt time (perf_counter) of each detection frame, by event_id."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.duplicates = 0
        self.other_frames = 0

    def note(self, frame: str | bytes, now: float) -> None:
        message = json.loads(frame)
        if message.get("type") != "detection":
            self.other_frames += 1
            return
        event_id = str(message["detection"]["event_id"])
        if event_id in self.at:
            self.duplicates += 1
        else:
            self.at[event_id] = now


async def measure(
    ws_url: str, args: argparse.Namespace, events: list[Any]
) -> tuple[PublishRun, Receipts, str]:
    receipts = Receipts()
    expected = {str(event.event_id) for event in events}
    stop = threading.Event()
    closed = ""
    async with connect(ws_url, max_queue=None, open_timeout=10) as socket_:
        await subscribed(socket_)
        loop = asyncio.get_running_loop()
        publishing = loop.run_in_executor(
            None, publish_paced, args.rabbitmq_url, events, args.rate, 1, stop
        )
        try:
            deadline: float | None = None
            while not (publishing.done() and expected <= receipts.at.keys()):
                if publishing.done() and deadline is None:
                    deadline = time.perf_counter() + args.wait
                if deadline is not None and time.perf_counter() > deadline:
                    break
                try:
                    frame = await asyncio.wait_for(socket_.recv(), timeout=0.2)
                except TimeoutError:
                    continue
                receipts.note(frame, time.perf_counter())
        except Exception as exc:  # the socket closed under us: report it, keep the figures
            closed = f"{type(exc).__name__}: {exc}"
        finally:
            stop.set()
            run = await publishing
    return run, receipts, closed


def rows_built_at(camera: BenchCamera) -> dict[str, float]:
    """When the worker built each stored row (its `created_at`), on this process's
    perf_counter clock, by event_id."""
    from apps.detections.models import DetectionResult

    offset = time.time() - time.perf_counter()
    rows = DetectionResult.objects.filter(camera_id=camera.camera_id).values_list(
        "event_id", "created_at"
    )
    return {str(event_id): created.timestamp() - offset for event_id, created in rows}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rabbitmq-url", default=DEFAULT_RABBITMQ_URL)
    parser.add_argument("--database", default=BENCH_VHOST)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--log-level", default="INFO", help="of the backend and the worker")
    parser.add_argument("--wait", type=float, default=10.0, help="for stragglers, seconds")
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")
    return args


def main() -> int:
    args = parse_args()
    install_signal_handlers()
    count = round(args.rate * args.seconds)
    ensure_vhost(args.rabbitmq_url)
    database_url = ensure_database(args.database)
    django_setup(database_url, args.rabbitmq_url, args.redis_url)
    camera = bench_camera("bench-websocket")
    username, password = bench_user(camera)
    empty_detection_queues(args.rabbitmq_url)
    events = make_events(camera, count, args.rate)
    env = service_env(database_url, args.rabbitmq_url, args.redis_url, args.log_level)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()

    worker = start_worker(env)
    backend = start_backend(env, port)
    with running(worker, backend):
        wait_consuming(args.rabbitmq_url, worker)
        wait_healthy(base_url, backend)
        token = login(base_url, username, password)
        print(
            f"backend on {base_url} (log {backend.log_path}), worker (log {worker.log_path}); "
            f"publishing {count} events at {args.rate:g}/s",
            file=sys.stderr,
        )
        ws_url = f"ws://127.0.0.1:{port}/ws/detections?token={token}"
        cpu_before = (worker.cpu_seconds(), backend.cpu_seconds(), time.perf_counter())
        run, receipts, closed = asyncio.run(measure(ws_url, args, events))
        wall = time.perf_counter() - cpu_before[2]
        worker_cpu = worker.cpu_seconds() - cpu_before[0]
        backend_cpu = backend.cpu_seconds() - cpu_before[1]
        worker.check_alive()
        backend.check_alive()
    load_after = os.getloadavg()

    built = rows_built_at(camera)
    latencies_ms, to_worker_ms, to_socket_ms = [], [], []
    for event, published in zip(events, run.published_at, strict=True):
        received = receipts.at.get(str(event.event_id))
        if published is not None and received is not None:
            latencies_ms.append((received - published) * 1000)
            row_at = built.get(str(event.event_id))
            if row_at is not None:
                to_worker_ms.append((row_at - published) * 1000)
                to_socket_ms.append((received - row_at) * 1000)
    received_count = len(latencies_ms)
    print(f"target: {args.rate:g} events/s for {args.seconds:g} s = {count} events")
    print(
        f"sent: {run.sent} at {run.rate:.1f} events/s ({len(run.failures)} failed); "
        f"received on the socket: {received_count}/{run.sent}, duplicates {receipts.duplicates}"
    )
    if closed:
        print(f"the socket closed: {closed}")
    if latencies_ms:
        print(
            f"publish to receipt: p50 {percentile(latencies_ms, 50):.1f} ms, "
            f"p95 {percentile(latencies_ms, 95):.1f} ms, p99 {percentile(latencies_ms, 99):.1f} ms, "
            f"max {max(latencies_ms):.1f} ms, min {min(latencies_ms):.1f} ms"
        )
    if to_worker_ms:
        print(
            f"  publish to the row built in the worker: p50 {percentile(to_worker_ms, 50):.1f} ms,"
            f" p95 {percentile(to_worker_ms, 95):.1f} ms; from there to the socket: "
            f"p50 {percentile(to_socket_ms, 50):.1f} ms, p95 {percentile(to_socket_ms, 95):.1f} ms"
        )
    print(
        f"CPU over the run ({wall:.1f} s): worker {100 * worker_cpu / wall:.0f} % of one core, "
        f"backend {100 * backend_cpu / wall:.0f} %"
    )
    print(
        f"load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f}; {os.cpu_count()} CPUs"
    )
    ok = (
        run.sent == count
        and received_count == run.sent
        and receipts.duplicates == 0
        and bool(latencies_ms)
        and percentile(latencies_ms, 95) <= TARGET_P95_MS
    )
    print(
        "PASS" if ok else "FAIL",
        f"(target: every event received once, p95 publish to WebSocket <= {TARGET_P95_MS:g} ms "
        f"at {args.rate:g} events/s)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Interrupted as stopped:
        print(f"stopped by {stopped}", file=sys.stderr)
        sys.exit(130)
