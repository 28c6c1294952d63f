"""Detection events through the real Celery worker: 500 events/s for 60 s, each stored once.

Creates the RabbitMQ vhost (`vms_bench` only, with `rabbitmqctl add_vhost`) and the
PostgreSQL database (`--database`, on the server of $DATABASE_URL) when they are missing,
migrates the database, creates a fresh tenant with one camera, empties the vhost's
detection queues, then starts `celery -A config worker --concurrency 1` on that database and
vhost (as `scripts/stack.py` does) and waits until it consumes `detections.processing`.
It then publishes `DetectionResult` events (vms_common contracts, routing key
`{tenant}.{camera}.{label}`, AMQP type `detection.result`, persistent, each confirmed by the
broker, as the detection service publishes them) to the `detections` exchange at a steady
`--rate` for `--seconds`, from `--publishers` connections, waits (at most `--drain-timeout`)
until every event is in `detection_results`, and prints: events sent and the achieved send
rate, rows stored (distinct `event_id`), missing, duplicates, dead letters, the drain time
after the last publish, the consumer's rate over the run and the machine's load.

PASS: every event sent at >= 99 % of the rate, every one stored exactly once, none
dead-lettered, and the backlog gone within `--max-drain` (5 s) of the last publish, i.e.
the worker kept up with the rate.

    .venv/bin/python bench/event_throughput.py [--rate 500] [--seconds 60]
        [--rabbitmq-url amqp://guest:guest@127.0.0.1:5672/vms_bench] [--database vms_bench]

The worker's log is kept under `.var/log/bench/`.
"""

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import pika
import pika.exceptions
import psutil
import psycopg

from vms_common.contracts import Box, DetectionResult, Face, Label
from vms_common.publisher import Publisher, PublishError
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

REPO = Path(__file__).resolve().parents[1]
BACKEND = REPO / "backend"
VENV_BIN = REPO / ".venv" / "bin"
LOG_DIR = REPO / ".var" / "log" / "bench"
BENCH_VHOST = "vms_bench"
DEFAULT_RABBITMQ_URL = f"amqp://guest:guest@127.0.0.1:5672/{BENCH_VHOST}"
# Not the demo's Redis database (0): the bench's worker pushes to its own channel layer.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
QUEUE = "detections.processing"
DEAD_LETTER_QUEUE = "detections.dlq"
LABELS = ("person", "car", "dog", "bicycle")
PUBLISH_ATTEMPTS = 3


class Interrupted(Exception):
    """SIGTERM or SIGINT: stop the run and clean up."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)


# --- resources: vhost, database, tenant and camera -----------------------------------------


def server_url(database: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def vhost_of(url: str) -> str:
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def ensure_vhost(url: str) -> None:
    """Connect once; create the vhost when it is the bench's own and is missing."""
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
        return
    except pika.exceptions.AMQPConnectionError as exc:
        vhost = vhost_of(url)
        if vhost != BENCH_VHOST:
            raise SystemExit(f"cannot connect to {url}: {exc!r}") from exc
    user = urlsplit(url).username or "guest"
    print(f"creating the RabbitMQ vhost {BENCH_VHOST}", file=sys.stderr)
    subprocess.run(["rabbitmqctl", "add_vhost", BENCH_VHOST], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "set_permissions", "-p", BENCH_VHOST, user, ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    pika.BlockingConnection(pika.URLParameters(url)).close()


def ensure_database(name: str) -> str:
    """Create the database when missing and migrate it; return its URL."""
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            print(f"creating the database {name}", file=sys.stderr)
            admin.execute(f'CREATE DATABASE "{name}"')
    url = server_url(name)
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput"],
        cwd=BACKEND,
        env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
        capture_output=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"migrate failed:\n{result.stderr.decode()[-3000:]}")
    return url


