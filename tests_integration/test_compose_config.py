"""docker-compose.yml, the production stack, checked without a Docker engine.

There is no Docker engine nor `docker compose` on the development machines, so the file is
checked for what matters when it runs: a valid Compose file (the Compose Specification, through
the `compose-spec` package's parser when it is installed), every image pinned (the Dockerfiles'
base images too), a health check on every long-running service, every mounted host file present
in the repository or made by scripts/generate_certs.sh, every `${VAR}` documented in
.env.example, no secret written in the file, TLS between the services that serve it, and every
URL between services (in the compose file, mediamtx.yml, kong/kong.yml and haproxy/haproxy.cfg)
on a port its target listens on. The HAProxy configuration is checked by `haproxy -c` when
HAProxy is installed, and the containers' shell scripts by `sh -n`.

Each check also runs on broken copies of the file, so that a check which can never fail is
caught too.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import compose_spec
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
CERTS_SCRIPT = REPO / "scripts" / "generate_certs.sh"
MEDIAMTX_FILE = REPO / "mediamtx.yml"
KONG_FILE = REPO / "kong" / "kong.yml"
HAPROXY_FILE = REPO / "haproxy" / "haproxy.cfg"
SHELL_SCRIPTS = (
    REPO / "scripts" / "docker" / "tls-entrypoint.sh",
    REPO / "config" / "rabbitmq" / "start.sh",
)

Doc = dict[str, Any]
Check = Callable[[Doc, str], list[str]]

VARIABLE = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$|KEY_ID$|PASS$")
PINNED_TAG = re.compile(r"^v?\d+(\.\d+){1,2}([-.][A-Za-z0-9.]+)?$")
URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://(?:[^\s/@'\"]*@)?([A-Za-z0-9_.-]+)(?::(\d+))?")
# the services that serve TLS, and the scheme (or the port) a client must use for them
TLS_URLS = {"recorder": {"https"}, "ai-detection": {"https"}, "rabbitmq": {"amqps"}}


def load_compose(text: str | None = None) -> Doc:
    document = yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)
    assert isinstance(document, dict), "docker-compose.yml: the top level is not a mapping"
    return document


def services(doc: Doc) -> dict[str, Doc]:
    found: dict[str, Doc] = doc.get("services") or {}
    return found


def one_shot(doc: Doc) -> set[str]:
    """Tasks that run to completion (migrations, a rendered file) before others start."""
    completed = {
        name
        for service in services(doc).values()
        for name, condition in (service.get("depends_on") or {}).items()
        if isinstance(condition, dict)
        and condition.get("condition") == "service_completed_successfully"
    }
    return {name for name in completed if services(doc).get(name, {}).get("restart") == "no"}


def environment(service: Doc) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def bind_mounts(service: Doc) -> list[tuple[str, str]]:
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, _, rest = str(volume).partition(":")
        if source.startswith((".", "/", "~")):
            mounts.append((source, rest.split(":")[0]))
    return mounts


def certificate_directories() -> set[str]:
    """The per-service directories scripts/generate_certs.sh makes (its SERVICES list)."""
    text = CERTS_SCRIPT.read_text()
    match = re.search(r"^SERVICES=\((.*?)\)", text, re.MULTILINE | re.DOTALL)
    assert match, "generate_certs.sh: no SERVICES=( ... ) list"
    return set(re.findall(r"[A-Za-z0-9_-]+", re.sub(r"#.*", "", match.group(1))))


def documented_variables() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line.strip())
        if match:
            names.add(match.group(1))
    return names


# ---------------------------------------------------------------------------------------------
# the checks: each returns what is wrong (an empty list when nothing is)


def check_compose_spec(doc: Doc, text: str) -> list[str]:
    try:  # YAML merge keys resolved, as Compose resolves them
        compose_spec.PyCompose.from_json(json.dumps(doc))
    except ValueError as exc:
        return [f"not a valid Compose file: {exc}"]
    return []


def check_structure(doc: Doc, text: str) -> list[str]:
    problems = []
    if (
        set(doc)
        - {"name", "services", "volumes", "networks", "configs", "secrets"}
        - {key for key in doc if str(key).startswith("x-")}
    ):
        problems.append(f"unexpected top-level keys: {sorted(doc)}")
    declared = set(doc.get("volumes") or {})
    for name, service in services(doc).items():
        if "image" not in service and "build" not in service:
            problems.append(f"{name}: neither image nor build")
        for volume in service.get("volumes") or []:
            source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
            if source and not source.startswith((".", "/", "~")) and source not in declared:
                problems.append(f"{name}: volume {source!r} is not declared")
        for dependency in service.get("depends_on") or {}:
            if dependency not in services(doc):
                problems.append(f"{name}: depends on unknown service {dependency!r}")
    return problems


def dockerfile_images(dockerfile: Path) -> list[str]:
    images = []
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", line, re.IGNORECASE)
        if match:
            images.append(match.group(1))
    for match in re.finditer(r"COPY\s+--from=(\S+:\S+)", dockerfile.read_text()):
        images.append(match.group(1))
    return images


def dockerfile_of(service: Doc) -> Path | None:
    build = service.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        return REPO / build / "Dockerfile"
    return REPO / str(build.get("context", ".")) / str(build.get("dockerfile", "Dockerfile"))


def check_images_pinned(doc: Doc, text: str) -> list[str]:
    problems = []
    for name, service in services(doc).items():
        images: list[str] = []
        dockerfile = dockerfile_of(service)
        if dockerfile is not None:
            if not dockerfile.is_file():
                problems.append(f"{name}: no Dockerfile at {dockerfile.relative_to(REPO)}")
                continue
            stages = set(re.findall(r"\bAS\s+(\S+)", dockerfile.read_text(), re.IGNORECASE))
            images += [image for image in dockerfile_images(dockerfile) if image not in stages]
        elif "image" in service:
            images.append(str(service["image"]))
        for image in images:
            reference = image.split("@", 1)[0]
            tag = reference.rsplit(":", 1)[1] if ":" in reference.rsplit("/", 1)[-1] else ""
            version = tag.split("-", 1)[0]
            if "@sha256:" not in image and not PINNED_TAG.match(version):
                problems.append(f"{name}: image {image} is not pinned to a version")
    return problems


def check_healthchecks(doc: Doc, text: str) -> list[str]:
    problems = []
    tasks = one_shot(doc)
    for name, service in services(doc).items():
        if name in tasks:
            continue
        check = service.get("healthcheck")
        if not check or check.get("disable") or not check.get("test"):
            problems.append(f"{name}: no health check")
        elif check["test"] in (["NONE"], "NONE"):
            problems.append(f"{name}: health check disabled")
    for name, service in services(doc).items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = condition.get("condition") if isinstance(condition, dict) else None
            if dependency not in tasks and wanted != "service_healthy":
                problems.append(f"{name}: waits for {dependency} without its health check")
    return problems


def check_mounted_files(doc: Doc, text: str) -> list[str]:
    problems = []
    made = certificate_directories()
    for name, service in services(doc).items():
        for source, target in bind_mounts(service):
            relative = Path(source)
            if relative.is_absolute() or ".." in relative.parts:
                problems.append(f"{name}: mounts {source}, outside the repository")
                continue
            parts = relative.parts
            if parts[:2] == (".var", "certs"):
                if len(parts) != 3 or parts[2] not in made:
                    problems.append(f"{name}: {source} is not made by generate_certs.sh")
                elif target != "/certs":
                    problems.append(f"{name}: certificates mounted at {target}, not /certs")
                continue
            if not (REPO / relative).exists():
                problems.append(f"{name}: mounts {source}, which is not in the repository")
        dockerfile = dockerfile_of(service)
        if dockerfile is not None and dockerfile.is_file():
            for line in dockerfile.read_text().splitlines():
                match = re.match(r"^\s*COPY\s+(?!--from)(.+)$", line)
                if not match:
                    continue
                *sources, _ = match.group(1).split()
                for copied in sources:
                    if not (REPO / copied).exists():
                        problems.append(f"{name}: {dockerfile.name} copies missing {copied}")
    return problems


def check_own_certificates(doc: Doc, text: str) -> list[str]:
    """Each container sees its own certificate directory and no other, never the CA's key."""
    problems = []
    for name, service in services(doc).items():
        for source, _ in bind_mounts(service):
            parts = Path(source).parts
            if parts[:2] != (".var", "certs"):
                continue
            own = {name, "backend"} if service.get("image") == "vms-backend:local" else {name}
            if len(parts) < 3 or parts[2] == "ca" or parts[2] not in own:
                problems.append(f"{name}: mounts the certificates of {source}")
    return problems


