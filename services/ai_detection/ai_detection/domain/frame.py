"""A still picture taken from a camera, on its way to detection."""

from dataclasses import dataclass, field
from datetime import datetime

from vms_common.contracts import new_trace_id


@dataclass(frozen=True)
class Frame:
    """One JPEG of a camera and the UTC time it was captured."""

    tenant_id: str
    camera_id: str
    captured_at: datetime
    jpeg: bytes
    trace_id: str = field(default_factory=new_trace_id)
