"""Where the recorder's CPU goes: one ffmpeg per camera, and the Python loop watching it.

1. ffmpeg: runs `--cameras` copies of the recorder's own ffmpeg command line (from
   `recorder.ffmpeg_recorder.ffmpeg_command`) against the camera simulator, in variants
   that change one option each, and prints the median CPU of one ffmpeg per variant.
2. The watch loop: `--threads` Python threads each doing what a camera's supervising thread
   does every poll (is ffmpeg alive, new lines in the segment list, the newest segment's
   size) against the work folders of running ffmpegs, at the recorder's poll period and at
   slower ones; prints the CPU of those threads as % of one core.

    .venv/bin/python bench/recorder_profile.py [--cameras 10] [--seconds 40] [--threads 100]

CPU is from CPU time over the window, % of one core. Talks only to 127.0.0.1.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from camsim.config import StreamSettings
from camsim.control import CameraSimulator
from recorder import ffmpeg_recorder
from recorder.segment_list import SegmentListReader
from recorder.supervision import StallDetector

WARMUP_S = 8.0


def _swap(old: str, new: str) -> Callable[[list[str]], list[str]]:
    return lambda command: [new if arg == old else arg for arg in command]


_OPTIONS = ffmpeg_recorder.MP4_OPTIONS
# The recorder's command and variants that each change one thing.
VARIANTS: dict[str, Callable[[list[str]], list[str]]] = {
    "as the recorder runs it": list,
    "-loglevel error": _swap("warning", "error"),
    "without flush_packets=1": _swap(_OPTIONS, _OPTIONS.replace(":flush_packets=1", "")),
    "without frag_duration, flush_packets": _swap(_OPTIONS, _OPTIONS.split(":frag_duration")[0]),
}


def ffmpeg_cpu(command: list[str], seconds: float) -> list[float]:
    """CPU % of one core of each of the given ffmpeg processes over `seconds`."""
    processes = [
        subprocess.Popen(c, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=e)
        for c, e in command
    ]
    try:
        time.sleep(WARMUP_S)
        handles = [psutil.Process(p.pid) for p in processes]
        before = [sum(h.cpu_times()[:2]) for h in handles]
        started = time.monotonic()
        time.sleep(seconds)
        after = [sum(h.cpu_times()[:2]) for h in handles]
        elapsed = time.monotonic() - started
        alive = [p.poll() is None for p in processes]
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=15)
    if not all(alive):
        print(f"  warning: {alive.count(False)} ffmpeg exited early", file=sys.stderr)
    return [100 * (b - a) / elapsed for a, b in zip(before, after, strict=True)]


def watch_loop_cpu(
    work_dirs: list[Path],
    processes: list[subprocess.Popen[bytes]],
    threads: int,
    poll_s: float,
    seconds: float,
) -> float:
    """CPU % of one core used by `threads` threads watching ffmpeg runs every `poll_s`."""
    stop = threading.Event()
    progress: Callable[[Path], object] = ffmpeg_recorder._progress

    def watch(n: int) -> None:
        work_dir = work_dirs[n % len(work_dirs)]
        process = processes[n % len(processes)]
        reader = SegmentListReader(work_dir / ffmpeg_recorder.LIST_NAME)
        stall = StallDetector(10.0)
        while not stop.is_set() and process.poll() is None:
            (work_dir / "000000.mp4").exists()
            reader.new_entries()
            stall.observe(progress(work_dir))
            stall.stalled()
            time.sleep(poll_s)

    workers = [threading.Thread(target=watch, args=(n,), daemon=True) for n in range(threads)]
    me = psutil.Process()
    before = sum(me.cpu_times()[:2])
    started = time.monotonic()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return 100 * (sum(me.cpu_times()[:2]) - before) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--bitrate", type=int, default=512)
    args = parser.parse_args()
    paths = [f"bench/camera/profile-{n:02d}" for n in range(args.cameras)]
    stream = StreamSettings(bitrate_kbps=args.bitrate)
    results: dict[str, list[float]] = {}
    loop: dict[float, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="recorder-profile-") as work,
        CameraSimulator(paths, stream=stream) as simulator,
    ):
        for index, (name, variant) in enumerate(VARIANTS.items()):
            dirs = [Path(work) / f"v{index}" / f"c{n}" for n in range(args.cameras)]
            logs = []
            commands = []
            for path, work_dir in zip(paths, dirs, strict=True):
                work_dir.mkdir(parents=True)
                base = ffmpeg_recorder.ffmpeg_command(
                    "ffmpeg", simulator.url(path), work_dir, 60, 5.0
                )
                logs.append((work_dir / "ffmpeg.log").open("wb"))
                commands.append((variant(base), logs[-1]))
            print(f"ffmpeg x {args.cameras}: {name}", file=sys.stderr)
            results[name] = ffmpeg_cpu(commands, args.seconds)
            for log in logs:
                log.close()
        # the watch loop, against ffmpegs recording for real
        dirs = [Path(work) / "loop" / f"c{n}" for n in range(args.cameras)]
        processes = []
        for path, work_dir in zip(paths, dirs, strict=True):
            work_dir.mkdir(parents=True)
            command = ffmpeg_recorder.ffmpeg_command(
                "ffmpeg", simulator.url(path), work_dir, 60, 5.0
            )
            processes.append(
                subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        try:
            time.sleep(WARMUP_S)
            for poll_s in sorted({0.25, 0.5, 1.0, ffmpeg_recorder.POLL_S}):
                print(f"watch loop x {args.threads} at {poll_s} s", file=sys.stderr)
                loop[poll_s] = watch_loop_cpu(
                    dirs, processes, args.threads, poll_s, min(args.seconds, 30.0)
                )
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(timeout=15)

    print()
    print(
        f"one ffmpeg per camera, {args.cameras} at once, {args.bitrate} kbit/s, "
        f"{args.seconds:.0f} s; CPU % of one core; load average {psutil.getloadavg()[0]:.2f}"
    )
    print(f"{'variant':36}{'median':>10}{'max':>10}")
    for name, values in results.items():
        print(f"{name:36}{statistics.median(values):>10.3f}{max(values):>10.3f}")
    print()
    print(f"the watch loop of {args.threads} cameras (threads) in one Python process")
    print(f"{'poll period':36}{'CPU % total':>12}{'per camera':>12}")
    for poll_s, cpu in loop.items():
        print(f"{f'{poll_s} s':36}{cpu:>12.2f}{cpu / args.threads:>12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
