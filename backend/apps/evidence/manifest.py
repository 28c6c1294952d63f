"""The export manifest: what the clip holds, where each part came from, and their hashes."""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apps.evidence.models import ExportJob
from domain.playback.recording import Gap, RecordedSegment

MANIFEST_VERSION = 1
TIMING_NOTE = (
    "The clip joins the source parts in time order without the gaps; each part keeps its "
    "own timestamps, so the times of record are the ones listed here, not the clip's."
)


@dataclass(frozen=True)
class SourceEntry:
    recording: RecordedSegment
    sha256: str
    size_bytes: int
    inpoint_s: float | None
    outpoint_s: float | None


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def manifest_build(
    *,
    job: ExportJob,
    sources: list[SourceEntry],
    gaps: list[Gap],
    skipped: list[RecordedSegment],
    clip_name: str,
    clip_sha256: str,
    clip_size: int,
    clip_duration_s: float,
    ffmpeg_version: str,
) -> dict[str, Any]:
    first = max(job.start, sources[0].recording.start) if sources else None
    last = min(job.end, sources[-1].recording.end) if sources else None
    creator = job.created_by
    return {
        "manifest_version": MANIFEST_VERSION,
        "export_id": str(job.id),
        "tenant": {"id": str(job.tenant_id), "name": job.tenant.name},
        "camera": {"id": str(job.camera_id), "name": job.camera.name},
        "requested_range": {"start": iso(job.start), "end": iso(job.end)},
        "actual_range": {"first": iso(first), "last": iso(last)},
        "clip": {
            "file": clip_name,
            "sha256": clip_sha256,
            "size_bytes": clip_size,
            "expected_duration_s": round(clip_duration_s, 3),
        },
        "hash_algorithm": "sha256",
        "sources": [
            {
                "recording_id": entry.recording.id,
                "path": entry.recording.path,
                "start": iso(entry.recording.start),
                "end": iso(entry.recording.end),
                "sha256": entry.sha256,
                "size_bytes": entry.size_bytes,
                "tier": str(entry.recording.tier),
                "inpoint_s": entry.inpoint_s,
                "outpoint_s": entry.outpoint_s,
            }
            for entry in sources
        ],
        "gaps": [{"start": iso(gap.start), "end": iso(gap.end)} for gap in gaps],
        "skipped_corrupt": [
            {
                "recording_id": recording.id,
                "path": recording.path,
                "start": iso(recording.start),
                "end": iso(recording.end),
                "sha256": recording.sha256,
            }
            for recording in skipped
        ],
        "created_by": ({"id": creator.pk, "username": creator.get_username()} if creator else None),
        "created_at": iso(job.created_at),
        "ffmpeg_version": ffmpeg_version,
        "timing_note": TIMING_NOTE,
    }


def manifest_write(manifest: dict[str, Any], path: Path) -> None:
    """Write the manifest as indented JSON, atomically (a reader never sees half of it)."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    os.replace(partial, path)