def check_variables_documented(doc: Doc, text: str) -> list[str]:
    documented = documented_variables()
    used = {m.group(1) or m.group(4) for m in VARIABLE.finditer(text.replace("$$", ""))}
    return [f"${{{name}}} is not in .env.example" for name in sorted(used - documented)]


def _literal_secret(value: str) -> bool:
    """A value that is not entirely `${NAME}` (or `${NAME:?...}`, `${NAME:-}`)."""
    match = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*|:?-)?\}", value)
    return bool(value) and match is None


def check_no_secret_values(doc: Doc, text: str) -> list[str]:
    problems = []
    for name, service in services(doc).items():
        for key, value in environment(service).items():
            secret = SECRET_NAME.search(key) and not key.endswith(("_FILE", "_USER"))
            if secret and _literal_secret(value) and not value.startswith("/run/tls/"):
                problems.append(f"{name}: {key} holds a value, not a ${{VARIABLE}}")
            for url in re.findall(r"[a-z][a-z0-9+.-]*://[^\s]+", value):
                userinfo = urlsplit(url).netloc.rpartition("@")[0]
                password = userinfo.partition(":")[2]
                if password and not re.fullmatch(r"\$\{[^}]+\}", password):
                    problems.append(f"{name}: {key} has a password written in its URL")
        command = service.get("command") or []
        words = command if isinstance(command, list) else str(command).split()
        for before, word in zip(["", *map(str, words)], map(str, words), strict=False):
            if re.search(r"pass|secret|token", before, re.IGNORECASE) and not word.startswith("$"):
                problems.append(f"{name}: a secret is written in its command ({before})")
    return problems


