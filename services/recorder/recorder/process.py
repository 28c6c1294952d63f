"""Starts ffmpeg so that it never outlives the recorder.

The child asks the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), so a
recorder killed with SIGKILL leaves no ffmpeg writing files behind. Linux only; elsewhere the
child starts without it.
"""

import ctypes
import ctypes.util
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec hook for the child: SIGKILL on the parent's death (set up before the fork)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    prctl = ctypes.CDLL(name, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        if prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            os._exit(126)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return hook


def start_supervised(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `command` with stderr to `log_path`; it is killed when this thread's process dies.

    The kernel ties the signal to the thread that starts the child: call this from the thread
    that supervises the child for its whole life.
    """
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            preexec_fn=_die_with_parent(),
        )
