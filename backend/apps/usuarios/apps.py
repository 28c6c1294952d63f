from django.apps import AppConfig


class UsuariosConfig(AppConfig):
    """Tenants, users and their roles, and login."""

    name = "apps.usuarios"
    label = "usuarios"
    verbose_name = "Users and tenants"
