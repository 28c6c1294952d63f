"""For tests: an RTSP relay that demands credentials, as MediaMTX does with `authMethod: http`,
and records the user and password each reader presents (HTTP Basic, the scheme MediaMTX
offers). It never serves video: every DESCRIBE is answered 401, so the reader fails.
"""

import base64
import socket
import threading
from types import TracebackType
from typing import Self


class CredentialsRelay:
    """Listens on 127.0.0.1 (`port`); `presented` lists the (user, password) pairs received."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self.presented: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        buffer = b""
        with connection:
            while not self._stop.is_set():
                try:
                    data = connection.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    connection.sendall(self._response(head.decode("latin-1")))

    def _response(self, head: str) -> bytes:
        lines = head.split("\r\n")
        method = lines[0].split(" ", 1)[0]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        cseq = headers.get("cseq", "0")
        if method == "OPTIONS":
            return (
                f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: DESCRIBE, SETUP, PLAY\r\n\r\n".encode()
            )
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(value).decode("utf-8", "replace").partition(":")
            self.presented.append((user, password))
        return (
            f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
            'WWW-Authenticate: Basic realm="relay"\r\n\r\n'
        ).encode()
