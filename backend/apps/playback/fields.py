"""Serializer fields for query parameters."""

import re
from typing import Any

from rest_framework import serializers

# In a query string an unencoded "+" arrives as a space: "10:00:00 01:00" meant "+01:00".
SPACE_FOR_PLUS = re.compile(r" (\d{2}(?::?\d{2})?)$")


class QueryDateTimeField(serializers.DateTimeField):
    """An ISO-8601 time in UTC: `Z` and offsets are converted, a naive time is taken as UTC."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = SPACE_FOR_PLUS.sub(r"+\1", value.strip())
        return super().to_internal_value(value)
