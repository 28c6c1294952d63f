"""Login and token refresh; both are open, everything else needs a token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.usuarios.services import auth_login, auth_refresh


class LoginApi(APIView):
    """`POST /api/auth/login {username, password}` -> `{access, refresh}`."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    @extend_schema(
        responses=inline_serializer(
            "TokenPair", {"access": serializers.CharField(), "refresh": serializers.CharField()}
        )
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = auth_login(**data.validated_data)
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class RefreshApi(APIView):
    """`POST /api/auth/refresh {refresh}` -> `{access}`."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField(max_length=4096)

    @extend_schema(responses=inline_serializer("AccessToken", {"access": serializers.CharField()}))
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"access": auth_refresh(refresh=data.validated_data["refresh"])})
