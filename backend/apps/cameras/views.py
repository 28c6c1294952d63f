"""`GET /api/cameras/`, `GET /api/cameras/{id}/` and `PATCH /api/cameras/{id}/` (admins)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.models import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from apps.cameras.selectors import camera_get_for_user, cameras_for_user
from apps.cameras.services import camera_retention_set
from apps.usuarios.permissions import Permission


class CameraOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    retention_days = serializers.IntegerField()
    last_segment_end = serializers.DateTimeField(allow_null=True)


class CameraListApi(APIView):
    required_permissions = {"GET": Permission.VIEW_STREAM}

    @extend_schema(responses=CameraOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        cameras = cameras_for_user(request.user)
        return Response(CameraOutputSerializer(cameras, many=True).data)


class CameraDetailApi(APIView):
    required_permissions = {"GET": Permission.VIEW_STREAM, "PATCH": Permission.MANAGE_CONFIG}

    class UpdateSerializer(serializers.Serializer):
        retention_days = serializers.IntegerField(
            min_value=MIN_RETENTION_DAYS, max_value=MAX_RETENTION_DAYS
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: "this field cannot be changed here" for name in unknown}
                )
            return attrs

    @extend_schema(responses=CameraOutputSerializer)
    def get(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        return Response(CameraOutputSerializer(camera).data)

    @extend_schema(responses=CameraOutputSerializer)
    def patch(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        body = self.UpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        camera_retention_set(
            camera=camera, retention_days=body.validated_data["retention_days"], user=request.user
        )
        return Response(CameraOutputSerializer(camera_get_for_user(request.user, camera.id)).data)
