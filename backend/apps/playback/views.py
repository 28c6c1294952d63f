"""Playback API: what was recorded in a range, its HLS playlist, its timeline, the files."""

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.selectors import camera_get_for_user
from apps.core.link_access import reader_by_token_or_link
from apps.playback.fields import QueryDateTimeField
from apps.playback.file_responses import ranged_file_response, ranged_object_response
from apps.playback.segment_links import SegmentLinks, iso_time, playlist_url
from apps.playback.selectors import (
    playback_playlist,
    playback_range,
    playback_timeline,
    reader_of_signed_link,
    reader_of_signed_playlist,
    recording_get_for_user,
)
from apps.usuarios.permissions import Permission
from domain.playback.hls import CONTENT_TYPE as PLAYLIST_CONTENT_TYPE
from infrastructure.storage.recordings import (
    is_tiered,
    recording_local_file,
    recording_location,
)
from infrastructure.storage.s3 import s3_recordings


class RangeSerializer(serializers.Serializer):
    """`start` and `end` (ISO 8601), `start < end`, at most PLAYBACK_MAX_RANGE_HOURS apart."""

    start = QueryDateTimeField()
    end = QueryDateTimeField()

    def max_range(self) -> tuple[timedelta, str]:
        hours = settings.PLAYBACK_MAX_RANGE_HOURS
        return timedelta(hours=hours), f"{hours} hours"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": "end must be after start"})
        limit, said = self.max_range()
        if attrs["end"] - attrs["start"] > limit:
            raise serializers.ValidationError(
                {"end": f"the range from start to end must not exceed {said}"}
            )
        return attrs


def _range_of(request: Request) -> tuple[datetime, datetime]:
    query = RangeSerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["start"], query.validated_data["end"]


