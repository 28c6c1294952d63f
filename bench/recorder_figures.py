"""Figures for the recorder benchmark: coverage of recorded time, CPU time and memory.

Plain helpers, no I/O but psutil and ffprobe: `recorder_load.py` drives the services and
prints what these compute.
"""

import json
import math
import statistics
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil

# --- coverage -----------------------------------------------------------------------------


def covered_seconds(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> float:
    """Seconds of `[start, end]` covered by the union of `intervals` (overlaps count once)."""
    covered = 0.0
    until = start
    for a, b in sorted(intervals):
        a, b = max(a, until), min(b, end)
        if b > a:
            covered += (b - a).total_seconds()
            until = b
    return covered


def gaps(
    intervals: Iterable[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    min_s: float = 0.5,
) -> list[tuple[datetime, float]]:
    """The holes of at least `min_s` seconds in `[start, end]`: (where, how long)."""
    holes = []
    until = start
    for a, b in sorted(intervals):
        if a >= end:
            break
        if (a - until).total_seconds() >= min_s:
            holes.append((until, (a - until).total_seconds()))
        until = max(until, b)
    if (end - until).total_seconds() >= min_s:
        holes.append((until, (end - until).total_seconds()))
    return holes


def lost_seconds(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> tuple[float, float, float]:
    """Seconds of `[start, end]` not covered: before the first segment, between segments,
    and after the last one (at the end of the window)."""
    ordered = sorted((a, b) for a, b in intervals if b > start and a < end)
    if not ordered:
        return 0.0, 0.0, (end - start).total_seconds()
    lead = max(0.0, (ordered[0][0] - start).total_seconds())
    last = max(b for _, b in ordered)
    tail = max(0.0, (end - last).total_seconds())
    total = (end - start).total_seconds() - covered_seconds(ordered, start, end)
    return lead, max(0.0, total - lead - tail), tail


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0..100) by the nearest-rank rule; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def probe_file(path: Path) -> tuple[float, int]:
    """Duration and number of video frames ffprobe reads in a segment file ((0, 0) if none)."""
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_packets",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_packets:format=duration",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    try:
        data = json.loads(result.stdout)
        return float(data["format"]["duration"]), int(data["streams"][0]["nb_read_packets"])
    except (ValueError, KeyError, IndexError, TypeError):
        return 0.0, 0


# --- CPU ----------------------------------------------------------------------------------


def _cpu(times: "psutil._common.pcputimes") -> float:
    return float(times.user + times.system)


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far by a process tree, taken at one moment."""

    own: float
    reaped_children: float
    live_children: dict[int, tuple[str, float]]
    threads: dict[int, float]

    @property
    def total(self) -> float:
        return self.own + self.reaped_children + sum(c for _, c in self.live_children.values())


def cpu_snapshot(process: psutil.Process) -> CpuSnapshot:
    """The process's own CPU time, its reaped children's, each live child's and each thread's.

    Children that exited and were waited for (ffprobe, an ffmpeg that was restarted) count in
    the kernel's `children_user/system` of their parent, so nothing is lost between samples.
    """
    live: dict[int, tuple[str, float]] = {}
    for child in process.children(recursive=True):
        try:
            live[child.pid] = (child.name(), _cpu(child.cpu_times()))
        except psutil.Error:
            continue
    times = process.cpu_times()
    threads = {t.id: float(t.user_time + t.system_time) for t in process.threads()}
    return CpuSnapshot(
        own=_cpu(times),
        reaped_children=float(times.children_user + times.children_system),
        live_children=live,
        threads=threads,
    )


@dataclass(frozen=True)
class CpuUse:
    """What a process tree used between two snapshots, in CPU seconds."""

    total_s: float
    own_s: float
    by_child: dict[int, float]
    names: dict[int, str]
    by_thread: list[float]

    def long_lived(self, name: str) -> list[float]:
        """CPU seconds of each child called `name` that lived through the whole window."""
        return [s for pid, s in self.by_child.items() if self.names[pid] == name]

    @property
    def other_children_s(self) -> float:
        """Children that started or ended inside the window (ffprobe, restarted ffmpeg)."""
        return self.total_s - self.own_s - sum(self.by_child.values())


def cpu_use(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    both = before.live_children.keys() & after.live_children.keys()
    return CpuUse(
        total_s=after.total - before.total,
        own_s=after.own - before.own,
        by_child={p: after.live_children[p][1] - before.live_children[p][1] for p in both},
        names={p: after.live_children[p][0] for p in both},
        by_thread=sorted(
            (after.threads[t] - before.threads[t] for t in before.threads.keys() & after.threads),
            reverse=True,
        ),
    )


# --- memory -------------------------------------------------------------------------------


@dataclass
class MemorySeries:
    """Medians over samples of the service's memory and of its ffmpeg children (MiB)."""

    service_rss: list[float] = field(default_factory=list)
    service_uss: list[float] = field(default_factory=list)
    ffmpeg_rss: list[float] = field(default_factory=list)
    ffmpeg_uss: list[float] = field(default_factory=list)
    ffmpeg_count: list[int] = field(default_factory=list)

    def sample(self, process: psutil.Process, child_name: str = "ffmpeg") -> None:
        info = process.memory_full_info()
        self.service_rss.append(info.rss / 2**20)
        self.service_uss.append(info.uss / 2**20)
        rss, uss = [], []
        for child in process.children(recursive=True):
            try:
                if child.name() != child_name:
                    continue
                child_info = child.memory_full_info()
            except psutil.Error:
                continue
            rss.append(child_info.rss / 2**20)
            uss.append(child_info.uss / 2**20)
        if rss:
            self.ffmpeg_rss.append(statistics.median(rss))
            self.ffmpeg_uss.append(statistics.median(uss))
        self.ffmpeg_count.append(len(rss))

    def medians(self) -> dict[str, float]:
        def med(values: list[float]) -> float:
            return statistics.median(values) if values else math.nan

        return {
            "service_rss": med(self.service_rss),
            "service_uss": med(self.service_uss),
            "ffmpeg_rss": med(self.ffmpeg_rss),
            "ffmpeg_uss": med(self.ffmpeg_uss),
            "ffmpeg_count": med([float(n) for n in self.ffmpeg_count]),
        }
