"""A camera's RTSP address, checked before it reaches ffmpeg or the relay.

Only `rtsp://` and `rtsps://` URLs with a host (a DNS name or an IP address) are taken, and
every other part is held to a short list of characters: nothing that could reach a shell or
be read as an ffmpeg option gets through (no whitespace, control characters, quotes, or
`;|$<>\\(){}^`), and `&` and `=` only in the query, where cameras such as Dahua's name their
streams with them. Credentials are percent-encoded in the URL; they are split off so that
the stored and displayed address never shows them.
"""

import ipaddress
import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlsplit

MAX_LENGTH = 500
SCHEMES = ("rtsp", "rtsps")
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!*+,:@/%]*")
_QUERY_CHARS = re.compile(r"[A-Za-z0-9\-._~!*+,:@/%&=?]*")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_USERINFO_CHARS = re.compile(r"[A-Za-z0-9\-._~!*+,=&%:]*")


class InvalidRtspUrl(ValueError):
    """The text is not an RTSP URL this system will open; `str()` says why."""


@dataclass(frozen=True)
class RtspUrl:
    scheme: str
    host: str
    port: int | None
    path: str
    query: str
    username: str = ""
    password: str = ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.username or self.password)

    @property
    def address(self) -> str:
        """The URL without credentials: safe to store in the clear, show and log."""
        return self._format(with_credentials=False)

    def with_credentials(self, username: str, password: str) -> "RtspUrl":
        _check_credential("username", username)
        _check_credential("password", password)
        return replace(self, username=username, password=password)

    def secret_url(self) -> str:
        """The URL with its credentials, for the relay that connects to the camera only."""
        return self._format(with_credentials=True)

    def _format(self, *, with_credentials: bool) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = host if self.port is None else f"{host}:{self.port}"
        if with_credentials and self.has_credentials:
            userinfo = quote(self.username, safe="")
            if self.password:
                userinfo += ":" + quote(self.password, safe="")
            netloc = f"{userinfo}@{netloc}"
        url = f"{self.scheme}://{netloc}{self.path}"
        return f"{url}?{self.query}" if self.query else url


def rtsp_url_parse(text: str) -> RtspUrl:
    """Raises InvalidRtspUrl with a message naming the problem (never echoing a password)."""
    if not isinstance(text, str) or not text:
        raise InvalidRtspUrl("an RTSP URL is required")
    if len(text) > MAX_LENGTH:
        raise InvalidRtspUrl(f"at most {MAX_LENGTH} characters")
    scheme, separator, rest = text.partition("://")
    if scheme.lower() not in SCHEMES or not separator:
        raise InvalidRtspUrl("only rtsp:// and rtsps:// URLs are accepted")
    if re.search(r"[\s\x00-\x1f\x7f]", text):
        raise InvalidRtspUrl("spaces and control characters are not allowed")
    if _BAD_PERCENT.search(text):
        raise InvalidRtspUrl("a % must start a percent-encoded character such as %40")
    if "#" in text:
        raise InvalidRtspUrl("a fragment (#...) is not allowed")
    authority = re.split(r"[/?]", rest, maxsplit=1)[0]
    userinfo, at, _ = authority.rpartition("@")
    if at and not _USERINFO_CHARS.fullmatch(userinfo):
        raise InvalidRtspUrl("credentials must be percent-encoded (e.g. @ as %40)")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidRtspUrl("the host or port is not valid") from None
    host = _check_host(parts.hostname or "")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidRtspUrl("the port must be from 1 to 65535")
    if not _PATH_CHARS.fullmatch(parts.path):
        raise InvalidRtspUrl("the path may hold letters, digits and -._~!*+,:@/% only")
    if not _QUERY_CHARS.fullmatch(parts.query):
        raise InvalidRtspUrl("the query may hold letters, digits and -._~!*+,:@/%&=? only")
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    _check_credential("username", username)
    _check_credential("password", password)
    return RtspUrl(
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        path=parts.path,
        query=parts.query,
        username=username,
        password=password,
    )


def _check_host(host: str) -> str:
    if not host:
        raise InvalidRtspUrl("a host is required")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise InvalidRtspUrl("the host must be a DNS name or an IP address")
    return host.lower()


def _check_credential(name: str, value: str) -> None:
    if len(value) > 200:
        raise InvalidRtspUrl(f"the {name} is longer than 200 characters")
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise InvalidRtspUrl(f"the {name} contains a control character")
