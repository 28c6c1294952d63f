"""Camera passwords at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256) under a key
derived from Django's SECRET_KEY, so a database dump alone does not give them away.
Changing SECRET_KEY makes stored camera passwords unreadable: they must be entered again."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

KEY_LABEL = b"vms camera credentials v1"


class CredentialsUnreadable(Exception):
    """The stored password was sealed under another key or was altered."""


def _fernet() -> Fernet:
    key = hmac.new(settings.SECRET_KEY.encode(), KEY_LABEL, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def password_seal(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode() if password else ""


def password_unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable("the camera's stored password cannot be read") from None
