from django.urls import re_path

from apps.audit.views import AuditEntryListApi

urlpatterns = [
    re_path(r"^audit/?$", AuditEntryListApi.as_view(), name="audit-entries"),
]
