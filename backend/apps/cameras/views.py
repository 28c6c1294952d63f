"""`GET /api/cameras/` and `GET /api/cameras/{id}/`."""

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.selectors import camera_get_for_user, cameras_for_user


class CameraOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    last_segment_end = serializers.DateTimeField(allow_null=True)


class CameraListApi(APIView):
    def get(self, request: Request) -> Response:
        cameras = cameras_for_user(request.user)
        return Response(CameraOutputSerializer(cameras, many=True).data)


class CameraDetailApi(APIView):
    def get(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        return Response(CameraOutputSerializer(camera).data)
