"""Reading a camera from the relay (MediaMTX) as the internal reader, and keeping the reader's
credentials out of logs and status answers.

In production MediaMTX asks the backend (`POST /api/auth/validate-stream`) about every reader;
the recorder and the detection service present the internal reader's user and password
(`STREAM_READER_USER`, `STREAM_READER_PASSWORD`) in the RTSP URL they give ffmpeg. ffmpeg
repeats that URL in its error messages, so whatever text may hold it (ffmpeg's output, a
command line, a URL) goes through `redact` before it is logged or returned.
"""

import re
from urllib.parse import quote, urlsplit, urlunsplit

from vms_common.contracts import relay_path

REDACTED = "***"
# `scheme://user:password@`: the password is everything up to the `@` that ends the userinfo
_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/?#@:]*):(?P<password>[^\s/?#@]*)@"
)


def relay_camera_url(
    base: str, tenant_id: str, camera_id: str, *, user: str = "", password: str = ""
) -> str:
    """The camera's URL on the relay, `{base}/{tenant_id}/camera/{camera_id}`, with the
    reader's credentials (percent-encoded) when a password is given."""
    url = f"{base.rstrip('/')}/{relay_path(tenant_id, camera_id)}"
    if not password:
        return url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def redact(text: str, *secrets: str) -> str:
    """`text` without the password of any URL in it, nor any of `secrets` (as they are and
    percent-encoded); each is replaced by `***`."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, REDACTED)
    return text