def listening_ports(doc: Doc) -> dict[str, set[int]]:
    ports: dict[str, set[int]] = {}
    for name, service in services(doc).items():
        found = {int(str(port).split("/")[0]) for port in service.get("expose") or []}
        for published in service.get("ports") or []:
            target = published.get("target") if isinstance(published, dict) else None
            if target is None:
                target = str(published).split("/")[0].rsplit(":", 1)[-1]
            found.add(int(target))
        ports[name] = found
    return ports


def service_urls(doc: Doc) -> list[tuple[str, str, str, int | None]]:
    """(where, scheme, host, port) of every URL between services: the compose file's
    environment and commands, mediamtx.yml, kong/kong.yml and haproxy.cfg."""
    found: list[tuple[str, str, str, int | None]] = []

    def scan(where: str, value: str) -> None:
        for scheme, host, port in URL.findall(value):
            found.append((where, scheme, host, int(port) if port else None))

    for name, service in services(doc).items():
        for key, value in environment(service).items():
            scan(f"{name} {key}", value)
        healthcheck = service.get("healthcheck") or {}
        scan(f"{name} healthcheck", json.dumps(healthcheck.get("test", "")))
    mediamtx = yaml.safe_load(MEDIAMTX_FILE.read_text())
    scan("mediamtx.yml authHTTPAddress", str(mediamtx.get("authHTTPAddress", "")))
    kong = yaml.safe_load(KONG_FILE.read_text())
    for kong_service in kong.get("services") or []:
        scan(f"kong.yml {kong_service.get('name')}", str(kong_service.get("url", "")))

    def redis_of(node: Any, where: str) -> None:
        if isinstance(node, dict):
            redis = node.get("redis")
            if isinstance(redis, dict) and "host" in redis:
                scheme = "rediss" if redis.get("ssl") else "redis"
                found.append((where, scheme, str(redis["host"]), int(redis.get("port", 6379))))
            for value in node.values():
                redis_of(value, where)
        elif isinstance(node, list):
            for value in node:
                redis_of(value, where)

    redis_of(kong, "kong.yml rate-limiting")
    for line in HAPROXY_FILE.read_text().splitlines():
        match = re.match(r"^\s*server\s+\S+\s+([A-Za-z0-9_.-]+):(\d+)", line)
        if match:
            found.append(("haproxy.cfg", "http", match.group(1), int(match.group(2))))
    return found


DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379, "amqp": 5672}


def check_ports(doc: Doc, text: str) -> list[str]:
    problems = []
    ports = listening_ports(doc)
    for where, scheme, host, port in service_urls(doc):
        if host in ("localhost", "127.0.0.1"):
            owner = where.split()[0]
            if owner in ports and where.endswith("healthcheck"):
                host = owner
            else:
                continue
        if host not in ports:
            continue
        port = port if port is not None else DEFAULT_PORTS.get(scheme)
        if port not in ports[host]:
            listened = sorted(ports[host])
            problems.append(f"{where}: {scheme}://{host}:{port}, {host} listens on {listened}")
        if scheme in {"http", "amqp"} and host in TLS_URLS:
            problems.append(f"{where}: {scheme}:// to {host}, which serves TLS")
        if host == "redis" and not where.startswith("kong.yml") and scheme != "rediss":
            problems.append(f"{where}: Redis without TLS")
    for name, service in services(doc).items():
        database = environment(service).get("DATABASE_URL", "")
        if database and "sslmode=verify-full" not in database:
            problems.append(f"{name}: DATABASE_URL does not verify PostgreSQL's certificate")
    return problems


CHECKS: dict[str, Check] = {
    "compose_spec": check_compose_spec,
    "structure": check_structure,
    "images_pinned": check_images_pinned,
    "healthchecks": check_healthchecks,
    "mounted_files": check_mounted_files,
    "own_certificates": check_own_certificates,
    "variables_documented": check_variables_documented,
    "no_secret_values": check_no_secret_values,
    "ports": check_ports,
}


@pytest.mark.parametrize("check", list(CHECKS))
def test_the_compose_file_passes(check: str) -> None:
    text = COMPOSE_FILE.read_text()
    assert CHECKS[check](load_compose(text), text) == []


def test_the_stack_has_what_the_architecture_names() -> None:
    doc = load_compose()
    expected = {
        "mediamtx": "bluenviron/mediamtx:1.13.1",
        "kong": "kong:3.9.1",
        "postgres": "postgres:15",
        "rabbitmq": "rabbitmq:",
        "redis": "redis:",
        "haproxy": "haproxy:",
    }
    for name, image in expected.items():
        assert str(services(doc)[name]["image"]).startswith(image), name
    for name in ("backend", "worker", "recorder", "ai-detection"):
        assert name in services(doc)
    kong = services(doc)["kong"]
    assert environment(kong)["KONG_DATABASE"] == "off"
    assert ("./kong/kong.yml", "/kong/kong.yml") in bind_mounts(services(doc)["kong-config"])
    assert ("./mediamtx.yml", "/mediamtx.yml") in bind_mounts(services(doc)["mediamtx"])
    rabbit = dict(bind_mounts(services(doc)["rabbitmq"]))
    assert rabbit["./config/rabbitmq/rabbitmq.conf"] == "/etc/rabbitmq/rabbitmq.conf"
    assert rabbit["./config/rabbitmq/definitions.json"] == "/etc/rabbitmq/definitions.json"
    # the recorder and the detection service read the relay as the internal reader
    for name in ("recorder", "ai-detection"):
        env = environment(services(doc)[name])
        assert env["RELAY_RTSP_BASE"] == "rtsp://mediamtx:8554"
        assert env["STREAM_READER_PASSWORD"].startswith("${STREAM_READER_PASSWORD")
    assert environment(services(doc)["backend"])["RECORDER_URL"] == "https://recorder:8003"


