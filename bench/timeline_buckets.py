"""The timeline's coverage buckets for a week of one-minute segments (10,080 segments into
1,008 ten-minute buckets), the work behind `GET /api/playback/{camera}/timeline` for a week.

    .venv/bin/python bench/timeline_buckets.py [--runs 21]

Prints the median and the slowest run. Target: median <= 250 ms. Exit status 0 when met.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from domain.playback.recording import Segment, SegmentStatus
from domain.playback.timeline import coverage_buckets

TARGET_S = 0.25
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    week = [
        Segment(
            T0 + timedelta(seconds=n * 60), T0 + timedelta(seconds=n * 60 + 59.5), SegmentStatus.OK
        )
        for n in range(7 * 1440)
    ]
    end, now = T0 + timedelta(days=7), T0 + timedelta(days=30)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        buckets = coverage_buckets(week, start=T0, end=end, bucket_s=600, now=now)
        times.append(time.perf_counter() - started)
    assert len(buckets) == 1008
    median = statistics.median(times)
    verdict = "PASS" if median <= TARGET_S else "FAIL"
    print(
        f"a week of 1-minute segments into 10-minute buckets, {runs} runs: "
        f"median {median * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms "
        f"({verdict}: median <= {TARGET_S * 1000:.0f} ms)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
