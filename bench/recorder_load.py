"""CPU and memory of the recorder per camera.

Starts the camera simulator with N cameras (default 12), the recorder service as its own
process, records every camera for a while and samples the recorder process and its ffmpeg
children with psutil once a second. Prints medians per camera and in total.

    .venv/bin/python bench/recorder_load.py [--cameras 12] [--seconds 60]
"""

import argparse
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

from camsim.control import CameraSimulator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from stack import Stack, StackConfig

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/vms_test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    paths = [f"bench/camera/cam-{n}" for n in range(args.cameras)]

    with tempfile.TemporaryDirectory() as work, CameraSimulator(paths) as simulator:
        config = StackConfig(
            database_url="",
            rabbitmq_url=RABBITMQ_URL,
            recordings_root=Path(work) / "recordings",
            log_dir=Path(work) / "log",
            relay_rtsp_base=f"rtsp://127.0.0.1:{simulator.rtsp_port}",
            recorder_token=secrets.token_urlsafe(24),
            recorder_port=18003,
            segment_seconds=60,
        )
        stack = Stack(config)
        stack.start_recorder()
        try:
            for path in paths:
                stack.record("bench", path.rsplit("/", 1)[-1])
            time.sleep(5)  # let every ffmpeg connect
            samples = sample(stack.processes["recorder"].pid, args.seconds)
        finally:
            stack.stop()
    report(samples, args.cameras, args.seconds)


def sample(pid: int, seconds: int) -> dict[str, list[float]]:
    service = psutil.Process(pid)
    series: dict[str, list[float]] = defaultdict(list)
    children = {c.pid: c for c in service.children(recursive=True)}

    def cpu_seconds(proc: psutil.Process) -> float:
        times = proc.cpu_times()
        return float(times.user + times.system)

    started = time.monotonic()
    cpu_before = {p.pid: cpu_seconds(p) for p in [service, *children.values()]}
    for _ in range(seconds):
        time.sleep(1)
        ffmpegs = [c for c in children.values() if c.is_running()]
        series["ffmpeg_rss"].append(
            sum(c.memory_info().rss for c in ffmpegs) / max(len(ffmpegs), 1) / 2**20
        )
        series["ffmpeg_uss"].append(
            sum(c.memory_full_info().uss for c in ffmpegs) / max(len(ffmpegs), 1) / 2**20
        )
        series["py_rss"].append(service.memory_info().rss / 2**20)
        series["py_uss"].append(service.memory_full_info().uss / 2**20)
    elapsed = time.monotonic() - started
    used = {p.pid: cpu_seconds(p) - cpu_before[p.pid] for p in [service, *children.values()]}
    ffmpeg_used = [used[pid] for pid in children]
    series["ffmpeg_cpu"] = [100 * sum(ffmpeg_used) / len(ffmpeg_used) / elapsed]
    series["py_cpu"] = [100 * used[service.pid] / elapsed]
    return series


def report(samples: dict[str, list[float]], cameras: int, seconds: int) -> None:
    m = {k: statistics.median(v) for k, v in samples.items()}
    ffmpeg_version = subprocess.run(
        ["ffmpeg", "-version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    print(f"recorder with {cameras} simulated cameras, {seconds} s sampled ({ffmpeg_version})")
    print("CPU: mean over the window from CPU time; memory: medians of 1 s samples")
    print("RSS counts shared libraries in every process, USS only the process's own memory")
    print(f"{'':28}{'CPU % of one core':>20}{'RSS MiB':>10}{'USS MiB':>10}")
    for label, key in [("per camera (its ffmpeg)", "ffmpeg"), ("recorder service (Python)", "py")]:
        print(f"{label:28}{m[key + '_cpu']:>20.2f}{m[key + '_rss']:>10.1f}{m[key + '_uss']:>10.1f}")
    total = {k: m["ffmpeg_" + k] * cameras + m["py_" + k] for k in ("cpu", "rss", "uss")}
    print(f"{'total':28}{total['cpu']:>20.2f}{total['rss']:>10.1f}{total['uss']:>10.1f}")
    print(
        f"{'per camera, all included':28}{total['cpu'] / cameras:>20.2f}"
        f"{total['rss'] / cameras:>10.1f}{total['uss'] / cameras:>10.1f}"
    )


if __name__ == "__main__":
    main()
