"""Load of the camera simulator with 1, 12 and 100 cameras.

For each size the simulator serves N cameras and K = min(N, 12) ffmpeg readers copy one
camera each (`ffmpeg -rtsp_transport tcp -i URL -c copy -f null -`). The simulator process's
CPU (percent of one core) and RSS are sampled once a second for 15 s; the table shows medians
and the frame rate each reader actually received.

Run: `.venv/bin/python bench/camsim_load.py` (about one minute).
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from camsim.control import CameraSimulator

SIZES = (1, 12, 100)
MAX_READERS = 12
WARMUP_S = 6.0  # ffmpeg probes the stream for ~3 s before it counts frames
SAMPLE_S = 15
READER_STOP_TIMEOUT_S = 10
READER = [
    "ffmpeg",
    "-nostdin",
    "-v",
    "error",
    "-stats_period",
    "0.2",
    "-rtsp_transport",
    "tcp",
    "-timeout",
    "5000000",
]


@dataclass(frozen=True)
class Result:
    cameras: int
    readers: int
    cpu_median: float
    cpu_max: float
    rss_median_mib: float
    reader_fps: float
    readers_alive: int


def start_reader(url: str, progress: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*READER, "-i", url, "-c", "copy", "-f", "null", "-progress", str(progress), "-"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def frames_received(progress: Path) -> int:
    text = progress.read_text() if progress.exists() else ""
    counts = re.findall(r"^frame=(\d+)$", text, flags=re.MULTILINE)
    return int(counts[-1]) if counts else 0


def stop_all(readers: list[subprocess.Popen[bytes]]) -> None:
    for reader in readers:
        if reader.poll() is None:
            reader.terminate()
    for reader in readers:
        try:
            reader.wait(timeout=READER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.wait(timeout=READER_STOP_TIMEOUT_S)


def measure(cameras: int, work: Path) -> Result:
    paths = [f"bench/camera/cam-{index:03d}" for index in range(cameras)]
    with CameraSimulator(paths) as simulator:
        assert simulator.pid is not None
        process = psutil.Process(simulator.pid)
        readers: list[subprocess.Popen[bytes]] = []
        progress_files: list[Path] = []
        try:
            for index, path in enumerate(paths[:MAX_READERS]):
                progress = work / f"progress-{cameras}-{index}.txt"
                progress_files.append(progress)
                readers.append(start_reader(simulator.url(path), progress))
            time.sleep(WARMUP_S)
            frames_before = [frames_received(file) for file in progress_files]
            process.cpu_percent(None)
            cpu: list[float] = []
            rss: list[float] = []
            started = time.monotonic()
            for _ in range(SAMPLE_S):
                time.sleep(1)
                cpu.append(process.cpu_percent(None))
                rss.append(process.memory_info().rss / 2**20)
            elapsed = time.monotonic() - started
            frames_after = [frames_received(file) for file in progress_files]
            alive = sum(1 for reader in readers if reader.poll() is None)
        finally:
            stop_all(readers)
    rates = [(b - a) / elapsed for a, b in zip(frames_before, frames_after, strict=True)]
    return Result(
        cameras=cameras,
        readers=len(readers),
        cpu_median=statistics.median(cpu),
        cpu_max=max(cpu),
        rss_median_mib=statistics.median(rss),
        reader_fps=statistics.median(rates),
        readers_alive=alive,
    )


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="camsim-bench-") as work:
        for cameras in SIZES:
            print(f"measuring {cameras} camera(s) ...", file=sys.stderr, flush=True)
            results.append(measure(cameras, Path(work)))
    print(
        f"{'cameras':>7} {'readers':>7} {'cpu% med':>8} {'cpu% max':>8} "
        f"{'rss MiB':>7} {'fps/reader':>10} {'alive':>5}"
    )
    for r in results:
        print(
            f"{r.cameras:>7} {r.readers:>7} {r.cpu_median:>8.1f} {r.cpu_max:>8.1f} "
            f"{r.rss_median_mib:>7.1f} {r.reader_fps:>10.1f} {r.readers_alive:>5}"
        )
    print(f"cpu% is of one core ({psutil.cpu_count()} cores), sampled 1/s over {SAMPLE_S} s.")
    return 0 if all(r.readers_alive == r.readers for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
