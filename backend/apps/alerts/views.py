"""Alert API: rules (admins write, everyone in the tenant reads) and the alert feed."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.alerts.models import Alert, AlertRule
from apps.alerts.selectors import (
    MAX_LIMIT,
    alert_rule_get_for_user,
    alert_rules_for_user,
    alerts_for_user,
)
from apps.alerts.services import alert_rule_create, alert_rule_delete, alert_rule_update
from apps.cameras.selectors import camera_get_for_user
from apps.usuarios.permissions import Permission


class ScheduleSerializer(serializers.Serializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), min_length=1, max_length=7
    )
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")
    timezone = serializers.CharField(max_length=64)


class RuleOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    camera_id = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()
    min_confidence = serializers.FloatField()
    zone = serializers.JSONField()
    schedule = serializers.JSONField()
    cooldown_s = serializers.IntegerField()
    enabled = serializers.BooleanField()
    webhook_url = serializers.CharField()
    emails = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    camera_id = serializers.UUIDField(allow_null=True, required=False)
    label = serializers.CharField(max_length=64)
    min_confidence = serializers.FloatField(min_value=0, max_value=1)
    zone = serializers.ListField(
        child=serializers.ListField(
            child=serializers.FloatField(min_value=0, max_value=1), min_length=2, max_length=2
        ),
        min_length=3,
        max_length=100,
        allow_null=True,
        required=False,
    )
    schedule = ScheduleSerializer(allow_null=True, required=False)
    cooldown_s = serializers.IntegerField(min_value=0, required=False)
    enabled = serializers.BooleanField(required=False)
    webhook_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
    emails = serializers.ListField(child=serializers.EmailField(), max_length=20, required=False)


def _rule_out(rule: AlertRule) -> Any:
    return RuleOutputSerializer(rule).data


def _input(request: Request, *, partial: bool) -> dict[str, Any]:
    body = RuleInputSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    values = dict(body.validated_data)
    if values.get("schedule") is not None:
        values["schedule"] = dict(values["schedule"])
    return values


class AlertRuleListApi(APIView):
    """`GET /api/alert-rules`: the tenant's rules; `POST` (admins) adds one -> 201."""

    required_permissions = {"GET": Permission.VIEW_STREAM, "POST": Permission.MANAGE_CONFIG}

    @extend_schema(responses=RuleOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RuleOutputSerializer(alert_rules_for_user(request.user), many=True).data)

    @extend_schema(request=RuleInputSerializer, responses={201: RuleOutputSerializer})
    def post(self, request: Request) -> Response:
        rule = alert_rule_create(user=request.user, **_input(request, partial=False))
        return Response(_rule_out(rule), status=status.HTTP_201_CREATED)


class AlertRuleDetailApi(APIView):
    """`GET/PATCH/DELETE /api/alert-rules/{id}` (PATCH and DELETE: admins)."""

    required_permissions = {
        "GET": Permission.VIEW_STREAM,
        "PATCH": Permission.MANAGE_CONFIG,
        "DELETE": Permission.MANAGE_CONFIG,
    }

    @extend_schema(responses=RuleOutputSerializer)
    def get(self, request: Request, rule_id: str) -> Response:
        return Response(_rule_out(alert_rule_get_for_user(request.user, rule_id)))

    @extend_schema(request=RuleInputSerializer, responses=RuleOutputSerializer)
    def patch(self, request: Request, rule_id: str) -> Response:
        rule = alert_rule_get_for_user(request.user, rule_id)
        rule = alert_rule_update(rule=rule, user=request.user, **_input(request, partial=True))
        return Response(_rule_out(rule))

    def delete(self, request: Request, rule_id: str) -> Response:
        rule = alert_rule_get_for_user(request.user, rule_id)
        alert_rule_delete(rule=rule, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_field(OpenApiTypes.OBJECT)  # {status, attempts, last_error, delivered_at}
class DeliveryField(serializers.Field):
    def __init__(self, channel: str, **kwargs: Any) -> None:
        self.channel = channel
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, alert: Alert) -> dict[str, Any]:
        delivered_at = getattr(alert, f"{self.channel}_delivered_at")
        return {
            "status": getattr(alert, f"{self.channel}_status"),
            "attempts": getattr(alert, f"{self.channel}_attempts"),
            "last_error": getattr(alert, f"{self.channel}_error") or None,
            "delivered_at": serializers.DateTimeField().to_representation(delivered_at)
            if delivered_at
            else None,
        }


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    rule_id = serializers.UUIDField(allow_null=True)
    rule_name = serializers.CharField()
    camera_id = serializers.UUIDField()
    detection_id = serializers.IntegerField()
    label = serializers.CharField()
    confidence = serializers.FloatField()
    box = serializers.JSONField()
    captured_at = serializers.DateTimeField()
    raised_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    webhook = DeliveryField("webhook")
    email = DeliveryField("email")


class AlertListApi(APIView):
    """`GET /api/alerts?camera_id=&since=<id>&limit=<1..500>` -> `{results, next_since}`."""

    required_permissions = {"GET": Permission.VIEW_STREAM}

    class FilterSerializer(serializers.Serializer):
        camera_id = serializers.UUIDField(required=False)
        since = serializers.IntegerField(min_value=0, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)

    @extend_schema(
        responses=inline_serializer(
            "AlertPage",
            {
                "results": AlertOutputSerializer(many=True),
                "next_since": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        camera_id = query.validated_data.get("camera_id")
        if camera_id is not None:
            camera_get_for_user(request.user, camera_id)
        since = query.validated_data.get("since")
        alerts = alerts_for_user(
            request.user, camera_id=camera_id, since=since, limit=query.validated_data["limit"]
        )
        return Response(
            {
                "results": AlertOutputSerializer(alerts, many=True).data,
                "next_since": alerts[-1].id if alerts else since,
            }
        )
