"""Prometheus metrics of frame ingestion."""

from prometheus_client import Counter, Gauge

FRAMES_EXTRACTED = Counter(
    "vms_frames_extracted_total", "JPEG frames read from ffmpeg", ["camera_id"]
)
FRAMES_PUBLISHED = Counter(
    "vms_frames_published_total", "Frames published to the frames queue", ["camera_id"]
)
FRAMES_DROPPED = Counter(
    "vms_frames_dropped_total",
    "Frames dropped before detection (queue_full, corrupt, broker_unreachable)",
    ["camera_id", "reason"],
)
EXTRACTOR_RESTARTS = Counter(
    "vms_frame_extractor_restarts_total", "ffmpeg restarts after an exit", ["camera_id"]
)
FRAMES_QUEUE_DEPTH = Gauge(
    "vms_frames_queue_depth", "Messages in the frames queue at the last depth check"
)
