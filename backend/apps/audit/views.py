"""`GET /api/audit`: the tenant's audit log, for its admins."""

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.selectors import MAX_LIMIT, audit_entries_for_user
from apps.usuarios.permissions import Permission


class AuditEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField(source="user.username", default=None, allow_null=True)
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    status = serializers.IntegerField(allow_null=True)
    ip = serializers.CharField(allow_null=True)
    trace_id = serializers.CharField()
    details = serializers.JSONField()


class AuditEntryListApi(APIView):
    """`GET /api/audit?since=<id>&limit=<1..500>&action=` -> `{results, next_since}`
    (admins of the tenant; 403 for everyone else)."""

    required_permissions = {"GET": Permission.MANAGE_CONFIG}

    class FilterSerializer(serializers.Serializer):
        since = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)
        action = serializers.CharField(max_length=64, required=False)

    def get(self, request: Request) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since = query.validated_data.get("since")
        entries = audit_entries_for_user(
            request.user,
            since=since,
            limit=query.validated_data["limit"],
            action=query.validated_data.get("action"),
        )
        return Response(
            {
                "results": AuditEntryOutputSerializer(entries, many=True).data,
                "next_since": entries[-1].id if entries else since,
            }
        )
