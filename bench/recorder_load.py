"""Coverage, CPU and memory of the recorder with N simulated cameras.

Starts the camera simulator (one stream at `--bitrate` kbit/s served to every camera), the
recorder service as its own process (as `scripts/stack.py` does), asks it over its HTTP API
to record every camera, and measures for `--seconds`:

- coverage per camera: seconds covered by the segments the recorder announced on RabbitMQ
  (`segment.completed`, consumed from a queue of this benchmark on the given vhost), counted
  from the moment the camera first reported `recording` until its stop was requested,
  divided by that wall time. Files on disk are cross-checked with ffprobe afterwards;
- time from the start request to `recording` (the first fragment on disk);
- CPU of the recorder (the Python service plus every ffmpeg/ffprobe child, from CPU time
  over the window), per thread of the service, per ffmpeg, and of the camera simulator;
- memory (RSS and USS) of the service and of each ffmpeg, sampled during the window;
- the machine's load average and CPU busy, since other work may share the machine.

    .venv/bin/python bench/recorder_load.py --cameras 100 --seconds 600 --bitrate 512

Targets: coverage >= 99.9 % on every camera, recorder CPU <= 1 % of one core per camera.
Exit status 0 when both pass, 1 otherwise. Talks only to 127.0.0.1.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pika
import pika.exceptions
import psutil
from recorder_figures import (
    CpuUse,
    MemorySeries,
    covered_seconds,
    cpu_snapshot,
    cpu_use,
    gaps,
    lost_seconds,
    percentile,
    probe_file,
)

from camsim.config import StreamSettings
from camsim.control import CameraSimulator, free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from stack import Stack, StackConfig

TENANT = "bench"
EXCHANGE = "recordings"
COVERAGE_TARGET = 99.9
CPU_TARGET = 1.0
STATUS_EVERY_S = 5.0
DEFAULT_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/vms_test"


def now() -> datetime:
    return datetime.now(UTC)


class SegmentEvents:
    """A queue of this benchmark bound to every `segment.*` event of the recorder."""

    def __init__(self, url: str) -> None:
        self.params = pika.URLParameters(url)
        self.queue = f"bench.recorder_load.{os.getpid()}"

    def open(self) -> None:
        with pika.BlockingConnection(self.params) as connection:
            channel = connection.channel()
            channel.exchange_declare(EXCHANGE, "topic", durable=True)
            # not exclusive (an idle blocking connection would miss heartbeats for minutes);
            # it expires an hour after its last use should this process die
            channel.queue_declare(self.queue, arguments={"x-expires": 3_600_000})
            channel.queue_bind(self.queue, EXCHANGE, "segment.#")

    def waiting(self) -> int:
        with pika.BlockingConnection(self.params) as connection:
            frame = connection.channel().queue_declare(self.queue, passive=True)
            return int(frame.method.message_count)

    def drain(self) -> list[tuple[str, dict[str, Any]]]:
        out = []
        with pika.BlockingConnection(self.params) as connection:
            channel = connection.channel()
            while True:
                method, _, body = channel.basic_get(self.queue, auto_ack=True)
                if method is None:
                    return out
                out.append((method.routing_key, json.loads(body)))

    def close(self) -> None:
        """Delete this queue and empty the backend's queue the recorder also fed."""
        with pika.BlockingConnection(self.params) as connection:
            channel = connection.channel()
            channel.queue_delete(self.queue)
        try:
            with pika.BlockingConnection(self.params) as connection:
                connection.channel().queue_purge("recordings.persist")
        except pika.exceptions.ChannelClosedByBroker:
            pass  # the recorder never declared it


@dataclass
class CameraRun:
    camera_id: str
    requested: datetime
    recording_since: datetime | None = None
    stop_requested: datetime | None = None
    final: dict[str, Any] = field(default_factory=dict)
    not_recording_seen: int = 0
    restarts_before_window: int = 0
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    event_seconds: float = 0.0
    corrupt: int = 0
    disk_files: int = 0
    disk_seconds: float = 0.0
    disk_frames: int = 0

    @property
    def window(self) -> tuple[datetime, datetime]:
        assert self.stop_requested is not None
        return (self.recording_since or self.requested, self.stop_requested)

    @property
    def wall_s(self) -> float:
        start, end = self.window
        return (end - start).total_seconds()

    @property
    def coverage(self) -> float:
        start, end = self.window
        return 100 * covered_seconds(self.intervals, start, end) / max(self.wall_s, 1e-9)

    @property
    def lost(self) -> tuple[float, float, float]:
        return lost_seconds(self.intervals, *self.window)

    @property
    def restarts_in_window(self) -> int:
        return int(self.final.get("restarts", 0)) - self.restarts_before_window

    @property
    def to_recording_s(self) -> float | None:
        if self.recording_since is None:
            return None
        return (self.recording_since - self.requested).total_seconds()


