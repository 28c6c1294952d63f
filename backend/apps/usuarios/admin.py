from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.usuarios.models import Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "created_at")
    search_fields = ("name",)
    readonly_fields = ("id", "created_at")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "tenant", "role", "is_active", "is_staff")
    list_filter = ("tenant", "role", "is_active", "is_staff")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Tenant", {"fields": ("tenant", "role")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Tenant", {"fields": ("tenant", "role")}))