def django_setup(database_url: str, rabbitmq_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["RABBITMQ_URL"] = rabbitmq_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")  # static files: not used
    sys.path.insert(0, str(BACKEND))
    import django

    django.setup()


@dataclass(frozen=True)
class BenchCamera:
    tenant_id: str
    camera_id: str


def bench_camera(prefix: str) -> BenchCamera:
    """A tenant of its own with one camera, so this run's rows are told from earlier runs'."""
    from apps.cameras.services import camera_create
    from apps.usuarios.services import tenant_create

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    tenant = tenant_create(name=f"{prefix} {stamp} {uuid.uuid4().hex[:6]}")
    camera = camera_create(tenant=tenant, name="Camera 1")
    return BenchCamera(tenant_id=str(tenant.id), camera_id=str(camera.id))


def empty_detection_queues(url: str) -> int:
    """Declare the topology and empty `detections.processing`, its retry queues and DLQ."""
    topology = load_topology(DEFAULT_DEFINITIONS)
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        declare_topology(channel, topology)
        purged = 0
        for queue in topology.queues:
            name = queue["name"]
            if name in (QUEUE, DEAD_LETTER_QUEUE) or name.startswith(f"{QUEUE}."):
                purged += int(channel.queue_purge(name).method.message_count)
        return purged
    finally:
        connection.close()


# --- processes --------------------------------------------------------------------------------


class Process:
    """One child process in its own session, logging to a file; stopped by `stop`."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = LOG_DIR / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.popen.returncode}:\n{self.log_tail()}"
            )

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the process and its children so far."""
        try:
            root = psutil.Process(self.popen.pid)
            total = 0.0
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system
            return total
        except psutil.NoSuchProcess:
            return 0.0

    def log_tail(self, limit: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-limit:]

    def stop(self, timeout_s: float = 20) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


def service_env(
    database_url: str, rabbitmq_url: str, redis_url: str, log_level: str
) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": database_url,
        "RABBITMQ_URL": rabbitmq_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": log_level,
        "PYTHONUNBUFFERED": "1",
    }


def start_worker(env: dict[str, str]) -> Process:
    return Process(
        "worker",
        [
            str(VENV_BIN / "celery"),
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
            "--hostname",
            f"bench-{uuid.uuid4().hex[:8]}@%h",
        ],
        BACKEND,
        env,
    )