# ---------------------------------------------------------------------------------------------
# every check fails on a broken copy


def _env(doc: Doc, service: str) -> dict[str, Any]:
    env: dict[str, Any] = services(doc)[service]["environment"]
    return env


MUTATIONS: dict[str, tuple[str, Callable[[Doc], None]]] = {
    "unknown_key": ("compose_spec", lambda d: services(d)["kong"].update(bogus=1)),
    "bad_duration": (
        "compose_spec",
        lambda d: services(d)["redis"]["healthcheck"].update(interval="often"),
    ),
    "undeclared_volume": (
        "structure",
        lambda d: services(d)["recorder"]["volumes"].append("nowhere:/x"),
    ),
    "unknown_dependency": (
        "structure",
        lambda d: services(d)["kong"]["depends_on"].update(ghost={"condition": "service_healthy"}),
    ),
    "latest": ("images_pinned", lambda d: services(d)["redis"].update(image="redis:latest")),
    "untagged": ("images_pinned", lambda d: services(d)["kong"].update(image="kong")),
    "major_only": ("images_pinned", lambda d: services(d)["haproxy"].update(image="haproxy:3")),
    "no_healthcheck": ("healthchecks", lambda d: services(d)["recorder"].pop("healthcheck")),
    "disabled_healthcheck": (
        "healthchecks",
        lambda d: services(d)["haproxy"].update(healthcheck={"disable": True}),
    ),
    "started_not_healthy": (
        "healthchecks",
        lambda d: services(d)["backend"]["depends_on"].update(
            postgres={"condition": "service_started"}
        ),
    ),
    "missing_file": (
        "mounted_files",
        lambda d: services(d)["haproxy"]["volumes"].append("./haproxy/missing.cfg:/x:ro"),
    ),
    "unknown_certs": (
        "mounted_files",
        lambda d: services(d)["haproxy"]["volumes"].append("./.var/certs/nobody:/certs:ro"),
    ),
    "outside_repo": (
        "mounted_files",
        lambda d: services(d)["redis"]["volumes"].append("/etc/passwd:/x:ro"),
    ),
    "another_services_certs": (
        "own_certificates",
        lambda d: services(d)["recorder"]["volumes"].append("./.var/certs/backend:/certs:ro"),
    ),
    "the_ca_key": (
        "own_certificates",
        lambda d: services(d)["kong"]["volumes"].append("./.var/certs/ca:/ca:ro"),
    ),
    "literal_password": (
        "no_secret_values",
        lambda d: _env(d, "postgres").update(POSTGRES_PASSWORD="hunter2hunter2"),
    ),
    "secret_default": (
        "no_secret_values",
        lambda d: _env(d, "recorder").update(RECORDER_API_TOKEN="${RECORDER_API_TOKEN:-changeme}"),
    ),
    "password_in_url": (
        "no_secret_values",
        lambda d: _env(d, "recorder").update(RABBITMQ_URL="amqps://vms:guest@rabbitmq:5671/%2F"),
    ),
    "wrong_port": (
        "ports",
        lambda d: _env(d, "backend").update(RECORDER_URL="https://recorder:8000"),
    ),
    "plain_http_to_tls": (
        "ports",
        lambda d: _env(d, "backend").update(RECORDER_URL="http://recorder:8003"),
    ),
    "redis_without_tls": (
        "ports",
        lambda d: _env(d, "worker").update(REDIS_URL="redis://redis:6379/0"),
    ),
    "unverified_database": (
        "ports",
        lambda d: _env(d, "migrate").update(DATABASE_URL="postgres://vms@postgres:5432/vms"),
    ),
    "port_not_listened": ("ports", lambda d: services(d)["mediamtx"].update(expose=["9997"])),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_every_check_fails_on_a_broken_copy(mutation: str) -> None:
    check, mutate = MUTATIONS[mutation]
    doc = copy.deepcopy(load_compose())
    mutate(doc)
    assert CHECKS[check](doc, COMPOSE_FILE.read_text()) != []


def test_an_undocumented_variable_is_found() -> None:
    text = COMPOSE_FILE.read_text() + "\nx-extra:\n  VALUE: ${NOT_IN_THE_EXAMPLE_FILE}\n"
    assert check_variables_documented(load_compose(text), text) == [
        "${NOT_IN_THE_EXAMPLE_FILE} is not in .env.example"
    ]


# ---------------------------------------------------------------------------------------------
# the files the containers run


def test_haproxy_accepts_its_configuration(tmp_path: Path) -> None:
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(HAPROXY_FILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    broken = tmp_path / "haproxy.cfg"
    broken.write_text(HAPROXY_FILE.read_text().replace("balance uri", "balance by-camera"))
    refused = subprocess.run(
        ["haproxy", "-c", "-f", str(broken)], capture_output=True, timeout=30, check=False
    )
    assert refused.returncode != 0


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda path: path.name)
def test_container_scripts_are_valid_executable_shell(script: Path) -> None:
    assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
    result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr


def _entrypoint_in(tmp_path: Path) -> Path:
    """tls-entrypoint.sh with /certs and /run/tls moved under tmp_path (the system's CA
    bundle, /etc/ssl/certs/..., left where it is)."""
    certs = tmp_path / "certs"
    certs.mkdir()
    for name in ("tls.crt", "tls.key", "ca.crt"):
        (certs / name).write_text(name)
    (certs / "tls.key").chmod(0o600)
    script = re.sub(r"(?<![\w.-])/certs/", f"{certs}/", SHELL_SCRIPTS[0].read_text())
    script = script.replace("/run/tls", str(tmp_path / "run-tls"))
    runnable = tmp_path / "entrypoint.sh"
    runnable.write_text(script)
    return runnable


def test_the_tls_entrypoint_copies_the_certificates_for_the_service(tmp_path: Path) -> None:
    runnable = _entrypoint_in(tmp_path)
    owner = subprocess.check_output(["id", "-un"], text=True).strip()

    result = subprocess.run(
        ["sh", str(runnable), "cat", str(tmp_path / "run-tls" / "ca-bundle.crt")],
        capture_output=True,
        text=True,
        timeout=10,
        env={"PATH": "/usr/bin:/bin", "TLS_OWNER": owner},
        check=False,
    )

    assert result.returncode == 0, result.stderr
    system = Path("/etc/ssl/certs/ca-certificates.crt")
    public = system.read_text() if system.is_file() else ""
    assert result.stdout == public + "ca.crt"  # the public CAs, then ours
    copied = tmp_path / "run-tls"
    assert (copied / "tls.key").stat().st_mode & 0o777 == 0o600
    assert (copied / "tls.crt").read_text() == "tls.crt"


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
def test_the_tls_entrypoint_runs_the_service_as_its_user() -> None:
    # not pytest's tmp_path: its folders are closed to other users
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        root.chmod(0o755)
        runnable = _entrypoint_in(root)
        key = root / "run-tls" / "tls.key"

        result = subprocess.run(
            ["sh", str(runnable), "sh", "-c", f"id -u; cat {key}"],
            capture_output=True,
            text=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin", "TLS_OWNER": "nobody", "TLS_RUN_AS": "nobody"},
            check=False,
        )
        owner = key.stat().st_uid

    assert result.returncode == 0, result.stderr
    nobody = subprocess.check_output(["id", "-u", "nobody"], text=True).strip()
    assert result.stdout.split() == [nobody, "tls.key"]  # its own key, readable by it alone
    assert owner == int(nobody)
