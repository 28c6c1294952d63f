"""Internal TLS: the certificates of `scripts/generate_certs.sh` on a real service.

The script makes a CA and the services' certificates in a temporary directory; the recorder
runs for real under uvicorn with its certificate (as docs/tls.md starts it) and real TLS
clients talk to it over 127.0.0.1: one trusting the CA completes the handshake and gets an
HTTP answer, one with the default trust store or expecting another host name is refused.
The broker is not needed: `/health` may answer 503 when the vhost `vms_h4` is not there.
"""

import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from recorder.settings import RecorderSettings
from vms_common.settings import ServiceSettings

pytestmark = pytest.mark.timeout(180)

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "generate_certs.sh"
UVICORN = Path(sys.executable).parent / "uvicorn"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/vms_h4"
# among the services of the script's list
SERVICES = ["backend", "recorder", "ai-detection", "rabbitmq", "postgres", "redis"]
START_TIMEOUT_S = 30.0


def generate(out: Path, *args: str) -> str:
    result = subprocess.run(
        [str(SCRIPT), *args, str(out)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def start_recorder(tmp: Path, certs: Path, *extra: str) -> Server:
    """The recorder under uvicorn with its certificate, on a free port, once it accepts TCP."""
    port = free_port()
    own = certs / "recorder"
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "RECORDER_API_TOKEN": secrets.token_urlsafe(24),
        "RECORDINGS_ROOT": str(tmp / "recordings"),
        "RABBITMQ_URL": RABBITMQ_URL,
        "TIERING_AFTER_DAYS": "0",
        "CLEANUP_AT": "",
        "TLS_CERT_FILE": str(own / "tls.crt"),
        "TLS_KEY_FILE": str(own / "tls.key"),
        "TLS_CA_FILE": str(own / "ca.crt"),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp / f"recorder-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(UVICORN),
                "--factory",
                "recorder.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--ssl-certfile",
                str(own / "tls.crt"),
                "--ssl-keyfile",
                str(own / "tls.key"),
                *extra,
                "--no-access-log",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"recorder exited with {process.returncode}:\n{server.log_tail()}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"recorder not listening after {START_TIMEOUT_S} s:\n{server.log_tail()}"
                    ) from None
                time.sleep(0.2)
    except BaseException:
        stop(server)
        raise


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def get_health(context: ssl.SSLContext, port: int, hostname: str) -> tuple[int, dict[str, object]]:
    """`GET /health` over a TLS connection to 127.0.0.1 that expects `hostname`: the HTTP
    status and the server certificate as `ssl` decoded it. A connection closed without TLS's
    close_notify raises `ssl.SSLEOFError`."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=hostname, suppress_ragged_eofs=False) as tls,
    ):
        peer = tls.getpeercert()
        assert peer is not None
        tls.sendall(
            f"GET /health HTTP/1.1\r\nHost: {hostname}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 "), answer[:200]
    return int(status_line.split()[1]), dict(peer)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("certs")
    generate(out)
    return out


@pytest.fixture(scope="module")
def recorder(certs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_recorder(tmp_path_factory.mktemp("recorder"), certs)
    try:
        yield server
    finally:
        stop(server)


def test_the_ca_and_every_certificate(certs: Path) -> None:
    ca = x509.load_pem_x509_certificate((certs / "ca" / "ca.crt").read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days >= 3649
    assert (certs / "ca" / "ca.key").stat().st_mode & 0o777 == 0o600

    made = sorted(p.name for p in certs.iterdir() if p.is_dir() and p.name != "ca")
    assert set(SERVICES) <= set(made), made
    for service in made:
        own = certs / service
        verified = subprocess.run(
            ["openssl", "verify", "-CAfile", str(certs / "ca" / "ca.crt"), str(own / "tls.crt")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.strip().endswith(": OK")
        assert (own / "tls.key").stat().st_mode & 0o777 == 0o600
        assert (own / "ca.crt").read_bytes() == (certs / "ca" / "ca.crt").read_bytes()
        assert not (own / "ca.key").exists()

        cert = x509.load_pem_x509_certificate((own / "tls.crt").read_bytes())
        assert cert.issuer == ca.subject
        assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 825
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert set(purposes) == {
            x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
            x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH,
        }
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert set(names.get_values_for_type(x509.DNSName)) == {
            service,
            f"{service}.vms.internal",
            "localhost",
        }
        assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_rerun_keeps_the_ca_and_makes_what_is_missing(tmp_path: Path) -> None:
    first = generate(tmp_path)
    assert first.count("made") == first.count("\n")
    ca = (tmp_path / "ca" / "ca.crt").read_bytes()
    backend = (tmp_path / "backend" / "tls.crt").read_bytes()
    (tmp_path / "recorder" / "tls.crt").unlink()

    second = generate(tmp_path)
    made = [line for line in second.splitlines() if line.startswith("made")]
    assert len(made) == 1 and "/recorder/tls.crt" in made[0], second
    assert (tmp_path / "ca" / "ca.crt").read_bytes() == ca
    assert (tmp_path / "backend" / "tls.crt").read_bytes() == backend

    generate(tmp_path, "--force")
    assert (tmp_path / "ca" / "ca.crt").read_bytes() != ca
    assert (tmp_path / "backend" / "tls.crt").read_bytes() != backend


def test_a_client_trusting_the_ca_completes_the_handshake(certs: Path, recorder: Server) -> None:
    context = ssl.create_default_context(cafile=certs / "ca" / "ca.crt")
    for hostname in ("127.0.0.1", "recorder", "localhost"):
        status, peer = get_health(context, recorder.port, hostname)
        # without the broker /health says "degraded": still an HTTP answer over TLS
        assert status in (200, 503), recorder.log_tail()
        names = peer["subjectAltName"]
        assert isinstance(names, tuple)
        assert ("DNS", "recorder") in names
        assert ("IP Address", "127.0.0.1") in names


def test_a_client_without_the_ca_is_refused(recorder: Server) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        get_health(ssl.create_default_context(), recorder.port, "recorder")
    assert refused.value.verify_code == 20  # unable to get local issuer certificate


def test_a_client_expecting_another_host_is_refused(certs: Path, recorder: Server) -> None:
    context = ssl.create_default_context(cafile=certs / "ca" / "ca.crt")
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        get_health(context, recorder.port, "evil.example")
    assert refused.value.verify_code == 62  # hostname mismatch


def test_service_settings_give_an_httpx_client_that_verifies(
    certs: Path, recorder: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = certs / "backend"
    monkeypatch.setenv("TLS_CERT_FILE", str(own / "tls.crt"))
    monkeypatch.setenv("TLS_KEY_FILE", str(own / "tls.key"))
    monkeypatch.setenv("TLS_CA_FILE", str(own / "ca.crt"))
    settings = ServiceSettings()
    assert settings.tls_ca_file == own / "ca.crt"
    with httpx.Client(verify=settings.tls_client_context(), timeout=10) as client:
        response = client.get(f"https://127.0.0.1:{recorder.port}/health")
    assert response.status_code in (200, 503)
    assert set(response.json()["checks"]) >= {"rabbitmq", "storage"}

    monkeypatch.delenv("TLS_CA_FILE")
    with (
        httpx.Client(verify=ServiceSettings().tls_client_context(), timeout=10) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(f"https://127.0.0.1:{recorder.port}/health")


def test_a_certificate_needs_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDER_API_TOKEN", secrets.token_urlsafe(24))
    monkeypatch.setenv("TLS_CERT_FILE", "/certs/tls.crt")
    monkeypatch.setenv("TLS_KEY_FILE", "")
    with pytest.raises(ValidationError, match="TLS_CERT_FILE and TLS_KEY_FILE"):
        RecorderSettings()  # type: ignore[call-arg]


def test_a_server_requiring_client_certificates(certs: Path, tmp_path: Path) -> None:
    """Mutual TLS, uvicorn's --ssl-cert-reqs 2: a client presenting a certificate of the CA
    (the backend's) gets an answer, a client presenting none is refused."""
    server = start_recorder(
        tmp_path,
        certs,
        "--ssl-ca-certs",
        str(certs / "recorder" / "ca.crt"),
        "--ssl-cert-reqs",
        str(int(ssl.CERT_REQUIRED)),
    )
    try:
        anonymous = ssl.create_default_context(cafile=certs / "ca" / "ca.crt")
        # TLS 1.3: the server's refusal arrives with the first read after the handshake
        with pytest.raises((ssl.SSLError, ConnectionError)):
            get_health(anonymous, server.port, "recorder")

        backend = ssl.create_default_context(cafile=certs / "ca" / "ca.crt")
        backend.load_cert_chain(certs / "backend" / "tls.crt", certs / "backend" / "tls.key")
        status, _ = get_health(backend, server.port, "recorder")
        assert status in (200, 503), server.log_tail()
    finally:
        stop(server)
