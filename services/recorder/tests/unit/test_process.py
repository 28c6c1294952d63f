"""ffmpeg started by the recorder dies with it, even when the recorder is killed with SIGKILL."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from recorder.process import start_supervised

CHILD = """
import sys, time
from pathlib import Path
from recorder.process import start_supervised
child = start_supervised(["sleep", "300"], Path(sys.argv[1]))
print(child.pid, flush=True)
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_child_is_killed_when_the_process_that_started_it_is_killed(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "child.log")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert alive(child_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child_pid), "the child outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_the_child_writes_its_errors_to_the_log(tmp_path):
    log = tmp_path / "ffmpeg.log"
    child = start_supervised(["sh", "-c", "echo broken >&2; exit 3"], log)
    assert child.wait(timeout=10) == 3
    assert log.read_text() == "broken\n"
