"""Stream tokens (`/api/auth/stream-token`, `/api/auth/revoke`) and MediaMTX's auth callback.

`POST /api/auth/validate-stream` is MediaMTX's external HTTP authentication
(`authMethod: http`): it has no user authentication of its own and may be limited to the
addresses in `STREAM_AUTH_ALLOWED_NETWORKS` and to callers that present `STREAM_AUTH_SECRET`
(as the `X-Stream-Auth-Secret` header or as `?secret=` in MediaMTX's `authHTTPAddress`).
It answers 200 with an empty body to allow and 401 `{"message","code","extra"}` to refuse,
whatever the input.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import AuthenticationRequired
from apps.streams.services import (
    stream_access_validate,
    stream_auth_caller_check,
    stream_auth_request_parse,
    stream_token_for_user,
    stream_token_revoke,
)
from apps.usuarios.permissions import Permission
from vms_common.logging import get_logger

logger = get_logger(__name__)

# What MediaMTX's external HTTP authentication sends.
MEDIAMTX_FIELDS = ("user", "password", "token", "ip", "action", "path", "protocol", "id", "query")


class StreamTokenApi(APIView):
    """`POST /api/auth/stream-token {camera_id}` -> `{token, expires_at, url_path}`."""

    required_permissions = {"POST": Permission.VIEW_STREAM}

    class InputSerializer(serializers.Serializer):
        camera_id = serializers.UUIDField()

    @extend_schema(
        responses=inline_serializer(
            "StreamToken",
            {
                "token": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
                "url_path": serializers.CharField(),
            },
        )
    )
    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = stream_token_for_user(
            user=request.user, camera_id=body.validated_data["camera_id"]
        )
        return Response(
            {
                "token": issued.token,
                "expires_at": issued.claims.expires_at.isoformat().replace("+00:00", "Z"),
                "url_path": issued.url_path,
            }
        )


class StreamTokenRevokeApi(APIView):
    """`POST /api/auth/revoke {token}` -> 204; the token stops working at once."""

    required_permissions = {"POST": Permission.VIEW_STREAM}

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=4096)

    @extend_schema(responses={204: None})
    def post(self, request: Request) -> Response:
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stream_token_revoke(user=request.user, token=body.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class StreamValidateApi(APIView):
    """`POST /api/auth/validate-stream` with MediaMTX's `{user, password, token, ip, action,
    path, protocol, id, query}`: 200 (empty) to allow, 401 to refuse."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        request=inline_serializer(
            "StreamValidateRequest",
            {
                name: serializers.CharField(required=False, allow_blank=True)
                for name in MEDIAMTX_FIELDS
            },
        ),
        responses={200: OpenApiResponse(description="access allowed (empty body)")},
    )
    def post(self, request: Request) -> Response:
        stream_auth_caller_check(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            secret=request.headers.get("X-Stream-Auth-Secret")
            or request.query_params.get("secret", ""),
        )
        try:
            data = request.data
        except (exceptions.APIException, RecursionError):  # RecursionError: absurdly nested JSON
            raise AuthenticationRequired(
                "the body must be a JSON object", code="invalid_request"
            ) from None
        auth = stream_auth_request_parse(data)
        try:
            stream_access_validate(auth)
        except AuthenticationRequired as exc:
            logger.info(
                "stream access refused",
                code=exc.code,
                action=auth.action[:16],
                path=auth.path[:128],
                ip=auth.ip[:64],
                protocol=auth.protocol[:16],
            )
            raise
        return Response(status=status.HTTP_200_OK)
