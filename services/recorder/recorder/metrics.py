"""Prometheus metrics of the recorder."""

from prometheus_client import Counter, Gauge

SEGMENTS = Counter(
    "vms_recorder_segments_total", "Segments recorded and announced", ["tenant_id", "camera_id"]
)
CORRUPT_SEGMENTS = Counter(
    "vms_recorder_corrupt_segments_total",
    "Segments ffprobe could not read",
    ["tenant_id", "camera_id"],
)
RESTARTS = Counter(
    "vms_recorder_restarts_total", "ffmpeg restarts after an exit", ["tenant_id", "camera_id"]
)
RECORDING = Gauge(
    "vms_recorder_recording", "1 while the camera is being recorded", ["tenant_id", "camera_id"]
)
OUTBOX = Gauge("vms_recorder_outbox_events", "Segment events waiting for the broker")
STALLS = Counter(
    "vms_recorder_stalls_total",
    "ffmpeg runs killed for making no progress",
    ["tenant_id", "camera_id"],
)
RECOVERED_SEGMENTS = Counter(
    "vms_recorder_recovered_segments_total",
    "Segments left behind by a crash, recovered and announced at start-up",
    ["tenant_id", "camera_id"],
)
