"""`/api/cameras/`: the tenant's cameras for every role; adding, changing and removing them,
and their RTSP address and recording and detection settings, for admins (manage_config).

A camera's credentials are write-only: the API answers `has_credentials`, never them."""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cameras.models import (
    MAX_DAILY_BUDGET_USD,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    Camera,
    DetectionProvider,
)
from apps.cameras.selectors import camera_get_for_user, cameras_for_user
from apps.cameras.services import camera_create, camera_delete, camera_update
from apps.cameras.sync import SyncReport, camera_sync_or_retry, camera_teardown_or_retry
from apps.core.exceptions import InvalidInput
from apps.usuarios.permissions import Permission, user_permissions


class CameraOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    recording_enabled = serializers.BooleanField()
    detection_enabled = serializers.BooleanField()
    retention_days = serializers.IntegerField()
    last_segment_end = serializers.DateTimeField(allow_null=True)


class CameraConfigOutputSerializer(CameraOutputSerializer):
    """What admins see besides: the address (without credentials) and detection settings."""

    rtsp_url = serializers.CharField(source="source_url")
    has_credentials = serializers.SerializerMethodField()
    detection_provider = serializers.CharField()
    detection_min_confidence = serializers.FloatField()
    detection_daily_budget_usd = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_has_credentials(self, camera: Camera) -> bool:
        return bool(camera.source_username or camera.source_password_sealed)


SyncSerializer = inline_serializer(
    "CameraSync",
    {
        name: serializers.CharField(help_text="done, pending (retried), failed or skipped")
        for name in ("relay", "recorder", "detection")
    },
)


class CameraWrittenSerializer(CameraConfigOutputSerializer):
    sync = SyncSerializer


class CameraInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    enabled = serializers.BooleanField(required=False)
    rtsp_url = serializers.CharField(max_length=500, allow_blank=True, required=False)
    username = serializers.CharField(
        max_length=200, allow_blank=True, required=False, trim_whitespace=False, write_only=True
    )
    password = serializers.CharField(
        max_length=200, allow_blank=True, required=False, trim_whitespace=False, write_only=True
    )
    recording_enabled = serializers.BooleanField(required=False)
    retention_days = serializers.IntegerField(
        min_value=MIN_RETENTION_DAYS, max_value=MAX_RETENTION_DAYS, required=False
    )
    detection_enabled = serializers.BooleanField(required=False)
    detection_provider = serializers.ChoiceField(choices=DetectionProvider.choices, required=False)
    detection_min_confidence = serializers.FloatField(min_value=0, max_value=1, required=False)
    detection_daily_budget_usd = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=0,
        max_value=MAX_DAILY_BUDGET_USD,
        allow_null=True,
        required=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: "unknown setting" for name in unknown})
        if ("username" in attrs) != ("password" in attrs):
            raise serializers.ValidationError(
                {"password": "username and password are given together"}
            )
        return attrs


def _settings(request: Request, *, partial: bool) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise InvalidInput("the body must be a JSON object")
    body = CameraInputSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    values = dict(body.validated_data)
    if "username" in values:
        values["credentials"] = (values.pop("username"), values.pop("password"))
    return values


def _written(request: Request, camera: Camera, report: SyncReport) -> dict[str, Any]:
    fresh = camera_get_for_user(request.user, camera.id)
    return {**CameraConfigOutputSerializer(fresh).data, "sync": report.as_dict()}


def _camera_out(request: Request, cameras: Any, *, many: bool = False) -> Any:
    if Permission.MANAGE_CONFIG in user_permissions(request.user):
        return CameraConfigOutputSerializer(cameras, many=many).data
    return CameraOutputSerializer(cameras, many=many).data


class CameraListApi(APIView):
    """`GET /api/cameras/`; `POST` adds a camera (admins) and starts relaying, recording and
    analysing it as its settings say -> 201 with `sync`, what each service was told."""

    required_permissions = {"GET": Permission.VIEW_STREAM, "POST": Permission.MANAGE_CONFIG}

    @extend_schema(responses=CameraOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(_camera_out(request, cameras_for_user(request.user), many=True))

    @extend_schema(request=CameraInputSerializer, responses={201: CameraWrittenSerializer})
    def post(self, request: Request) -> Response:
        camera = camera_create(
            tenant=request.user.tenant, user=request.user, **_settings(request, partial=False)
        )
        report = camera_sync_or_retry(camera)
        return Response(_written(request, camera, report), status=status.HTTP_201_CREATED)


class CameraDetailApi(APIView):
    """`GET /api/cameras/{id}/`; `PATCH` changes some settings and pushes them to the relay,
    the recorder and the detection service at once (admins); `DELETE` removes a camera with
    no history (admins; 409 otherwise: disable it instead)."""

    required_permissions = {
        "GET": Permission.VIEW_STREAM,
        "PATCH": Permission.MANAGE_CONFIG,
        "DELETE": Permission.MANAGE_CONFIG,
    }

    @extend_schema(responses=CameraOutputSerializer)
    def get(self, request: Request, camera_id: str) -> Response:
        return Response(_camera_out(request, camera_get_for_user(request.user, camera_id)))

    @extend_schema(request=CameraInputSerializer, responses=CameraWrittenSerializer)
    def patch(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        camera = camera_update(camera=camera, user=request.user, **_settings(request, partial=True))
        return Response(_written(request, camera, camera_sync_or_retry(camera)))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, camera_id: str) -> Response:
        camera = camera_get_for_user(request.user, camera_id)
        tenant_id, key = str(camera.tenant_id), str(camera.id)
        camera_delete(camera=camera, user=request.user)
        camera_teardown_or_retry(tenant_id=tenant_id, camera_id=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
