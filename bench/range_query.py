"""Playback range queries on a table of 100 cameras x 30 days of 1-minute segments.

Creates the database `vms_bench` (dropped first), migrates it with the backend's
migrations, fills the Recording table with 4.32 million rows in one INSERT ... SELECT over
generate_series (interleaved by minute across cameras, as the recorder writes them; 0.1 %
corrupt, segments older than 7 days tiered to S3), VACUUM ANALYZE, then times the code the
API runs:

- `recordings_in_range` of the recording repository for 500 random 1-hour ranges of
  random cameras (p50/p95/p99), and for 50 random 24-hour ranges;
- the HLS VOD playlist of 50 random 24-hour ranges, built by the playback selector
  `playback_playlist` (query, signed segment links, m3u8 text).

    .venv/bin/python bench/range_query.py [--reuse] [--ranges 500] [--playlists 50]

`--reuse` keeps a filled database from an earlier run. The server is the one of
$DATABASE_URL (default postgres://postgres@127.0.0.1:5432), database `--database`.
Targets: 1-hour p95 <= 20 ms; 24-hour playlist p95 <= 100 ms. Exit status 0 when both pass.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

BACKEND = Path(__file__).resolve().parents[1] / "backend"
CAMERAS = 100
DAYS = 30
SEGMENT = timedelta(minutes=1)
TENANT_NAME = "bench-range-query"
HOUR_P95_TARGET_MS = 20.0
PLAYLIST_TARGET_MS = 100.0
SEED = 20261125


def server_url(database: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def recreate_database(name: str) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def django_setup(database: str) -> None:
    os.environ["DATABASE_URL"] = server_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")  # static files: not used
    sys.path.insert(0, str(BACKEND))
    import django

    django.setup()


# --- fill ---------------------------------------------------------------------------------

# Values for the Recording columns, as SQL over `g` (minute number), `c` (camera) and
# `s` (the segment's start). Columns the table lacks are left out; NOT NULL columns without
# a default that are not named here get a neutral value of their type (see `fallback`).
KNOWN_VALUES = {
    "tenant_id": "c.tenant_id",
    "camera_id": "c.id",
    "event_id": "md5(c.id::text || ':' || g::text)::uuid",
    "start": "s",
    "end": "s + interval '1 minute'",
    "duration_s": "60.0",
    "path": (
        "c.tenant_id::text || '/' || c.id::text || '/' "
        "|| to_char(s AT TIME ZONE 'UTC', 'YYYY/MM/DD/HH24') || '/segment_' "
        "|| to_char(s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS') || '.000Z.mp4'"
    ),
    "size_bytes": "3840000 + mod(g, 997) * 16",
    "init_size_bytes": "1187",
    "codec": "'h264'",
    "width": "640",
    "height": "360",
    "sha256": "md5(c.id::text || g::text) || md5(g::text || c.id::text)",
    "status": "CASE WHEN mod(g, 1000) = 999 THEN 'corrupt' ELSE 'ok' END",
    "status_reason": "CASE WHEN mod(g, 1000) = 999 THEN 'moov atom not found' ELSE '' END",
    "tier": "CASE WHEN s < %(tiered_before)s THEN 's3' ELSE 'local' END",
    "location": (
        "CASE WHEN s < %(tiered_before)s THEN 's3://vms-recordings/' || c.tenant_id::text "
        "|| '/' || c.id::text || '/' || to_char(s AT TIME ZONE 'UTC', 'YYYY/MM/DD/HH24') "
        "|| '/segment_' || to_char(s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS') "
        "|| '.000Z.mp4' ELSE '' END"
    ),
    "created_at": "s + interval '61 seconds'",
}


def fallback(data_type: str) -> str:
    if data_type in ("text", "character varying", "character"):
        return "''"
    if data_type in ("boolean",):
        return "false"
    if data_type.startswith("timestamp") or data_type == "date":
        return "s"
    if data_type == "uuid":
        return "md5(c.id::text || '/' || g::text)::uuid"
    if data_type in ("json", "jsonb"):
        return "'{}'"
    return "0"


def insert_statement(cursor: Any) -> tuple[str, list[str]]:
    """The INSERT ... SELECT for the migrated table, and the columns given neutral values."""
    cursor.execute(
        "SELECT column_name, data_type, is_nullable, column_default, is_identity "
        "FROM information_schema.columns WHERE table_name = 'playback_recording'"
    )
    columns: dict[str, str] = {}
    neutral = []
    for name, data_type, nullable, default, identity in cursor.fetchall():
        if name in KNOWN_VALUES:
            columns[name] = KNOWN_VALUES[name]
        elif nullable == "NO" and default is None and identity != "YES":
            columns[name] = fallback(data_type)
            neutral.append(name)
    names = ", ".join(f'"{n}"' for n in columns)
    values = ",\n       ".join(columns.values())
    sql = f"""