def wait_consuming(url: str, worker: Process, timeout_s: float = 90) -> None:
    """Until the worker has a consumer on `detections.processing`."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            worker.check_alive()
            if channel.queue_declare(QUEUE, passive=True).method.consumer_count > 0:
                return
            connection.sleep(0.2)
    finally:
        connection.close()
    raise RuntimeError(f"the worker does not consume {QUEUE} after {timeout_s} s")


@contextlib.contextmanager
def running(*processes: Process) -> Iterator[None]:
    try:
        yield
    finally:
        for process in reversed(processes):
            process.stop()


# --- publishing --------------------------------------------------------------------------------


def make_events(camera: BenchCamera, count: int, rate: float) -> list[DetectionResult]:
    """`count` distinct results of the camera, captured 1/rate s apart, labels varying."""
    start = datetime.now(UTC)
    events = []
    for i in range(count):
        captured = start + timedelta(seconds=i / rate)
        label = LABELS[i % len(LABELS)]
        box = Box(left=0.1, top=0.2, width=0.3, height=0.4)
        events.append(
            DetectionResult(
                tenant_id=camera.tenant_id,
                camera_id=camera.camera_id,
                captured_at=captured,
                processed_at=captured + timedelta(milliseconds=120),
                provider="bench",
                labels=(Label(name=label, confidence=0.5 + (i % 50) / 100, box=box),),
                faces=(Face(confidence=0.9, box=box),) if i % 10 == 0 else (),
            )
        )
    return events


@dataclass
class PublishRun:
    """When each event was published (perf_counter before its publish; None if it was not)."""

    published_at: list[float | None]
    started: float = 0.0
    finished: float = 0.0
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    max_behind_s: float = 0.0

    @property
    def sent(self) -> int:
        return sum(1 for t in self.published_at if t is not None)

    @property
    def rate(self) -> float:
        elapsed = self.finished - self.started
        return self.sent / elapsed if elapsed > 0 else 0.0


def publish_paced(
    url: str,
    events: Sequence[DetectionResult],
    rate: float,
    publishers: int,
    stop: threading.Event,
) -> PublishRun:
    """Publish event i at start + i/rate, from `publishers` connections taking turns; each
    publish waits for the broker's confirm. A late publisher catches up without pausing."""
    run = PublishRun(published_at=[None] * len(events))
    lock = threading.Lock()
    connections = [Publisher(url, DEFAULT_DEFINITIONS, "detections") for _ in range(publishers)]
    run.started = time.perf_counter() + 0.5  # time for every thread to be ready

    def publish_share(k: int) -> None:
        publisher = connections[k]
        behind = 0.0
        retries = 0
        for i in range(k, len(events), publishers):
            if stop.is_set():
                break
            target = run.started + i / rate
            now = time.perf_counter()
            if now < target:
                time.sleep(target - now)
            else:
                behind = max(behind, now - target)
            stamp = time.perf_counter()
            for attempt in range(1, PUBLISH_ATTEMPTS + 1):
                try:
                    publisher.publish(events[i])
                    run.published_at[i] = stamp
                    break
                except PublishError as exc:
                    if attempt == PUBLISH_ATTEMPTS:
                        with lock:
                            run.failures.append(f"event {i}: {exc}")
                    else:
                        retries += 1
                        time.sleep(0.2)
        with lock:
            run.retries += retries
            run.max_behind_s = max(run.max_behind_s, behind)

    threads = [
        threading.Thread(target=publish_share, args=(k,), name=f"publisher-{k}", daemon=True)
        for k in range(publishers)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        for publisher in connections:
            with contextlib.suppress(Exception):
                publisher.close()
    run.finished = max((t for t in run.published_at if t is not None), default=run.started)
    return run


# --- watching the run ------------------------------------------------------------------------


class Monitor(threading.Thread):
    """Samples the queue's depth, the rows stored and the load once a second."""

    def __init__(self, url: str, database_url: str, camera_id: str) -> None:
        super().__init__(name="monitor", daemon=True)
        self._url = url
        self._database_url = database_url
        self._camera_id = camera_id
        self._done = threading.Event()
        self.depths: list[int] = []
        self.loads: list[float] = []
        self.error = ""

    def run(self) -> None:
        try:
            connection = pika.BlockingConnection(pika.URLParameters(self._url))
            channel = connection.channel()
            with psycopg.connect(self._database_url, autocommit=True) as db:
                started = time.monotonic()
                while not self._done.wait(1.0):
                    depth = channel.queue_declare(QUEUE, passive=True).method.message_count
                    stored = stored_count(db, self._camera_id)[0]
                    self.depths.append(depth)
                    self.loads.append(os.getloadavg()[0])
                    if len(self.depths) % 5 == 0:
                        print(
                            f"  {time.monotonic() - started:5.0f} s: queue {depth}, "
                            f"stored {stored}, load {self.loads[-1]:.2f}",
                            file=sys.stderr,
                        )
            connection.close()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    def stop(self) -> None:
        self._done.set()
        self.join(10)


def stored_count(db: psycopg.Connection[Any], camera_id: str) -> tuple[int, int]:
    row = db.execute(
        "SELECT count(*), count(DISTINCT event_id) FROM detection_results WHERE camera_id = %s",
        (camera_id,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def wait_until(
    predicate: Callable[[], bool], timeout_s: float, check: Callable[[], None], period_s: float
) -> float | None:
    """perf_counter when `predicate` first held, or None after `timeout_s`."""
    deadline = time.perf_counter() + timeout_s
    while True:
        if predicate():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            return None
        check()
        time.sleep(period_s)


def dead_letter_count(url: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return int(
            connection.channel().queue_declare(DEAD_LETTER_QUEUE, passive=True).method.message_count
        )
    finally:
        connection.close()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- the run -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--publishers", type=int, default=2, help="publishing connections")
    parser.add_argument("--rabbitmq-url", default=DEFAULT_RABBITMQ_URL)
    parser.add_argument("--database", default=BENCH_VHOST)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--worker-log-level", default="INFO")
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument("--max-drain", type=float, default=5.0, help="PASS bound, seconds")
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0 or args.publishers < 1:
        parser.error("--rate and --seconds must be positive, --publishers at least 1")
    return args


def main() -> int:
    args = parse_args()
    install_signal_handlers()
    count = round(args.rate * args.seconds)
    ensure_vhost(args.rabbitmq_url)
    database_url = ensure_database(args.database)
    django_setup(database_url, args.rabbitmq_url, args.redis_url)
    camera = bench_camera("bench-events")
    purged = empty_detection_queues(args.rabbitmq_url)
    events = make_events(camera, count, args.rate)
    env = service_env(database_url, args.rabbitmq_url, args.redis_url, args.worker_log_level)
    load_before = os.getloadavg()

    worker = start_worker(env)
    with running(worker):
        wait_consuming(args.rabbitmq_url, worker)
        print(
            f"worker consuming {QUEUE} (log {worker.log_path}); publishing {count} events at "
            f"{args.rate:g}/s from {args.publishers} connections",
            file=sys.stderr,
        )
        monitor = Monitor(args.rabbitmq_url, database_url, camera.camera_id)
        monitor.start()
        worker_cpu_before, own_cpu_before = worker.cpu_seconds(), time.process_time()
        run = publish_paced(
            args.rabbitmq_url, events, args.rate, args.publishers, threading.Event()
        )
        with psycopg.connect(database_url, autocommit=True) as db:
            drained_at = wait_until(
                lambda: stored_count(db, camera.camera_id)[1] >= run.sent,
                args.drain_timeout,
                worker.check_alive,
                0.1,
            )
            worker_cpu = worker.cpu_seconds() - worker_cpu_before
            own_cpu = time.process_time() - own_cpu_before
            monitor.stop()
            total, distinct = stored_count(db, camera.camera_id)
            stored_ids = {
                row[0]
                for row in db.execute(
                    "SELECT event_id FROM detection_results WHERE camera_id = %s",
                    (camera.camera_id,),
                )
            }
        dead_letters = dead_letter_count(args.rabbitmq_url)
    load_after = os.getloadavg()

    sent_ids = {events[i].event_id for i, t in enumerate(run.published_at) if t is not None}
    missing = len(sent_ids - stored_ids)
    unexpected = len(stored_ids - sent_ids)
    duplicates = total - distinct
    end = drained_at if drained_at is not None else time.perf_counter()
    consumer_rate = distinct / (end - run.started) if end > run.started else 0.0
    drain_s = None if drained_at is None else max(0.0, drained_at - run.finished)

    print(f"target: {args.rate:g} events/s for {args.seconds:g} s = {count} events")
    print(
        f"sent: {run.sent} in {run.finished - run.started:.2f} s = {run.rate:.1f} events/s "
        f"(publisher confirms, {args.publishers} connections; at most "
        f"{run.max_behind_s * 1000:.0f} ms behind schedule; {run.retries} retries, "
        f"{len(run.failures)} failed)"
    )
    for failure in run.failures[:5]:
        print(f"  {failure}")
    print(
        f"stored: {distinct} distinct event_id ({total} rows); missing {missing}; "
        f"duplicates {duplicates}; not sent by this run {unexpected}; dead letters {dead_letters}"
    )
    if drain_s is None:
        print(f"drain: not drained {args.drain_timeout:g} s after the last publish")
    else:
        print(f"drain: {drain_s:.2f} s after the last publish")
    print(f"consumer: {consumer_rate:.1f} events/s from the first publish to the last row")
    if monitor.depths:
        print(
            f"queue depth: median {statistics.median(monitor.depths):.0f}, "
            f"p95 {percentile(monitor.depths, 95):.0f}, max {max(monitor.depths)} "
            f"(sampled each second)"
        )
    wall = end - run.started
    print(
        f"CPU from the first publish to the last row ({wall:.1f} s): worker {worker_cpu:.1f} s "
        f"({100 * worker_cpu / wall:.0f} % of one core, {1000 * worker_cpu / max(1, distinct):.2f}"
        f" ms per event); this bench (publishing, polling) {own_cpu:.1f} s "
        f"({100 * own_cpu / wall:.0f} %)"
    )
    if monitor.error:
        print(f"monitor stopped early: {monitor.error}")
    if purged:
        print(f"({purged} messages left in the detection queues by an earlier run were purged)")
    print(
        f"load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f}, max during {max(monitor.loads, default=0):.2f}; "
        f"{os.cpu_count()} CPUs"
    )
    ok = (
        run.sent == count
        and run.rate >= 0.99 * args.rate
        and distinct == run.sent
        and missing == 0
        and duplicates == 0
        and dead_letters == 0
        and drain_s is not None
        and drain_s <= args.max_drain
    )
    print(
        "PASS" if ok else "FAIL",
        f"(target: {args.rate:g} events/s sustained for {args.seconds:g} s, all stored once, "
        f"none lost or dead-lettered, drained within {args.max_drain:g} s)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Interrupted as stopped:
        print(f"stopped by {stopped}", file=sys.stderr)
        sys.exit(130)
