"""Playback API: what was recorded in a range, and the segment files themselves."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.selectors import camera_get_for_user
from apps.playback.fields import QueryDateTimeField
from apps.playback.file_responses import ranged_file_response
from apps.playback.segment_links import segment_file_url
from apps.playback.selectors import (
    playback_timeline,
    reader_of_signed_link,
    recording_get_for_user,
)
from infrastructure.storage.recordings import recording_file_path


class PlaybackApi(APIView):
    """`GET /api/playback/{camera_id}?start=ISO&end=ISO`: segments and gaps in the range."""

    class FilterSerializer(serializers.Serializer):
        start = QueryDateTimeField()
        end = QueryDateTimeField()

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["start"] >= attrs["end"]:
                raise serializers.ValidationError({"end": "end must be after start"})
            limit = settings.PLAYBACK_MAX_RANGE_HOURS
            if attrs["end"] - attrs["start"] > timedelta(hours=limit):
                raise serializers.ValidationError(
                    {"end": f"the range from start to end must not exceed {limit} hours"}
                )
            return attrs

    class SegmentSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()
        duration = serializers.FloatField(source="duration_s")
        url = serializers.SerializerMethodField()
        status = serializers.CharField()

        def get_url(self, recording: Any) -> str:
            return segment_file_url(recording_id=recording.id, user_id=self.context["user_id"])

    class GapSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

    def get(self, request: Request, camera_id: str) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        camera = camera_get_for_user(request.user, camera_id)
        timeline = playback_timeline(camera=camera, **query.validated_data)
        segments = self.SegmentSerializer(
            timeline.recordings, many=True, context={"user_id": request.user.pk}
        )
        return Response(
            {
                "camera_id": str(camera.id),
                "start": serializers.DateTimeField().to_representation(timeline.start),
                "end": serializers.DateTimeField().to_representation(timeline.end),
                "segments": segments.data,
                "gaps": self.GapSerializer(timeline.gaps, many=True).data,
            }
        )


class SegmentFileApi(APIView):
    """`GET /api/playback/segments/{id}/file`: the MP4, whole or one byte range.

    Open to a bearer token of the segment's tenant or to a signed URL from the playback
    API (`?sig=`); other tenants get 404, as if the segment did not exist.
    """

    permission_classes = (AllowAny,)

    def get(self, request: Request, recording_id: str) -> HttpResponse | StreamingHttpResponse:
        reader = self._reader(request, int(recording_id))
        recording = recording_get_for_user(reader, int(recording_id))
        path = recording_file_path(root=settings.RECORDINGS_ROOT, relative=recording.path)
        response = ranged_file_response(
            path,
            range_header=request.headers.get("Range"),
            content_type="video/mp4",
            asynchronous=isinstance(request._request, ASGIRequest),
            head=request.method == "HEAD",
        )
        response["Cache-Control"] = "private, max-age=300"
        return response

    def _reader(self, request: Request, recording_id: int) -> Any:
        if request.user and request.user.is_authenticated:
            return request.user
        signature = request.query_params.get("sig")
        if not signature:
            raise exceptions.NotAuthenticated()
        return reader_of_signed_link(signature=signature, recording_id=recording_id)