class PlaybackApi(APIView):
    """`GET /api/playback/{camera_id}?start=ISO&end=ISO`: segments, gaps and the HLS URL."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    class GapSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()

    @extend_schema(parameters=[RangeSerializer])
    def get(self, request: Request, camera_id: str) -> Response:
        start, end = _range_of(request)
        camera = camera_get_for_user(request.user, camera_id)
        found = playback_range(camera=camera, start=start, end=end)
        links = SegmentLinks(user_id=request.user.pk)
        segments = [
            {
                "id": r.id,
                "start": iso_time(r.start),
                "end": iso_time(r.end),
                "duration": r.duration_s,
                "url": links(r.id),
                "status": r.status.value,
            }
            for r in found.recordings
        ]
        return Response(
            {
                "camera_id": str(camera.id),
                "start": iso_time(start),
                "end": iso_time(end),
                "segments": segments,
                "gaps": self.GapSerializer(found.gaps, many=True).data,
                "hls_url": playlist_url(
                    camera_id=str(camera.id), user_id=request.user.pk, start=start, end=end
                ),
            }
        )


class PlaylistApi(APIView):
    """`GET /api/playback/{camera_id}/playlist.m3u8?start&end&exp&sig`: HLS VOD playlist.

    Open to a bearer token of the camera's tenant or to the signed `hls_url` of the
    playback API, so that hls.js or Video.js can load it without headers.
    """

    required_permissions = {"GET": Permission.VIEW_STREAM}

    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            RangeSerializer,
            OpenApiParameter("exp", str, description="expiry of the signed link"),
            OpenApiParameter("sig", str, description="signature of the signed link"),
        ],
        responses={
            (200, PLAYLIST_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.STR, description="playlist")
        },
    )
    def get(self, request: Request, camera_id: str) -> HttpResponse:
        def read_link(signature: str, expires: str) -> Any:
            start, end = _range_of(request)
            return reader_of_signed_playlist(
                signature=signature, expires=expires, camera_id=camera_id, start=start, end=end
            )

        reader = reader_by_token_or_link(self, request, read_link)
        start, end = _range_of(request)
        camera = camera_get_for_user(reader, camera_id)
        text = playback_playlist(camera=camera, start=start, end=end, user_id=reader.pk)
        response = HttpResponse(text, content_type=PLAYLIST_CONTENT_TYPE)
        response["Cache-Control"] = "private, max-age=60"
        return response


class TimelineApi(APIView):
    """`GET /api/playback/{camera_id}/timeline?start&end&bucket=SECONDS`.

    Per bucket: recorded seconds, gap seconds (only the past counts) and detections.
    Ranges up to PLAYBACK_TIMELINE_MAX_DAYS; at most PLAYBACK_TIMELINE_MAX_BUCKETS
    buckets, so `bucket` must be at least range / that many seconds. Without `bucket`
    the range is cut into about 1000 buckets of whole seconds.
    """

    required_permissions = {"GET": Permission.VIEW_STREAM}

    class FilterSerializer(RangeSerializer):
        bucket = serializers.IntegerField(min_value=1, required=False)

        def max_range(self) -> tuple[timedelta, str]:
            days = settings.PLAYBACK_TIMELINE_MAX_DAYS
            return timedelta(days=days), f"{days} days"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs = super().validate(attrs)
            span_s = (attrs["end"] - attrs["start"]).total_seconds()
            most = settings.PLAYBACK_TIMELINE_MAX_BUCKETS
            bucket = attrs.get("bucket") or max(1, math.ceil(span_s / 1000))
            if math.ceil(span_s / bucket) > most:
                raise serializers.ValidationError(
                    {
                        "bucket": f"too many buckets: at most {most}, so at least "
                        f"{math.ceil(span_s / most)} seconds for this range"
                    }
                )
            attrs["bucket"] = bucket
            return attrs

    def get(self, request: Request, camera_id: str) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        camera = camera_get_for_user(request.user, camera_id)
        timeline = playback_timeline(
            camera=camera, start=start, end=end, bucket_s=query.validated_data["bucket"]
        )
        return Response(
            {
                "camera_id": str(camera.id),
                "start": iso_time(start),
                "end": iso_time(end),
                "bucket_s": timeline.bucket_s,
                "buckets": [
                    {
                        "start": iso_time(b.start),
                        "recorded_s": b.recorded_s,
                        "gap_s": b.gap_s,
                        "detections": b.detections,
                    }
                    for b in timeline.buckets
                ],
            }
        )


class SegmentFileApi(APIView):
    """`GET /api/playback/segments/{id}/file`: the MP4, whole or one byte range.

    Open to a bearer token of the segment's tenant or to a signed URL from the playback
    API (`?exp=&sig=`); other tenants get 404, as if the segment did not exist. A tiered
    segment is streamed from S3 with the range passed on. A file missing or cut short
    is 404 with a message; S3 out of reach is 503.
    """

    required_permissions = {"GET": Permission.VIEW_STREAM}

    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("exp", str, description="expiry of the signed link"),
            OpenApiParameter("sig", str, description="signature of the signed link"),
        ],
        responses={
            (200, "video/mp4"): OpenApiResponse(
                OpenApiTypes.BINARY, description="the segment, whole or the range asked for"
            )
        },
    )
    def get(self, request: Request, recording_id: str) -> HttpResponse | StreamingHttpResponse:
        reader = reader_by_token_or_link(
            self,
            request,
            lambda signature, expires: reader_of_signed_link(
                signature=signature, expires=expires, recording_id=int(recording_id)
            ),
        )
        recording = recording_get_for_user(reader, int(recording_id))
        options: dict[str, Any] = {
            "range_header": request.headers.get("Range"),
            "content_type": "video/mp4",
            "asynchronous": isinstance(request._request, ASGIRequest),
            "head": request.method == "HEAD",
        }
        response: HttpResponse | StreamingHttpResponse
        if is_tiered(recording):
            response = ranged_object_response(
                s3_recordings(),
                recording_location(recording),
                size=recording.size_bytes,
                **options,
            )
        else:
            response = ranged_file_response(recording_local_file(recording), **options)
        response["Cache-Control"] = "private, max-age=300"
        return response
