"""URLs: the REST API under /api/ (its OpenAPI schema at /api/schema), Django admin under
/admin/, /health for probes, the frontend everywhere else."""

from django.contrib import admin
from django.urls import include, path, re_path

from apps.core.views import HealthApi, SchemaApi, api_not_found, frontend_index

api_patterns = [
    re_path(r"^health/?$", HealthApi.as_view(), name="health"),
    re_path(r"^schema/?$", SchemaApi.as_view(), name="schema"),
    path("", include("apps.usuarios.urls")),
    path("", include("apps.cameras.urls")),
    path("", include("apps.evidence.urls")),  # before playback: /playback/{id}/export
    path("", include("apps.playback.urls")),
    path("", include("apps.detections.urls")),
    path("", include("apps.alerts.urls")),
    path("", include("apps.streams.urls")),
    path("", include("apps.audit.urls")),
    re_path(r"^", api_not_found),
]

urlpatterns = [
    # the probes' address, as on every service; the same answer as /api/health
    re_path(r"^health/?$", HealthApi.as_view(schema=None), name="health-probe"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    re_path(r"^(?!api(?:/|$)|admin(?:/|$)|static/).*$", frontend_index, name="frontend"),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