@dataclass
class Measured:
    cameras: dict[str, CameraRun]
    window_started: datetime
    window_s: float
    recorder: CpuUse
    simulator_s: float
    bench_s: float
    machine_busy_s: float
    memory: MemorySeries
    loadavg: list[float]
    statuses_seen: int
    recorder_alive: bool


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=60, help="length of the window")
    parser.add_argument("--bitrate", type=int, default=512, help="kbit/s of the simulated stream")
    parser.add_argument("--segment-seconds", type=int, default=60)
    parser.add_argument("--memory-every", type=float, default=30.0, help="seconds")
    parser.add_argument("--start-timeout", type=float, default=180.0, help="seconds")
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="cameras started per second (0: all at once)"
    )
    parser.add_argument("--no-probe", action="store_true", help="skip the ffprobe check of files")
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / f"recorder-load-{now():%Y%m%dT%H%M%S}",
        help="where the recorder's and the simulator's logs are kept",
    )
    parser.add_argument(
        "--rabbitmq-url",
        default=os.environ.get("VMS_TEST_RABBITMQ_URL", DEFAULT_RABBITMQ),
        help="vhost the recorder announces on (default: $VMS_TEST_RABBITMQ_URL)",
    )
    args = parser.parse_args()
    camera_ids = [f"cam-{n:03d}" for n in range(args.cameras)]
    paths = [f"{TENANT}/camera/{c}" for c in camera_ids]

    events = SegmentEvents(args.rabbitmq_url)
    events.open()
    stream = StreamSettings(bitrate_kbps=args.bitrate)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="recorder-load-") as work,
            CameraSimulator(paths, stream=stream, startup_timeout=60) as simulator,
        ):
            root = Path(work) / "recordings"
            config = StackConfig(
                database_url="",
                rabbitmq_url=args.rabbitmq_url,
                recordings_root=root,
                log_dir=Path(work) / "log",
                relay_rtsp_base=f"rtsp://127.0.0.1:{simulator.rtsp_port}",
                recorder_token=secrets.token_urlsafe(24),
                detection_token=secrets.token_urlsafe(24),
                recorder_port=free_port(),
                segment_seconds=args.segment_seconds,
            )
            stack = Stack(config)
            stack.start_recorder()
            try:
                assert simulator.pid is not None
                measured = measure(stack, simulator.pid, camera_ids, args)
                collect_events(events, measured)
            finally:
                log_tail = stack.log_tail("recorder", 1500)
                stack.stop()
                args.log_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy(config.log_dir / "recorder.log", args.log_dir)
                shutil.copy(simulator.log_path, args.log_dir / "camsim.log")
            if not args.no_probe:
                probe_files(root, measured)
    finally:
        events.close()
    ok = report(measured, args)
    report_log(args.log_dir / "recorder.log", measured.window_started)
    if not measured.recorder_alive:
        print(f"recorder log tail:\n{log_tail}")
    return 0 if ok else 1


