"""One ffmpeg run that joins segment files into a clip: concat demuxer, stream copy.

Progress comes from `-progress pipe:1` (`out_time_us` against the expected duration).
"""

import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from apps.evidence.errors import ExportFailed

STDERR_TAIL = 2000


@dataclass(frozen=True)
class ConcatInput:
    path: Path
    inpoint_s: float | None = None
    outpoint_s: float | None = None


def concat_list(inputs: Sequence[ConcatInput]) -> str:
    """The concat demuxer's script: `file`, then `inpoint`/`outpoint` where the range cuts."""
    lines = ["ffconcat version 1.0"]
    for item in inputs:
        quoted = str(item.path.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
        if item.inpoint_s is not None:
            lines.append(f"inpoint {item.inpoint_s:.6f}")
        if item.outpoint_s is not None:
            lines.append(f"outpoint {item.outpoint_s:.6f}")
    return "\n".join(lines) + "\n"


def ffmpeg_version(ffmpeg: str = "ffmpeg") -> str:
    """The first line of `ffmpeg -version`, e.g. 'ffmpeg version 5.1.6-0+deb12u1 ...'."""
    try:
        result = subprocess.run(
            [ffmpeg, "-hide_banner", "-version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExportFailed(f"ffmpeg is not available: {exc}", code="ffmpeg_missing") from None
    return result.stdout.splitlines()[0].strip() if result.stdout else "unknown"


def clip_concat(
    *,
    inputs: Sequence[ConcatInput],
    output: Path,
    duration_s: float,
    on_progress: Callable[[float], None],
    timeout_s: float,
    ffmpeg: str = "ffmpeg",
) -> None:
    """Write `output` (MP4, moov first) from `inputs`; raises ExportFailed when ffmpeg fails."""
    output.parent.mkdir(parents=True, exist_ok=True)
    list_file = output.parent / "concat.txt"
    list_file.write_text(concat_list(inputs))
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", str(list_file),
        "-map", "0", "-c", "copy", "-movflags", "+faststart",
        "-f", "mp4", "-progress", "pipe:1", "-nostats",
        str(output),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit() and duration_s > 0:
                    on_progress(min(1.0, max(0.0, int(value) / 1_000_000 / duration_s)))
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        detail = stderr.read()[-STDERR_TAIL:].decode("utf-8", "replace").strip()
    list_file.unlink(missing_ok=True)
    if returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        reason = (
            f"timed out after {timeout_s:.0f} s" if timed_out.is_set() else f"exit {returncode}"
        )
        output.unlink(missing_ok=True)
        raise ExportFailed(
            f"ffmpeg could not join the segments ({reason}): {detail or 'no message'}",
            code="ffmpeg_failed",
            extra={"returncode": returncode},
        )
