"""Dependency checks for the services' `/health` endpoints."""

import os
import tempfile
from pathlib import Path

import pika


def rabbitmq_check(url: str) -> str:
    """`ok`, or why the broker at `url` cannot be reached (one attempt, 2 s at most)."""
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 2
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # any failure means unhealthy; the reason is reported
        return f"unreachable: {exc!r}"[:200]
    return "ok"


def writable_directory_check(path: Path) -> str:
    """`ok` when `path` is a directory a file can be created in (one is created and removed),
    else what is wrong with it."""
    if not path.is_dir():
        return f"missing: {path}"
    try:
        descriptor, name = tempfile.mkstemp(prefix=".health-", dir=path)
        os.close(descriptor)
        os.unlink(name)
    except OSError as exc:
        return f"not writable: {exc!r}"[:200]
    return "ok"
