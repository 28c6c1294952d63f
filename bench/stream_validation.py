"""Throughput of MediaMTX's auth callback, `POST /api/auth/validate-stream`.

MediaMTX calls it for every reader, so it must keep up with bursts of viewers. Uses the
database `--database` (created and migrated when missing) and the Redis of `--redis-url`
(the revocation list), makes a fresh tenant with a camera, issues a stream token for it and
revokes a second one, and starts the backend as `scripts/stack.py` does
(`uvicorn config.asgi:application`, "django"), and the same application behind the
validation fast path of `apps/streams/asgi.py` ("fast": Django's ASGI handler costs a thread
and a few milliseconds of CPU per request), each with `--workers 1` and `--workers 2`.
Against each, `--clients` concurrent keep-alive HTTP/1.1 connections (a minimal asyncio
client in this process: it costs far less CPU than httpx, and the client and the server share
the machine's cores) send MediaMTX's JSON for `--seconds` seconds after a warm-up; every
answer must be 200. Before the run the revoked token and a token for another path are
checked to be refused (401). Prints the achieved rate, p50/p95/p99/max latency, the server's
CPU and the load average; then the in-process validation (`stream_access_validate`, with
its Redis GET) alone in a loop, for reference.

PASS: at least 1,000 validations/s, with Redis's revocation check, on one of the worker
counts (each one's verdict is printed), and no answer other than 200.

    .venv/bin/python bench/stream_validation.py [--seconds 15] [--clients 32]
        [--workers 1 2] [--apps django fast] [--database vms_bench] [--redis-url redis://127.0.0.1:6379/3]

Logs of the backend are kept under `.var/log/bench/`.
"""

import argparse
import asyncio
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from event_throughput import (
    BACKEND,
    DEFAULT_RABBITMQ_URL,
    DEFAULT_REDIS_URL,
    VENV_BIN,
    Interrupted,
    Process,
    bench_camera,
    django_setup,
    ensure_database,
    install_signal_handlers,
    percentile,
    service_env,
)

TARGET_RATE = 1000.0
PATH = "/api/auth/validate-stream"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# What uvicorn serves: the backend as `scripts/stack.py` starts it, and the same application
# behind the validation fast path (apps/streams/asgi.py).
APPS = {
    "django": ["config.asgi:application"],
    "fast": ["--factory", "apps.streams.asgi:application_with_stream_validation"],
}


