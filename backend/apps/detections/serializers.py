"""The one representation D of a detection result, for the REST API and the WebSocket push."""

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


def detection_representation(detection: DetectionResult) -> dict[str, Any]:
    """D as plain JSON types (str, int, float, list, dict), ready for any encoder."""
    data = DetectionOutputSerializer(detection).data
    return {key: data[key] for key in DetectionOutputSerializer().fields}
