"""Turns what a provider found in a frame into the `DetectionResult` message every consumer reads.

Providers already hand back `Label`/`Face` models, but each vendor has its own habits (upper-case
or padded names, confidences in percent, boxes that overhang the frame edge); this is the one place
that makes them uniform: names lower case and trimmed, confidences 0..1, boxes inside the frame.
"""

from datetime import datetime

from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from vms_common.contracts import Box, DetectionResult, Face, Label


def normalise_confidence(value: float) -> float:
    """A confidence as a fraction 0..1; values above 1 are taken as percent (Rekognition's 0..100)."""
    if value > 1.0:
        value = value / 100.0
    return min(max(value, 0.0), 1.0)


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def normalise_box(left: float, top: float, width: float, height: float) -> Box:
    """A box as fractions of the frame, clipped to it: a box starting left of the frame (AWS gives
    negative `Left` for a face cut by the edge) keeps only its visible part."""
    x0, y0 = _clamp(left), _clamp(top)
    x1, y1 = _clamp(left + width), _clamp(top + height)
    return Box(left=x0, top=y0, width=max(x1 - x0, 0.0), height=max(y1 - y0, 0.0))


def normalise_name(name: str) -> str:
    """`Person `, `PERSON` and `person` are the same label."""
    return " ".join(name.split()).lower()[:64]


def _box(box: Box | None) -> Box | None:
    if box is None:
        return None
    return normalise_box(box.left, box.top, box.width, box.height)


def normalise_label(label: Label) -> Label:
    return Label(
        name=normalise_name(label.name),
        confidence=normalise_confidence(label.confidence),
        box=_box(label.box),
    )


def normalise_face(face: Face) -> Face:
    return Face(
        confidence=normalise_confidence(face.confidence),
        box=normalise_box(face.box.left, face.box.top, face.box.width, face.box.height),
    )


def detection_result(
    frame: Frame,
    detection: Detection,
    *,
    provider: str,
    processed_at: datetime,
    cost_usd: float,
) -> DetectionResult:
    """The message for one analysed frame, carrying the frame's camera, capture time and trace.

    Labels are ordered by confidence, highest first, so the routing key (keyed by the first
    label) names the thing the provider was surest of.
    """
    labels = sorted(
        (normalise_label(label) for label in detection.labels if normalise_name(label.name)),
        key=lambda label: label.confidence,
        reverse=True,
    )
    return DetectionResult(
        tenant_id=frame.tenant_id,
        camera_id=frame.camera_id,
        captured_at=frame.captured_at,
        processed_at=processed_at,
        provider=provider,
        labels=tuple(labels),
        faces=tuple(normalise_face(face) for face in detection.faces),
        cost_usd=cost_usd,
        trace_id=frame.trace_id,
    )