def measure(
    stack: Stack, simulator_pid: int, camera_ids: list[str], args: argparse.Namespace
) -> Measured:
    recorder = psutil.Process(stack.processes["recorder"].pid)
    runs: dict[str, CameraRun] = {}
    for camera_id in camera_ids:
        runs[camera_id] = CameraRun(camera_id, requested=now())
        stack.record(TENANT, camera_id)
        if args.ramp:
            time.sleep(1 / args.ramp)
    print(f"{len(runs)} recordings requested, waiting for 'recording'", file=sys.stderr)
    deadline = time.monotonic() + args.start_timeout
    while time.monotonic() < deadline and not all(r.recording_since for r in runs.values()):
        observe(stack, runs)
        time.sleep(0.5)
    observe(stack, runs, baseline=True)
    recording = sum(1 for r in runs.values() if r.recording_since)
    print(f"{recording}/{len(runs)} recording; window of {args.seconds} s", file=sys.stderr)

    me = psutil.Process()
    simulator = psutil.Process(simulator_pid)
    memory = MemorySeries()
    loadavg: list[float] = []
    statuses_seen = 0
    alive = True
    recorder_before = cpu_snapshot(recorder)
    simulator_before = cpu_snapshot(simulator).total
    machine_before = psutil.cpu_times()
    bench_before = cpu_snapshot(me).own
    window_started = now()
    started = time.monotonic()
    next_status = next_memory = started
    while (elapsed := time.monotonic() - started) < args.seconds:
        if stack.processes["recorder"].poll() is not None:
            alive = False
            break
        tick = time.monotonic()
        if tick >= next_status:
            observe(stack, runs)
            statuses_seen += 1
            loadavg.append(os.getloadavg()[0])
            next_status += STATUS_EVERY_S
        if tick >= next_memory:
            memory.sample(recorder)
            next_memory += args.memory_every
        if int(elapsed) % 60 == 0 and elapsed - int(elapsed) < 1:
            print(f"  {int(elapsed)} s, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
        time.sleep(max(0.0, min(next_status, next_memory, started + args.seconds) - tick))
    window_s = time.monotonic() - started
    recorder_used = cpu_use(recorder_before, cpu_snapshot(recorder)) if alive else None
    simulator_s = cpu_snapshot(simulator).total - simulator_before
    machine_after = psutil.cpu_times()
    bench_s = cpu_snapshot(me).own - bench_before  # its children are the others
    stop_all(stack, runs)
    assert recorder_used is not None or not alive
    return Measured(
        cameras=runs,
        window_started=window_started,
        window_s=window_s,
        recorder=recorder_used or cpu_use(recorder_before, recorder_before),
        simulator_s=simulator_s,
        bench_s=bench_s,
        machine_busy_s=_busy(machine_after) - _busy(machine_before),
        memory=memory,
        loadavg=loadavg,
        statuses_seen=statuses_seen,
        recorder_alive=alive,
    )


def _busy(times: Any) -> float:
    idle = times.idle + getattr(times, "iowait", 0.0)
    return float(sum(times) - idle - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0))


def observe(stack: Stack, runs: dict[str, CameraRun], baseline: bool = False) -> None:
    for status in stack.recorder_status()["cameras"]:
        run = runs.get(status["camera_id"])
        if run is None:
            continue
        if baseline:
            run.restarts_before_window = int(status.get("restarts", 0))
        if status["state"] == "recording":
            if run.recording_since is None:
                run.recording_since = datetime.fromisoformat(status["since"])
        elif run.recording_since is not None:
            run.not_recording_seen += 1


def stop_all(stack: Stack, runs: dict[str, CameraRun]) -> None:
    """Stop every recording through the API, 16 at a time; each keeps its final status."""

    def stop(run: CameraRun) -> None:
        run.stop_requested = now()
        try:
            run.final = stack.stop_recording(TENANT, run.camera_id)
        except OSError as exc:  # the recorder died or timed out: report, don't hide
            run.final = {"error": repr(exc)}

    print("stopping every recording", file=sys.stderr)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(stop, runs.values()))


def collect_events(events: SegmentEvents, measured: Measured, timeout_s: float = 90) -> None:
    """Wait until every segment the recorder counted is announced, then take them all."""
    expected = sum(int(r.final.get("segments", 0)) for r in measured.cameras.values())
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and events.waiting() < expected:
        time.sleep(1)
    for key, body in events.drain():
        run = measured.cameras.get(body.get("camera_id", ""))
        if run is None or body.get("tenant_id") != TENANT:
            continue
        if key == "segment.completed":
            start = datetime.fromisoformat(body["start"])
            end = datetime.fromisoformat(body["end"])
            run.intervals.append((start, end))
            run.event_seconds += float(body["duration_s"])
        elif key == "segment.corrupt":
            run.corrupt += 1


def probe_files(root: Path, measured: Measured) -> None:
    files = sorted((root / TENANT).glob("*/**/*.mp4"))
    print(f"probing {len(files)} segment files on disk", file=sys.stderr)
    with ThreadPoolExecutor(2) as pool:
        probed = list(pool.map(probe_file, files))
    for path, (seconds, frames) in zip(files, probed, strict=True):
        run = measured.cameras.get(path.relative_to(root / TENANT).parts[0])
        if run is None:
            continue
        run.disk_files += 1
        run.disk_seconds += seconds
        # frames within the camera's window, pro rata where a file straddles its start
        # (the recorder dates a run's first segment from when it closed, which may be a
        # little before the camera reported 'recording')
        start = segment_start(path)
        inside = covered_seconds([(start, start + timedelta(seconds=seconds))], *run.window)
        run.disk_frames += round(frames * inside / seconds) if seconds > 0 else 0


def segment_start(path: Path) -> datetime:
    """The start in a segment's name: segment_20261125T082900.136Z.mp4."""
    stamp = path.stem.removeprefix("segment_").removesuffix("Z")
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)


