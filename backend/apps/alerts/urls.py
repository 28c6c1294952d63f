from django.urls import re_path

from apps.alerts.views import AlertListApi, AlertRuleDetailApi, AlertRuleListApi

urlpatterns = [
    re_path(r"^alert-rules/?$", AlertRuleListApi.as_view(), name="alert-rule-list"),
    re_path(r"^alert-rules/(?P<rule_id>[^/]+)/?$", AlertRuleDetailApi.as_view(), name="alert-rule"),
    re_path(r"^alerts/?$", AlertListApi.as_view(), name="alert-list"),
]
