"""Test support shared by the suites: a server process started for a test, and moto's
server standing in for AWS (which tests cannot reach)."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    command: Sequence[str],
    ready: Callable[[], object],
    *,
    what: str,
    timeout_s: float = 30,
    **popen: Any,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends; `ready()` is retried while it raises OSError.

    Raises RuntimeError when the process exits or is not ready within `timeout_s`. The
    process is always stopped (terminated, then killed)."""
    process = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen
    )
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                ready()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{what} did not start") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def moto_server() -> Iterator[str]:
    """The URL of a moto server (`moto_server` of the venv) running until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = Path(sys.executable).parent / "moto_server"
    with serving(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        lambda: urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close(),  # noqa: S310
        what="moto server",
    ):
        yield url