def ffmpeg_version() -> str:
    result = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=False)
    return result.stdout.split("\n")[0]


def report_log(path: Path, window_started: datetime) -> None:
    """Warnings and errors the recorder logged, by kind, before and during the window."""
    kinds: dict[tuple[str, str], list[int]] = {}
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("level") not in ("warning", "error", "critical"):
            continue
        error = re.sub(r"cam-\d+|127\.0\.0\.1:\d+|\d+(\.\d+)?", "#", str(entry.get("error", "")))
        key = (str(entry.get("event", "")), error[:90])
        during = str(entry.get("timestamp", "")) >= window_started.isoformat()[:26]
        kinds.setdefault(key, [0, 0])[during] += 1
    print()
    print(f"recorder warnings and errors (log kept in {path.parent})")
    print(f"{'before':>7}{'during':>7}  event: error")
    for (event, error), (before, during) in sorted(kinds.items(), key=lambda kv: -sum(kv[1])):
        print(f"{before:>7}{during:>7}  {event}: {error}")
    if not kinds:
        print("      none")


def report(m: Measured, args: argparse.Namespace) -> bool:
    runs = list(m.cameras.values())
    n = len(runs)
    cores = psutil.cpu_count() or 1
    pct = 100 / m.window_s  # CPU seconds over the window -> % of one core

    print()
    print(
        f"recorder with {n} simulated cameras at {args.bitrate} kbit/s, "
        f"{args.segment_seconds} s segments, {m.window_s:.0f} s window, {cores} cores, "
        f"started {f'{args.ramp:g} per second' if args.ramp else 'all at once'}"
    )
    print(f"  {ffmpeg_version()}; started {runs[0].requested:%Y-%m-%d %H:%M} UTC")
    if not m.recorder_alive:
        print("  THE RECORDER EXITED DURING THE WINDOW")
    others_s = m.machine_busy_s - m.recorder.total_s - m.simulator_s - m.bench_s
    print(
        f"  machine: load average (1 min) min {min(m.loadavg, default=0):.2f} / median "
        f"{statistics.median(m.loadavg or [0]):.2f} / max {max(m.loadavg, default=0):.2f}; "
        f"CPU busy {m.machine_busy_s * pct / cores:.0f} % of {cores} cores, of which other "
        f"processes {others_s * pct:.0f} % of one core"
    )

    coverage = [r.coverage for r in runs]
    reached = sum(1 for c in coverage if c >= COVERAGE_TARGET)
    to_recording = [r.to_recording_s for r in runs if r.to_recording_s is not None]
    print()
    print("coverage per camera: recorded seconds (union of announced segments) from its first")
    print("'recording' to its stop request, divided by that wall time")
    print(
        f"  min {min(coverage):.3f} %   p5 {percentile(coverage, 5):.3f} %   "
        f"median {statistics.median(coverage):.3f} %   "
        f"cameras >= {COVERAGE_TARGET} %: {reached}/{n}"
    )
    print(
        f"  wall time per camera: median {statistics.median(r.wall_s for r in runs):.1f} s; "
        f"start request -> 'recording': median {statistics.median(to_recording or [0]):.2f} s, "
        f"max {max(to_recording, default=0):.2f} s ({len(to_recording)}/{n} recording)"
    )
    lost = [r.lost for r in runs]
    for label, index in (("between segments", 1), ("at the end (stop)", 2)):
        values = [x[index] for x in lost]
        print(
            f"  seconds lost {label:17}: median {statistics.median(values):.2f}, "
            f"max {max(values):.2f}, total {sum(values):.1f}"
        )
    by_stop = sorted(runs, key=lambda r: r.window[1])
    if len(by_stop) >= 32:
        first, last = by_stop[:16], by_stop[-16:]
        print(
            f"  lost at the end by stop order: first 16 stopped median "
            f"{statistics.median(r.lost[2] for r in first):.2f} s, last 16 median "
            f"{statistics.median(r.lost[2] for r in last):.2f} s "
            f"(stops took {(last[-1].window[1] - first[0].window[1]).total_seconds():.1f} s)"
        )
    completed = sum(len(r.intervals) for r in runs)
    restarts = sum(int(r.final.get("restarts", 0)) for r in runs)
    in_window = sum(r.restarts_in_window for r in runs)
    print(
        f"  segments announced {completed}, corrupt {sum(r.corrupt for r in runs)}; "
        f"restarts {restarts} ({in_window} during the window, on "
        f"{sum(1 for r in runs if r.restarts_in_window)} cameras); status polls seeing a "
        f"camera not recording {sum(r.not_recording_seen for r in runs)} (of {m.statuses_seen})"
    )
    if any(r.disk_files for r in runs):
        event_s = sum(r.event_seconds for r in runs)
        disk_s = sum(r.disk_seconds for r in runs)
        print(
            f"  files on disk {sum(r.disk_files for r in runs)}, ffprobe durations "
            f"{disk_s:.1f} s vs announced {event_s:.1f} s ({100 * disk_s / max(event_s, 1):.2f} %)"
        )
        # The simulator sends exactly `fps` frames a second: frames on disk / (fps x wall
        # time) counts what was really recorded, also where timestamps jump over a hole.
        fps = StreamSettings().fps
        frames = [100 * r.disk_frames / (fps * r.wall_s) for r in runs]
        print(
            f"  frames on disk in the window / ({fps} fps x wall time): min {min(frames):.3f} %, "
            f"p5 {percentile(frames, 5):.3f} %, median {statistics.median(frames):.3f} %; "
            f"cameras >= {COVERAGE_TARGET} %: {sum(1 for f in frames if f >= COVERAGE_TARGET)}/{n}"
        )
    holes = sorted(
        ((s, r.camera_id, at) for r in runs for at, s in gaps(r.intervals, *r.window)),
        reverse=True,
    )
    for seconds, camera_id, at in holes[:8]:
        print(f"  gap {seconds:6.2f} s  {camera_id} at {at:%H:%M:%S.%f}"[:-3])
    if len(holes) > 8:
        print(f"  ... {len(holes) - 8} more gaps of 0.5 s or more")

    u = m.recorder
    ffmpegs = u.long_lived("ffmpeg")
    threads = u.by_thread
    print()
    print(f"CPU, % of one core, from CPU time over the {m.window_s:.0f} s window")
    print(f"{'':44}{'total':>10}{'per camera':>12}")
    rows = [
        ("recorder, all included", u.total_s),
        ("  service (Python)", u.own_s),
        (f"  ffmpeg, {len(ffmpegs)} living through the window", sum(ffmpegs)),
        ("  short-lived children (ffprobe, restarts)", u.other_children_s),
        ("camera simulator (GStreamer)", m.simulator_s),
        ("this benchmark (sampling)", m.bench_s),
    ]
    for label, seconds in rows:
        print(f"{label:44}{seconds * pct:>10.2f}{seconds * pct / n:>12.3f}")
    if ffmpegs:
        print(
            f"  one ffmpeg: median {statistics.median(ffmpegs) * pct:.3f} %, "
            f"p95 {percentile(ffmpegs, 95) * pct:.3f} %, max {max(ffmpegs) * pct:.3f} %"
        )
    if threads:
        top = ", ".join(f"{t * pct:.2f}" for t in threads[:4])
        print(
            f"  service threads: {len(threads)}; median thread {statistics.median(threads) * pct:.3f} %"
            f" (x {n} camera threads = {statistics.median(threads) * pct * n:.2f} %); "
            f"busiest {top} %"
        )

    mem = m.memory.medians()
    per_camera_rss = mem["ffmpeg_rss"] + mem["service_rss"] / n
    per_camera_uss = mem["ffmpeg_uss"] + mem["service_uss"] / n
    print()
    print(f"memory, MiB, medians of {len(m.memory.service_rss)} samples")
    print("(RSS counts shared libraries in every process; USS is a process's own memory)")
    print(f"{'':44}{'RSS':>10}{'USS':>10}")
    print(f"{'recorder service (Python)':44}{mem['service_rss']:>10.1f}{mem['service_uss']:>10.1f}")
    print(f"{'one ffmpeg':44}{mem['ffmpeg_rss']:>10.1f}{mem['ffmpeg_uss']:>10.1f}")
    print(
        f"{'per camera, service share included':44}{per_camera_rss:>10.1f}{per_camera_uss:>10.1f}"
    )

    cpu_per_camera = u.total_s * pct / n
    coverage_ok = reached == n and m.recorder_alive
    cpu_ok = cpu_per_camera <= CPU_TARGET and m.recorder_alive
    print()
    print(
        f"{'PASS' if coverage_ok else 'FAIL'}  coverage >= {COVERAGE_TARGET} % on every camera: "
        f"{reached}/{n} (min {min(coverage):.3f} %)"
    )
    print(
        f"{'PASS' if cpu_ok else 'FAIL'}  recorder CPU <= {CPU_TARGET} % of one core per camera: "
        f"{cpu_per_camera:.3f} %"
    )
    return coverage_ok and cpu_ok


if __name__ == "__main__":
    sys.exit(main())