def start_backend(env: dict[str, str], port: int, app: str, workers: int) -> Process:
    return Process(
        f"backend-validate-{app}-w{workers}",
        [
            str(VENV_BIN / "uvicorn"),
            *APPS[app],
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        BACKEND,
        env,
    )


def post(port: int, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_serving(port: int, backend: Process, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        backend.check_alive()
        try:
            post(port, {})
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"the backend does not answer after {timeout_s} s:\n{backend.log_tail()}")


# --- the load: keep-alive HTTP/1.1 connections -------------------------------------------------
def raw_request(port: int, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


@dataclass
class LoadResult:
    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    warmup_answers: int = 0
    wall_s: float = 0.0


async def one_client(
    port: int, request: bytes, start_at: float, stop_at: float, result: LoadResult
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            sent = time.perf_counter()
            if sent >= stop_at:
                return
            writer.write(request)
            try:
                status = await read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            if sent >= start_at:
                result.latencies_s.append(time.perf_counter() - sent)
                result.statuses[status] = result.statuses.get(status, 0) + 1
            else:  # the warm-up: counted apart, only for the CPU per answer
                result.warmup_answers += 1
    finally:
        writer.close()


async def load(
    port: int, request: bytes, clients: int, warmup_s: float, seconds: float
) -> LoadResult:
    result = LoadResult()
    start_at = time.perf_counter() + warmup_s
    stop_at = start_at + seconds
    await asyncio.gather(
        *(one_client(port, request, start_at, stop_at, result) for _ in range(clients))
    )
    result.wall_s = seconds
    return result


# --- the run -----------------------------------------------------------------------------------
@dataclass
class BenchTokens:
    body: dict[str, Any]
    revoked_body: dict[str, Any]
    wrong_path_body: dict[str, Any]


def bench_tokens() -> BenchTokens:
    from infrastructure.auth import blacklist
    from infrastructure.auth.jwt_service import stream_path, stream_token_issue

    camera = bench_camera("stream validation")
    issued = stream_token_issue(
        user_id="bench",
        tenant_id=camera.tenant_id,
        camera_id=camera.camera_id,
        permissions=["read"],
    )
    revoked = stream_token_issue(
        user_id="bench",
        tenant_id=camera.tenant_id,
        camera_id=camera.camera_id,
        permissions=["read"],
    )
    blacklist.revoke(revoked.claims.jti, revoked.claims.expires_at)
    body = {
        "user": "",
        "password": "",
        "token": "",
        "ip": "192.0.2.10",
        "action": "read",
        "path": stream_path(camera.tenant_id, camera.camera_id),
        "protocol": "hls",
        "id": "",
        # A browser's HLS request: the token arrives only inside the query.
        "query": f"token={issued.token}",
    }
    return BenchTokens(
        body=body,
        revoked_body={**body, "query": f"token={revoked.token}"},
        wrong_path_body={**body, "path": f"{camera.tenant_id}/camera/{camera.tenant_id}"},
    )


def in_process(body: dict[str, Any], count: int) -> tuple[float, list[float]]:
    from apps.streams.services import stream_access_validate, stream_auth_request_parse

    request = stream_auth_request_parse(body)
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        before = time.perf_counter()
        stream_access_validate(request)
        latencies.append(time.perf_counter() - before)
    return count / (time.perf_counter() - started), latencies


def ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.2f}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--apps", nargs="+", choices=sorted(APPS), default=["django", "fast"])
    parser.add_argument("--loop", type=int, default=20000, help="in-process validations")
    parser.add_argument("--database", default="vms_bench")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    install_signal_handlers()
    database_url = ensure_database(args.database)
    django_setup(database_url, DEFAULT_RABBITMQ_URL, args.redis_url)
    tokens = bench_tokens()
    env = {**service_env(database_url, DEFAULT_RABBITMQ_URL, args.redis_url, "WARNING")}

    verdicts: list[tuple[str, bool]] = []
    runs = [(app, workers) for app in args.apps for workers in args.workers]
    try:
        for app, workers in runs:
            port = free_port()
            backend = start_backend(env, port, app, workers)
            try:
                wait_serving(port, backend)
                checks = {
                    "valid": post(port, tokens.body),
                    "revoked": post(port, tokens.revoked_body),
                    "another path": post(port, tokens.wrong_path_body),
                }
                if checks != {"valid": 200, "revoked": 401, "another path": 401}:
                    raise SystemExit(f"the backend answers wrongly: {checks}")
                cpu_before = backend.cpu_seconds()
                load_before = os.getloadavg()
                result = asyncio.run(
                    load(
                        port,
                        raw_request(port, tokens.body),
                        args.clients,
                        args.warmup,
                        args.seconds,
                    )
                )
                cpu = backend.cpu_seconds() - cpu_before
                load_after = os.getloadavg()
            finally:
                backend.stop()
            done = len(result.latencies_s)
            rate = done / result.wall_s
            ok = result.statuses.get(200, 0) == done and result.errors == 0
            passed = ok and rate >= TARGET_RATE
            label = f"{' '.join(APPS[app])} --workers {workers}"
            verdicts.append((label, passed))
            print(f"uvicorn {label}, {args.clients} keep-alive clients, {args.seconds:.0f} s:")
            print(
                f"  validations: {done}, {rate:.0f}/s; answers {dict(sorted(result.statuses.items()))}, connection errors {result.errors}"
            )
            print(
                f"  latency ms: p50 {ms(result.latencies_s, 50)}, p95 {ms(result.latencies_s, 95)}, "
                f"p99 {ms(result.latencies_s, 99)}, max {max(result.latencies_s, default=0) * 1000:.2f}"
            )
            print(
                f"  server CPU over warm-up and run: {cpu / (args.warmup + args.seconds) * 100:.0f} %"
                f" of one core, {cpu / max(done + result.warmup_answers, 1) * 1e6:.0f} us"
                " per validation"
            )
            print(f"  load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after")
            print(f"  {'PASS' if passed else 'FAIL'} (>= {TARGET_RATE:.0f}/s, all 200)")
    except Interrupted:
        print("interrupted", file=sys.stderr)
        return 1

    rate, latencies = in_process(tokens.body, args.loop)
    print(f"in process, stream_access_validate with its Redis GET, {args.loop} calls: {rate:.0f}/s")
    print(
        f"  latency ms: p50 {ms(latencies, 50)}, p95 {ms(latencies, 95)}, p99 {ms(latencies, 99)}"
    )

    passing = [label for label, ok in verdicts if ok]
    print(
        f"{'PASS' if passing else 'FAIL'}: >= {TARGET_RATE:.0f} validations/s"
        + (f" with {'; '.join(passing)}" if passing else " in no configuration")
    )
    return 0 if passing else 1


if __name__ == "__main__":
    sys.exit(main())
