"""The one representation D of a detection result, for the REST API and the WebSocket push."""

from collections.abc import Sequence
from typing import Any

from rest_framework import serializers

from apps.detections.models import DetectionResult


class DetectionOutputSerializer(serializers.Serializer):
    """`{id, event_id, camera_id, captured_at, processed_at, provider, labels, faces, trace_id}`.

    Times are ISO 8601 in UTC with `Z`.
    """

    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    camera_id = serializers.UUIDField()
    captured_at = serializers.DateTimeField()
    processed_at = serializers.DateTimeField()
    provider = serializers.CharField()
    labels = serializers.JSONField()
    faces = serializers.JSONField()
    trace_id = serializers.CharField()


def detection_representations(detections: Sequence[DetectionResult]) -> list[dict[str, Any]]:
    """D of each detection as plain JSON types (str, int, float, list, dict), ready for any
    encoder (the channel layer's msgpack too)."""
    return [dict(item) for item in DetectionOutputSerializer(detections, many=True).data]
