"""Detections API: the catch-up of the live feed (`GET /api/detections?since=`)."""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.selectors import camera_get_for_user
from apps.detections.selectors import detections_for_user
from apps.detections.serializers import DetectionOutputSerializer
from apps.usuarios.permissions import Permission

MAX_LIMIT = 500


class DetectionListApi(APIView):
    """`GET /api/detections?camera_id=&since=&limit=`: the tenant's detection results.

    With `since`: results with `id > since`, ascending id, at most `limit` (1..500, 100 by
    default); page on with `next_since` until `results` is empty. Without `since`: the
    newest `limit`, ascending. Another tenant's camera is a 404.
    """

    required_permissions = {"GET": Permission.VIEW_STREAM}

    class FilterSerializer(serializers.Serializer):
        camera_id = serializers.UUIDField(required=False)
        since = serializers.IntegerField(min_value=0, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)

    @extend_schema(
        responses=inline_serializer(
            "DetectionPage",
            {
                "results": DetectionOutputSerializer(many=True),
                "next_since": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params: dict[str, Any] = query.validated_data
        camera_id = params.get("camera_id")
        if camera_id is not None:
            camera_id = camera_get_for_user(request.user, camera_id).id
        since = params.get("since")
        found = detections_for_user(
            request.user, camera_id=camera_id, since=since, limit=params["limit"]
        )
        return Response(
            {
                "results": DetectionOutputSerializer(found, many=True).data,
                "next_since": found[-1].id if found else since,
            }
        )
