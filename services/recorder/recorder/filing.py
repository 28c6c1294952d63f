"""Files a finished segment: checked, moved into the storage layout and announced.

A segment that cannot be read is kept under ``.corrupt/`` and announced as corrupt; one that
was cut before its first fragment recorded nothing and is dropped.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from recorder import metrics
from recorder.announcer import SegmentAnnouncer
from recorder.probe import (
    CorruptSegment,
    holds_no_media,
    init_size_bytes,
    probe_segment,
    trim_incomplete_tail,
)
from recorder.storage import corrupt_dir, segment_relative_path
from vms_common.checksums import file_sha256
from vms_common.contracts import SegmentCompleted, SegmentCorrupt
from vms_common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class SegmentFiler:
    tenant_id: str
    camera_id: str
    root: Path
    announcer: SegmentAnnouncer
    ffprobe: str = "ffprobe"

    def file(
        self, source: Path, start: datetime, listed_duration_s: float | None
    ) -> SegmentCompleted | None:
        """File `source`, recorded from `start`; None if it was corrupt or empty.

        `listed_duration_s` is the length ffmpeg listed for a segment it closed; a segment
        it could not close (None) is first cut back to its last complete fragment.
        """
        if listed_duration_s is None:
            trimmed = trim_incomplete_tail(source)
            if trimmed:
                log.info("unfinished fragment cut off", file=source.name, bytes=trimmed)
            if holds_no_media(source):
                source.unlink()
                log.info("segment without frames dropped", file=source.name)
                return None
        try:
            info = probe_segment(source, self.ffprobe)
        except CorruptSegment as exc:
            self._keep_corrupt(source, start, listed_duration_s, str(exc))
            return None
        duration_s = listed_duration_s if listed_duration_s else info.duration_s
        relative = segment_relative_path(self.tenant_id, self.camera_id, start)
        destination = self.root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        init_size = init_size_bytes(source)
        source.replace(destination)
        event = SegmentCompleted(
            tenant_id=self.tenant_id,
            camera_id=self.camera_id,
            start=start,
            end=start + timedelta(seconds=duration_s),
            duration_s=round(duration_s, 3),
            path=relative.as_posix(),
            size_bytes=info.size_bytes,
            codec=info.codec,
            width=info.width,
            height=info.height,
            sha256=info.sha256,
            init_size_bytes=init_size,
        )
        self.announcer.announce(event)
        metrics.SEGMENTS.labels(tenant_id=self.tenant_id, camera_id=self.camera_id).inc()
        log.info(
            "segment completed",
            path=event.path,
            duration_s=event.duration_s,
            trace_id=event.trace_id,
        )
        return event

    def _keep_corrupt(
        self, source: Path, start: datetime, listed_duration_s: float | None, reason: str
    ) -> None:
        folder = corrupt_dir(self.root, self.tenant_id, self.camera_id)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"{source.parent.name}-{source.name}"
        with contextlib.suppress(FileNotFoundError):
            source.replace(kept)
        if not kept.is_file():
            return
        metrics.CORRUPT_SEGMENTS.labels(tenant_id=self.tenant_id, camera_id=self.camera_id).inc()
        event = SegmentCorrupt(
            tenant_id=self.tenant_id,
            camera_id=self.camera_id,
            start=start,
            end=start + timedelta(seconds=listed_duration_s or 0.0),
            path=kept.relative_to(self.root).as_posix(),
            size_bytes=kept.stat().st_size,
            sha256=file_sha256(kept),
            reason=reason[-1000:] or "ffprobe cannot read it",
        )
        self.announcer.announce(event)
        log.error("corrupt segment kept aside", path=event.path, reason=event.reason)
