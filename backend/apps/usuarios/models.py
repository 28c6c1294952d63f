"""Tenants and the users who belong to them."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class Tenant(models.Model):
    """An organisation; every camera, recording and user belongs to exactly one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    OPERATOR = "operator", "Operator"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A person who logs in. Users without a tenant (e.g. a site superuser) see no cameras."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