INSERT INTO playback_recording ({names})
SELECT {values}
FROM generate_series(0, %(minutes)s - 1) AS g
CROSS JOIN LATERAL (SELECT %(first)s::timestamptz + g * interval '1 minute' AS s) AS t
CROSS JOIN LATERAL (
    -- OFFSET 0 keeps the minutes outside: rows go in minute by minute, all cameras each
    SELECT id, tenant_id FROM cameras_camera WHERE tenant_id = %(tenant)s AND g >= 0 OFFSET 0
) AS c
"""
    return sql, neutral


def fill(cameras: int, days: int) -> dict[str, float]:
    from django.db import connection

    from apps.cameras.models import Camera
    from apps.usuarios.models import Tenant

    timings: dict[str, float] = {}
    started = time.perf_counter()
    tenant = Tenant.objects.create(name=TENANT_NAME)
    Camera.objects.bulk_create(
        [Camera(tenant=tenant, name=f"camera {n:03d}") for n in range(cameras)]
    )
    last = datetime.now(UTC).replace(second=0, microsecond=0)
    first = last - timedelta(days=days)
    with connection.cursor() as cursor:
        sql, neutral = insert_statement(cursor)
        if neutral:
            print(f"columns given neutral values: {', '.join(neutral)}", file=sys.stderr)
        # The rows are made consistent here; skipping the per-row foreign key triggers is
        # what a bulk load does (PostgreSQL superuser only).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        print(f"inserting {cameras * days * 1440:,} recordings ...", file=sys.stderr)
        cursor.execute(
            sql,
            {
                "minutes": days * 1440,
                "first": first,
                "tenant": tenant.id,
                "tiered_before": last - timedelta(days=7),
            },
        )
        cursor.execute("SET session_replication_role = origin")
        timings["insert"] = time.perf_counter() - started
        started = time.perf_counter()
        print("VACUUM ANALYZE ...", file=sys.stderr)
        cursor.execute("VACUUM (ANALYZE) playback_recording")
        timings["vacuum_analyze"] = time.perf_counter() - started
    return timings


# --- measure ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0..100) by the nearest-rank rule."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return 1000 * (time.perf_counter() - started), result


def range_function() -> tuple[str, Callable[[Any, datetime, datetime], list[Any]]]:
    """The recording repository's range query, else the older selector (forced to a list)."""
    try:
        from infrastructure.persistence.recording_repository import recordings_in_range
    except ImportError:
        from apps.playback import selectors

        def old(camera: Any, start: datetime, end: datetime) -> list[Any]:
            return list(selectors.recordings_in_range(camera=camera, start=start, end=end))

        return "apps.playback.selectors.recordings_in_range", old

    def repository(camera: Any, start: datetime, end: datetime) -> list[Any]:
        return recordings_in_range(
            camera_id=camera.id, tenant_id=camera.tenant_id, start=start, end=end
        )

    return "infrastructure.persistence.recording_repository.recordings_in_range", repository


def playlist_function() -> tuple[str, Callable[[Any, datetime, datetime], str]] | None:
    """The playback selector that builds a range's HLS playlist, or None if there is none."""
    try:
        from apps.playback.selectors import playback_playlist
    except ImportError:
        return None

    def build(camera: Any, start: datetime, end: datetime) -> str:
        return playback_playlist(camera=camera, start=start, end=end, user_id=1)

    return "apps.playback.selectors.playback_playlist", build


def random_ranges(
    rng: random.Random,
    cameras: list[Any],
    first: datetime,
    last: datetime,
    length: timedelta,
    n: int,
) -> list[tuple[Any, datetime, datetime]]:
    span_s = (last - first - length).total_seconds()
    out = []
    for _ in range(n):
        start = first + timedelta(seconds=rng.uniform(0, span_s))
        out.append((rng.choice(cameras), start, start + length))
    return out


