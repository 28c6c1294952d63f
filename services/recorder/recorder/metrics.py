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
DISK_USAGE = Gauge("vms_recorder_disk_usage_ratio", "Used share of the recordings disk, 0 to 1")
DELETED_SEGMENTS = Counter(
    "vms_recorder_deleted_segments_total",
    "Segments deleted by cleanup (reason: retention or disk_full)",
    ["tenant_id", "camera_id", "reason"],
)
EMERGENCY_PASSES = Counter(
    "vms_recorder_emergency_passes_total", "Cleanups run because the disk was almost full"
)
TIERED_SEGMENTS = Counter(
    "vms_recorder_tiered_segments_total",
    "Segments moved to object storage after a verified upload",
    ["tenant_id", "camera_id"],
)
TIERING_FAILURES = Counter(
    "vms_recorder_tiering_failures_total",
    "Uploads that failed or could not be verified (the local copy is kept)",
    ["tenant_id", "camera_id"],
)
HOUSEKEEPING_LAST_SUCCESS = Gauge(
    "vms_recorder_housekeeping_last_success_timestamp_seconds",
    "When a cleanup or tiering pass last finished without error",
    ["task"],
)
