"""What a provider found in a frame, before it becomes a `DetectionResult` message."""

from dataclasses import dataclass, field

from vms_common.contracts import Face, Label


@dataclass(frozen=True)
class Detection:
    """Labels (names normalised to lower case, confidence 0..1, boxes as fractions of the
    frame), faces, and the paid calls it took: `calls` maps an API name (`DetectLabels`,
    `DetectFaces`) to how many times it was called for this frame."""

    labels: tuple[Label, ...] = ()
    faces: tuple[Face, ...] = ()
    calls: dict[str, int] = field(default_factory=dict)
