"""Health, the single-page frontend, and JSON answers for Django-level errors."""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exception_handler import error_body
from apps.core.selectors import health_status
from apps.usuarios.permissions import Permission


class HealthApi(APIView):
    """`GET /api/health`: 200 when PostgreSQL, RabbitMQ and Redis answer, else 503 with each
    dependency's state. Open to all."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        healthy, report = health_status()
        code = status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(report, status=code)


class SchemaApi(SpectacularAPIView):
    """`GET /api/schema`: the OpenAPI schema of this API, for signed-in users."""

    required_permissions = {"GET": Permission.VIEW_STREAM}


def frontend_index(request: HttpRequest) -> HttpResponse:
    """Any page of the single-page app gets `index.html`; the app routes in the browser."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            error_body(f'Method "{request.method}" not allowed.', "method_not_allowed"),
            status=405,
            headers={"Allow": "GET, HEAD"},
        )
    index = Path(settings.FRONTEND_DIST) / "index.html"
    try:
        content = index.read_bytes()
    except OSError:
        return JsonResponse(
            error_body(
                "frontend is not built",
                "frontend_not_built",
                {"hint": "build it with `npm run build` in frontend/"},
            ),
            status=503,
        )
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@csrf_exempt  # no session is used: a write to an unknown URL is a 404, not a CSRF 403
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown `/api/...` URLs."""
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("Bad request.", "bad_request"), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("Permission denied.", "permission_denied"), status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    """Never a traceback: the details are in the log, under the request's trace id."""
    return JsonResponse(error_body("Internal server error.", "server_error"), status=500)