def http_playlist(
    ranges: list[tuple[Any, datetime, datetime]],
) -> tuple[list[float], str]:
    """Time GET /api/playback/{camera}/playlist.m3u8 in process (DRF test client, the user's
    authentication forced, so the JWT check is not counted); the answers' status codes."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    camera = ranges[0][0]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-range-query", defaults={"tenant_id": camera.tenant_id}
    )
    client = APIClient()
    client.force_authenticate(user)
    times, statuses = [], set()
    for camera, start, end in ranges:
        url = f"/api/playback/{camera.id}/playlist.m3u8"
        query = {"start": start.isoformat(), "end": end.isoformat()}
        ms, response = timed(lambda u=url, q=query: client.get(u, q, HTTP_HOST="127.0.0.1"))
        times.append(ms)
        statuses.add(response.status_code)
    return times, ",".join(map(str, sorted(statuses)))


def explain(call: Callable[[], Any]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the one query `call` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def summary(label: str, values: list[float]) -> str:
    return (
        f"{label}: p50 {percentile(values, 50):.2f} ms   p95 {percentile(values, 95):.2f} ms"
        f"   p99 {percentile(values, 99):.2f} ms   max {max(values):.2f} ms   (n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="vms_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the filled database")
    parser.add_argument("--ranges", type=int, default=500, help="1-hour ranges to time")
    parser.add_argument("--playlists", type=int, default=50, help="24-hour playlists to time")
    parser.add_argument("--cameras", type=int, default=CAMERAS, help="cameras to fill")
    parser.add_argument("--days", type=int, default=DAYS, help="days of segments to fill")
    args = parser.parse_args()

    fill_timings: dict[str, float] = {}
    started = time.perf_counter()
    if not args.reuse:
        recreate_database(args.database)
    django_setup(args.database)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from apps.cameras.models import Camera
    from apps.playback.models import Recording

    if not args.reuse:
        call_command("migrate", verbosity=0, interactive=False)
        fill_timings["create_and_migrate"] = time.perf_counter() - started
        fill_timings.update(fill(args.cameras, args.days))

    cameras = list(Camera.objects.filter(tenant__name=TENANT_NAME))
    if not cameras:
        print(f"no cameras of {TENANT_NAME!r} in {args.database}: run without --reuse")
        return 2
    span = Recording.objects.filter(camera__in=cameras).aggregate(
        first=Min("start"), last=Max("end")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('playback_recording'), version() "
            "FROM playback_recording"
        )
        rows, size, version = cursor.fetchone()

    days_filled = round((span["last"] - span["first"]) / timedelta(days=1))
    rng = random.Random(SEED)
    range_name, in_range = range_function()
    hours = random_ranges(
        rng, cameras, span["first"], span["last"], timedelta(hours=1), args.ranges
    )
    days = random_ranges(
        rng, cameras, span["first"], span["last"], timedelta(hours=24), args.playlists
    )
    load_before = os.getloadavg()
    for camera, start, end in hours[:20]:  # warm the connection and the caches
        in_range(camera, start, end)
    hour_ms, hour_rows = [], []
    for camera, start, end in hours:
        ms, result = timed(lambda c=camera, s=start, e=end: in_range(c, s, e))
        hour_ms.append(ms)
        hour_rows.append(len(result))
    day_ms = [timed(lambda c=c, s=s, e=e: in_range(c, s, e))[0] for c, s, e in days]
    builder = playlist_function()
    playlist_ms: list[float] = []
    playlist_segments: list[int] = []
    if builder is not None:
        playlist_name, build = builder
        build(*days[0])
        for camera, start, end in days:
            ms, text = timed(lambda c=camera, s=start, e=end: build(c, s, e))
            playlist_ms.append(ms)
            playlist_segments.append(text.count("#EXTINF"))
    http_ms, http_status = http_playlist(days[: args.playlists])
    plan = explain(lambda: in_range(*hours[0]))
    load_after = os.getloadavg()

    print()
    print(f"range queries on {rows:,} recordings ({len(cameras)} cameras x {days_filled} days of")
    print(f"1-minute segments), {size / 2**30:.2f} GiB with indexes; {version.split(',')[0]}")
    if fill_timings:
        parts = ", ".join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in fill_timings.items())
        print(f"fill: {parts}; total {sum(fill_timings.values()):.1f} s")
    else:
        print("fill: skipped (--reuse)")
    print(
        f"load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after the "
        f"measurements, on {os.cpu_count()} cores"
    )
    print()
    print(f"range query: {range_name}")
    print("  " + summary("1-hour ranges ", hour_ms))
    print(f"  rows per 1-hour range: median {statistics.median(hour_rows):.0f}")
    print("  " + summary("24-hour ranges", day_ms))
    print("  plan of one 1-hour range:")
    for line in plan:
        print(f"    {line}")
    if builder is None:
        print("24-hour HLS playlist: playlist builder not found (apps.playback.selectors)")
    else:
        print(f"24-hour HLS playlist: {playlist_name}")
        print("  " + summary("24-hour playlists", playlist_ms))
        print(f"  segments per playlist: median {statistics.median(playlist_segments):.0f}")
    print("24-hour playlist over HTTP: GET /api/playback/{camera}/playlist.m3u8 in process")
    print(f"  (DRF test client, authentication forced; HTTP status {http_status})")
    print("  " + summary("24-hour requests", http_ms))

    hour_ok = percentile(hour_ms, 95) <= HOUR_P95_TARGET_MS
    playlist_ok = bool(playlist_ms) and percentile(playlist_ms, 95) <= PLAYLIST_TARGET_MS
    print()
    print(
        f"{'PASS' if hour_ok else 'FAIL'}  1-hour range p95 <= {HOUR_P95_TARGET_MS:.0f} ms: "
        f"{percentile(hour_ms, 95):.2f} ms"
    )
    if playlist_ms:
        print(
            f"{'PASS' if playlist_ok else 'FAIL'}  24-hour playlist p95 <= "
            f"{PLAYLIST_TARGET_MS:.0f} ms: {percentile(playlist_ms, 95):.2f} ms"
        )
    else:
        print(f"FAIL  24-hour playlist <= {PLAYLIST_TARGET_MS:.0f} ms: playlist builder not found")
    return 0 if hour_ok and playlist_ok else 1


if __name__ == "__main__":
    sys.exit(main())
