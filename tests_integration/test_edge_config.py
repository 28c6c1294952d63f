"""The edge configuration: Kong's declarative file and MediaMTX's configuration.

Neither Kong (nor decK) nor MediaMTX can be installed on this machine, so both files are
checked against their documented formats instead: Kong 3.x DB-less declarative configuration
(`_format_version: "3.0"`, the entities' and the bundled plugins' documented fields) and the
MediaMTX v1 configuration reference (an explicit allow-list of the keys, the value types, the
path name regex). On top of the formats, the contracts the rest of the VMS relies on: what is
exposed and with which authentication, the rate limit, the trace header the backend reads, the
stream authentication URL, and which relay paths MediaMTX accepts.

Each validator is also run on broken copies of the files, so that a check which can never
fail is caught too.
"""

import ast
import copy
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from vms_common.contracts import relay_path

REPO = Path(__file__).resolve().parents[1]
KONG_FILE = REPO / "kong" / "kong.yml"
MEDIAMTX_FILE = REPO / "mediamtx.yml"
TRACE_MIDDLEWARE = REPO / "backend" / "apps" / "core" / "middleware.py"
BACKEND_SETTINGS = REPO / "backend" / "config" / "settings.py"

Doc = dict[str, Any]


def load(path: Path) -> Doc:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path.name}: the top level is not a mapping"
    return document


# ---------------------------------------------------------------------------------------------
# Kong 3.x declarative configuration

KONG_TOP_LEVEL = {
    "_format_version", "_transform", "_comment", "_workspace",
    "services", "routes", "consumers", "consumer_groups", "plugins", "upstreams", "targets",
    "certificates", "ca_certificates", "snis", "vaults", "keys", "key_sets", "filter_chains",
    "acls", "basicauth_credentials", "hmacauth_credentials", "jwt_secrets",
    "keyauth_credentials", "oauth2_credentials",
}  # fmt: skip
SERVICE_FIELDS = {
    "id", "name", "url", "protocol", "host", "port", "path", "retries", "connect_timeout",
    "write_timeout", "read_timeout", "tags", "client_certificate", "tls_verify",
    "tls_verify_depth", "ca_certificates", "enabled", "routes", "plugins",
}  # fmt: skip
ROUTE_FIELDS = {
    "id", "name", "protocols", "methods", "hosts", "paths", "headers",
    "https_redirect_status_code", "regex_priority", "strip_path", "path_handling",
    "preserve_host", "request_buffering", "response_buffering", "snis", "sources",
    "destinations", "tags", "service", "plugins",
}  # fmt: skip
PLUGIN_FIELDS = {
    "id", "name", "instance_name", "config", "protocols", "enabled", "tags", "consumer",
    "route", "service", "consumer_group", "ordering",
}  # fmt: skip
CONSUMER_FIELDS = {
    "id", "username", "custom_id", "tags", "plugins", "acls", "basicauth_credentials",
    "hmacauth_credentials", "jwt_secrets", "keyauth_credentials", "oauth2_credentials",
}  # fmt: skip
JWT_SECRET_FIELDS = {"id", "key", "secret", "algorithm", "rsa_public_key", "tags", "consumer"}
JWT_ALGORITHMS = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
                  "ES512", "PS256", "PS384", "PS512", "EdDSA"}  # fmt: skip
SERVICE_PROTOCOLS = {"http", "https", "grpc", "grpcs", "tcp", "tls", "udp", "ws", "wss",
                     "tls_passthrough"}  # fmt: skip
HTTP_PROTOCOLS = {"http", "https", "grpc", "grpcs", "ws", "wss"}
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

# The plugins bundled with Kong Gateway 3.x (open source).
KONG_BUNDLED_PLUGINS = {
    "acl", "acme", "ai-prompt-decorator", "ai-prompt-guard", "ai-prompt-template", "ai-proxy",
    "ai-request-transformer", "ai-response-transformer", "aws-lambda", "azure-functions",
    "basic-auth", "bot-detection", "correlation-id", "cors", "datadog", "file-log",
    "grpc-gateway", "grpc-web", "hmac-auth", "http-log", "ip-restriction", "jwt", "key-auth",
    "ldap-auth", "loggly", "oauth2", "opentelemetry", "post-function", "pre-function",
    "prometheus", "proxy-cache", "rate-limiting", "redirect", "request-size-limiting",
    "request-termination", "request-transformer", "response-ratelimiting",
    "response-transformer", "session", "standard-webhooks", "statsd", "syslog", "tcp-log",
    "udp-log", "zipkin",
}  # fmt: skip

REDIS_FIELDS = {"host", "port", "timeout", "connect_timeout", "send_timeout", "read_timeout",
                "username", "password", "database", "ssl", "ssl_verify", "server_name"}  # fmt: skip
RATE_WINDOWS = ("second", "minute", "hour", "day", "month", "year")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_rate_limiting(config: Doc) -> list[str]:
    errors = []
    windows = [w for w in RATE_WINDOWS if w in config]
    if not windows:
        errors.append("needs at least one of " + ", ".join(RATE_WINDOWS))
    for window in windows:
        value = config[window]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            errors.append(f"{window} must be a positive number")
    limit_by = config.get("limit_by", "consumer")
    if limit_by not in {"consumer", "credential", "ip", "service", "header", "path",
                        "consumer-group"}:  # fmt: skip
        errors.append(f"limit_by {limit_by!r} is not one Kong knows")
    if limit_by == "header" and not config.get("header_name"):
        errors.append("limit_by header needs header_name")
    if limit_by == "path" and not config.get("path"):
        errors.append("limit_by path needs path")
    policy = config.get("policy", "local")
    if policy not in {"local", "cluster", "redis"}:
        errors.append(f"policy {policy!r} is not one Kong knows")
    redis = config.get("redis", {})
    if not isinstance(redis, dict) or set(redis) - REDIS_FIELDS:
        errors.append(f"redis has unknown fields {sorted(set(redis) - REDIS_FIELDS)}")
    elif policy == "redis" and not redis.get("host"):
        errors.append("policy redis needs redis.host")
    return errors


def _check_jwt(config: Doc) -> list[str]:
    errors = []
    for name in ("uri_param_names", "cookie_names", "header_names", "claims_to_verify"):
        if name in config and not _strings(config[name]):
            errors.append(f"{name} must be a list of strings")
    if set(config.get("claims_to_verify", [])) - {"exp", "nbf"}:
        errors.append("claims_to_verify accepts exp and nbf only")
    return errors


def _check_cors(config: Doc) -> list[str]:
    errors = []
    if set(config.get("methods", [])) - HTTP_METHODS:
        errors.append("methods has unknown HTTP methods")
    if "*" in config.get("origins", []) and config.get("credentials"):
        errors.append("origins * with credentials is refused by browsers")
    return errors


def _check_correlation_id(config: Doc) -> list[str]:
    if config.get("generator", "uuid#counter") not in {"uuid", "uuid#counter", "tracker"}:
        return ["generator must be uuid, uuid#counter or tracker"]
    return []


def _check_request_size(config: Doc) -> list[str]:
    errors = []
    if config.get("size_unit", "megabytes") not in {"megabytes", "kilobytes", "bytes"}:
        errors.append("size_unit must be megabytes, kilobytes or bytes")
    size = config.get("allowed_payload_size", 128)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        errors.append("allowed_payload_size must be a positive integer")
    return errors


def _check_request_termination(config: Doc) -> list[str]:
    status = config.get("status_code", 503)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return ["status_code must be an HTTP status"]
    if "body" in config and "message" in config:
        return ["body and message exclude each other"]
    return []


def _no_checks(config: Doc) -> list[str]:
    return []


# Documented configuration fields of the plugins this file uses, and their own checks.
PLUGIN_SCHEMAS: dict[str, tuple[set[str], Callable[[Doc], list[str]]]] = {
    "rate-limiting": (
        {*RATE_WINDOWS, "limit_by", "header_name", "path", "policy", "fault_tolerant", "redis",
         "hide_client_headers", "error_code", "error_message", "sync_rate"},
        _check_rate_limiting,
    ),
    "jwt": (
        {"uri_param_names", "cookie_names", "key_claim_name", "secret_is_base64",
         "claims_to_verify", "anonymous", "run_on_preflight", "maximum_expiration",
         "header_names", "realm"},
        _check_jwt,
    ),
    "cors": (
        {"origins", "headers", "exposed_headers", "methods", "max_age", "credentials",
         "private_network", "preflight_continue", "allow_origin_absent"},
        _check_cors,
    ),
    "correlation-id": ({"header_name", "generator", "echo_downstream"}, _check_correlation_id),
    "request-size-limiting": (
        {"allowed_payload_size", "size_unit", "require_content_length"},
        _check_request_size,
    ),
    "request-termination": (
        {"status_code", "message", "content_type", "body", "echo", "trigger"},
        _check_request_termination,
    ),
    "prometheus": (
        {"per_consumer", "status_code_metrics", "latency_metrics", "bandwidth_metrics",
         "upstream_health_metrics", "ai_metrics"},
        _no_checks,
    ),
}  # fmt: skip

NAME = re.compile(r"^[A-Za-z0-9._~-]+$")
VAULT_REFERENCE = re.compile(r"^\{vault://env/[a-z0-9_-]+\}$")
DECK_ENV = re.compile(r'^\$\{\{ env "DECK_[A-Z0-9_]+" \}\}$')
CREDENTIALS = re.compile(
    r"(jwt_secrets|keyauth_credentials|basicauth_credentials|hmacauth_credentials|"
    r"oauth2_credentials)\[[0-9]+\]$"
)
URL = re.compile(r"^(?P<scheme>https?|grpcs?|tcp|tls|udp|wss?)://(?P<host>[A-Za-z0-9.-]+)"
                 r"(?::(?P<port>[0-9]{1,5}))?(?P<path>/\S*)?$")  # fmt: skip


class KongConfig:
    """The entities of a declarative file, nested ones flattened with their parent named."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.services: list[Doc] = []
        self.routes: list[tuple[Doc, str | None]] = []
        self.plugins: list[tuple[Doc, dict[str, str]]] = []
        self.consumers: list[Doc] = []
        self.jwt_secrets: list[tuple[Doc, str | None]] = []
        for service in _items(doc.get("services")):
            self.services.append(service)
            for route in _items(service.get("routes")):
                self.routes.append((route, service.get("name")))
                for plugin in _items(route.get("plugins")):
                    self.plugins.append((plugin, {"route": route.get("name", "")}))
            for plugin in _items(service.get("plugins")):
                self.plugins.append((plugin, {"service": service.get("name", "")}))
        for route in _items(doc.get("routes")):
            self.routes.append((route, _ref(route.get("service"))))
            for plugin in _items(route.get("plugins")):
                self.plugins.append((plugin, {"route": route.get("name", "")}))
        for consumer in _items(doc.get("consumers")):
            self.consumers.append(consumer)
            for plugin in _items(consumer.get("plugins")):
                self.plugins.append((plugin, {"consumer": consumer.get("username", "")}))
            for secret in _items(consumer.get("jwt_secrets")):
                self.jwt_secrets.append((secret, consumer.get("username")))
        for plugin in _items(doc.get("plugins")):
            scope: dict[str, str] = {
                k: _ref(plugin[k]) or "" for k in ("service", "route", "consumer") if k in plugin
            }
            self.plugins.append((plugin, scope))
        for secret in _items(doc.get("jwt_secrets")):
            self.jwt_secrets.append((secret, _ref(secret.get("consumer"))))

    def plugins_of(self, name: str, **scope: str) -> list[Doc]:
        return [p for p, s in self.plugins if p.get("name") == name and s == scope]

    def route(self, name: str) -> Doc:
        matches = [r for r, _ in self.routes if r.get("name") == name]
        assert len(matches) == 1, f"route {name!r}: {len(matches)} found"
        return matches[0]

    def route_for(self, path: str) -> str:
        """The route Kong's router picks for a request path (traditional_compatible router):
        regex paths before prefix paths, then the higher regex_priority, then the longer prefix.
        """
        candidates: list[tuple[tuple[int, int, int], str]] = []
        for route, _ in self.routes:
            if not set(route.get("protocols", ["http", "https"])) & {"http", "https"}:
                continue
            for candidate in route.get("paths", []):
                if candidate.startswith("~"):
                    if re.match(candidate[1:], path):
                        priority = (1, int(route.get("regex_priority", 0)), 0)
                        candidates.append((priority, route["name"]))
                elif path.startswith(candidate):
                    candidates.append(((0, 0, len(candidate)), route["name"]))
        assert candidates, f"no route matches {path}"
        candidates.sort(reverse=True)
        if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
            assert candidates[0][1] == candidates[1][1], f"{path}: ambiguous {candidates[:2]}"
        return candidates[0][1]


def _items(value: Any) -> list[Doc]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _ref(value: Any) -> str | None:
    """A foreign key in a declarative file: a name, or `{name: ...}` / `{id: ...}`."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("username") or value.get("id")
    return value if isinstance(value, str) else None


def _walk(value: Any, where: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every (location, key, value) of a nested document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield where, str(key), item
            yield from _walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]")


def kong_format_errors(doc: Doc) -> list[str]:
    """Everything in a declarative file that Kong 3.x would refuse, or that hides a secret."""
    errors: list[str] = []
    if doc.get("_format_version") != "3.0":
        errors.append(f'_format_version is {doc.get("_format_version")!r}, not "3.0"')
    errors += [f"unknown top-level key {k!r}" for k in sorted(set(doc) - KONG_TOP_LEVEL)]
    for key in KONG_TOP_LEVEL - {"_format_version", "_transform", "_comment", "_workspace"}:
        if key in doc and not isinstance(doc[key], list):
            errors.append(f"{key} must be a list")
    config = KongConfig(doc)

    service_names = [s.get("name") for s in config.services]
    for service in config.services:
        where = f"service {service.get('name')!r}"
        errors += [f"{where}: unknown field {k!r}" for k in sorted(set(service) - SERVICE_FIELDS)]
        if not isinstance(service.get("name"), str) or not NAME.match(service["name"]):
            errors.append(f"{where}: needs a name of letters, digits, . _ ~ -")
        if "url" in service:
            if not isinstance(service["url"], str) or not URL.match(service["url"]):
                errors.append(f"{where}: url {service.get('url')!r} is not a valid URL")
            if {"protocol", "host", "port", "path"} & set(service):
                errors.append(f"{where}: url excludes protocol/host/port/path")
        elif "host" in service:
            if service.get("protocol", "http") not in SERVICE_PROTOCOLS:
                errors.append(f"{where}: unknown protocol {service.get('protocol')!r}")
            port = service.get("port", 80)
            if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
                errors.append(f"{where}: port must be 1..65535")
        else:
            errors.append(f"{where}: needs url, or host (with protocol and port)")
        for timeout in ("connect_timeout", "read_timeout", "write_timeout"):
            value = service.get(timeout, 60000)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
                errors.append(f"{where}: {timeout} must be milliseconds, 1..2^31-1")
    if len(service_names) != len(set(service_names)):
        errors.append("service names are not unique")

    route_names = [r.get("name") for r, _ in config.routes]
    if len(route_names) != len(set(route_names)):
        errors.append("route names are not unique")
    seen_paths: dict[str, str] = {}
    for route, route_service in config.routes:
        where = f"route {route.get('name')!r}"
        errors += [f"{where}: unknown field {k!r}" for k in sorted(set(route) - ROUTE_FIELDS)]
        if not isinstance(route.get("name"), str) or not NAME.match(route["name"]):
            errors.append(f"{where}: needs a name of letters, digits, . _ ~ -")
        if route_service not in service_names:
            errors.append(f"{where}: service {route_service!r} does not exist")
        protocols = route.get("protocols", ["http", "https"])
        if not _strings(protocols) or set(protocols) - SERVICE_PROTOCOLS:
            errors.append(f"{where}: protocols {protocols!r} are not ones Kong knows")
        matchers = {"paths", "hosts", "methods", "headers", "snis"} & set(route)
        if set(protocols) & HTTP_PROTOCOLS and not matchers:
            errors.append(f"{where}: an http route needs paths, hosts, methods or headers")
        paths = route.get("paths", [])
        if not _strings(paths):
            errors.append(f"{where}: paths must be a list of strings")
            paths = []
        for path in paths:
            if path.startswith("~"):
                if not path.startswith("~/"):
                    errors.append(f"{where}: regex path {path!r} must start with ~/")
                try:
                    re.compile(path[1:])
                except re.error as exc:
                    errors.append(f"{where}: regex path {path!r} does not compile: {exc}")
            elif not path.startswith("/"):
                errors.append(f"{where}: path {path!r} must start with /")
            if path in seen_paths:
                errors.append(f"{where}: path {path!r} is routed by {seen_paths[path]!r} too")
            seen_paths[path] = str(route.get("name"))
        for flag in ("strip_path", "preserve_host"):
            if flag in route and not isinstance(route[flag], bool):
                errors.append(f"{where}: {flag} must be true or false")
        if set(route.get("methods", [])) - HTTP_METHODS:
            errors.append(f"{where}: methods has unknown HTTP methods")

    consumer_names = [c.get("username") or c.get("custom_id") for c in config.consumers]
    for consumer in config.consumers:
        where = f"consumer {consumer.get('username')!r}"
        errors += [f"{where}: unknown field {k!r}" for k in sorted(set(consumer) - CONSUMER_FIELDS)]
        if not consumer.get("username") and not consumer.get("custom_id"):
            errors.append(f"{where}: needs username or custom_id")
    if len(consumer_names) != len(set(consumer_names)):
        errors.append("consumer usernames are not unique")

    jwt_keys: list[Any] = []
    for secret, owner in config.jwt_secrets:
        where = f"jwt_secret {secret.get('key')!r}"
        errors += [f"{where}: unknown field {k!r}" for k in sorted(set(secret) - JWT_SECRET_FIELDS)]
        if owner not in consumer_names:
            errors.append(f"{where}: consumer {owner!r} does not exist")
        algorithm = secret.get("algorithm", "HS256")
        if algorithm not in JWT_ALGORITHMS:
            errors.append(f"{where}: algorithm {algorithm!r} is not one Kong knows")
        if algorithm.startswith(("RS", "ES", "PS", "Ed")) and not secret.get("rsa_public_key"):
            errors.append(f"{where}: {algorithm} needs rsa_public_key")
        if algorithm.startswith("HS") and not secret.get("secret"):
            errors.append(f"{where}: {algorithm} needs a secret from the environment")
        jwt_keys.append(secret.get("key"))
    if len(jwt_keys) != len(set(jwt_keys)):
        errors.append("jwt_secrets keys are not unique")

    scopes: set[tuple[Any, ...]] = set()
    for plugin, scope in config.plugins:
        name = plugin.get("name")
        where = f"plugin {name!r} on {scope or 'everything'}"
        errors += [f"{where}: unknown field {k!r}" for k in sorted(set(plugin) - PLUGIN_FIELDS)]
        if name not in KONG_BUNDLED_PLUGINS:
            errors.append(f"{where}: not a plugin bundled with Kong")
            continue
        entities = (name, scope.get("service"), scope.get("route"), scope.get("consumer"))
        if entities in scopes:
            errors.append(f"{where}: configured twice on the same entities")
        scopes.add(entities)
        if "service" in scope and scope["service"] not in service_names:
            errors.append(f"{where}: service {scope['service']!r} does not exist")
        if "route" in scope and scope["route"] not in route_names:
            errors.append(f"{where}: route {scope['route']!r} does not exist")
        if "consumer" in scope and scope["consumer"] not in consumer_names:
            errors.append(f"{where}: consumer {scope['consumer']!r} does not exist")
        plugin_config = plugin.get("config", {})
        if not isinstance(plugin_config, dict):
            errors.append(f"{where}: config must be a mapping")
            continue
        if name not in PLUGIN_SCHEMAS:
            errors.append(f"{where}: add its documented fields to PLUGIN_SCHEMAS to check it")
            continue
        fields, check = PLUGIN_SCHEMAS[name]
        errors += [
            f"{where}: unknown config field {k!r}" for k in sorted(set(plugin_config) - fields)
        ]
        errors += [f"{where}: {e}" for e in check(plugin_config)]

    # No secret in the file. In plugin fields a secret is a reference to Kong's environment
    # vault, which Kong resolves there. In consumer credentials Kong resolves no references (a
    # "{vault://...}" there would itself be the key), so a secret is a decK environment
    # placeholder, filled in when the file is deployed. A jwt_secret's `key` is no secret: it is
    # the issuer name that every token carries in clear text, by which Kong finds the credential.
    secret_fields = {"secret", "password", "token", "rsa_private_key", "api_key", "access_token"}
    for where, key, value in _walk(doc):
        credential = CREDENTIALS.search(where) is not None
        if key not in secret_fields and not (key == "key" and "keyauth_credentials" in where):
            continue
        if not isinstance(value, str):
            errors.append(f"{where}.{key}: a secret must come from the environment")
        elif credential and not DECK_ENV.match(value):
            errors.append(
                f'{where}.{key}: credentials take ${{{{ env "DECK_..." }}}}, not {value!r}'
            )
        elif not credential and not VAULT_REFERENCE.match(value):
            errors.append(f"{where}.{key}: plugin secrets take {{vault://env/...}}, not {value!r}")
    return errors


def _trace_id_pattern() -> re.Pattern[str]:
    """The backend's `TRACE_ID` regex, read from its middleware without importing Django."""
    tree = ast.parse(TRACE_MIDDLEWARE.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "TRACE_ID" for t in node.targets
        ):
            assert isinstance(node.value, ast.Call)
            argument = node.value.args[0]
            assert isinstance(argument, ast.Constant)
            return re.compile(str(argument.value))
    raise AssertionError("TRACE_ID not found in the backend's middleware")


def kong_contract_errors(doc: Doc) -> list[str]:
    """What the VMS needs of its gateway, beyond the format."""
    errors: list[str] = []
    config = KongConfig(doc)
    services = {s.get("name"): s for s in config.services}
    backend = services.get("backend-api", {})
    if backend.get("url") != "http://backend:8000":
        errors.append("backend-api must proxy to http://backend:8000")
    for service in config.services:
        target = str(service.get("url") or service.get("host"))
        if re.search(r"recorder|detection|streaming|mediamtx|:800[123]\b|:999[78]\b", target):
            errors.append(f"service {service.get('name')!r} exposes an internal service")

    def route_errors(name: str, *, jwt: bool) -> None:
        try:
            route = config.route(name)
        except AssertionError as exc:
            errors.append(str(exc))
            return
        if route.get("strip_path", True) is not False:
            errors.append(f"route {name!r}: strip_path must be false (the backend sees /api)")
        if set(route.get("protocols", ["http", "https"])) != {"http", "https"}:
            errors.append(f"route {name!r}: protocols must be http and https")
        has_jwt = bool(config.plugins_of("jwt", route=name))
        if has_jwt != jwt:
            errors.append(f"route {name!r}: jwt plugin {'missing' if jwt else 'not wanted'}")

    route_errors("api", jwt=True)
    route_errors("ws", jwt=False)
    for name, path in (("api", "/api"), ("ws", "/ws")):
        if _has(config, name) and path not in config.route(name).get("paths", []):
            errors.append(f"route {name!r} must have the path {path}")
    if config.plugins_of("jwt"):
        errors.append("a global jwt plugin would also close health, login and the WebSocket")

    camera = str(uuid.uuid4())
    expectations = {
        "/api/cameras": True,
        f"/api/playback/{camera}/timeline": True,
        f"/api/playback/{camera}": True,
        "/api/detections": True,
        "/api/health": False,
        "/api/auth/login": False,
        "/api/auth/refresh": False,
        f"/api/playback/{camera}/playlist.m3u8": False,
        "/api/playback/segments/42/file.mp4": False,
        f"/api/exports/{camera}/clip": False,
        "/ws/detections": False,
        "/": False,
    }
    for path, needs_jwt in expectations.items():
        try:
            name = config.route_for(path)
        except AssertionError as exc:
            errors.append(str(exc))
            continue
        if bool(config.plugins_of("jwt", route=name)) != needs_jwt:
            errors.append(f"{path} (route {name!r}) must {'' if needs_jwt else 'not '}need a JWT")
    try:
        internal = config.route_for("/api/auth/validate-stream")
        if not config.plugins_of("request-termination", route=internal):
            errors.append("/api/auth/validate-stream must not reach the backend from outside")
    except AssertionError as exc:
        errors.append(str(exc))

    limits = config.plugins_of("rate-limiting")
    if len(limits) != 1:
        errors.append("one global rate-limiting plugin is wanted")
    else:
        limit = limits[0].get("config", {})
        if limit.get("minute") != 100 or limit.get("limit_by") != "consumer":
            errors.append("the global rate limit must be minute: 100, limit_by: consumer")
        if limit.get("policy") == "redis" and limit.get("redis", {}).get("host") != "redis":
            errors.append("the rate-limiting counters live in the stack's Redis (host redis)")
    for name in ("cors", "request-size-limiting", "correlation-id"):
        if len(config.plugins_of(name)) != 1:
            errors.append(f"one global {name} plugin is wanted")
    cors = next(iter(config.plugins_of("cors")), {}).get("config", {})
    if not cors.get("origins") or "*" in cors.get("origins", []):
        errors.append("cors must name the dashboard's origin, not *")
    correlation = next(iter(config.plugins_of("correlation-id")), {}).get("config", {})
    if correlation.get("header_name") != "X-Trace-Id":
        errors.append("correlation-id must use the backend's trace header X-Trace-Id")
    generated = {"uuid": str(uuid.uuid4()), "uuid#counter": f"{uuid.uuid4()}#1",
                 "tracker": "10.0.0.1-8000-1-1-1-1700000000.000"}  # fmt: skip
    sample = generated.get(correlation.get("generator", "uuid#counter"), "")
    if not _trace_id_pattern().match(sample):
        errors.append(f"the backend would replace trace ids like {sample!r}")

    consumers = {c.get("username") for c in config.consumers}
    if not consumers:
        errors.append("the jwt plugin needs at least one consumer")
    for secret, owner in config.jwt_secrets:
        if owner not in consumers:
            errors.append(f"jwt_secret {secret.get('key')!r}: consumer {owner!r} is missing")
    jwt_plugins = config.plugins_of("jwt", route="api")
    claim = jwt_plugins[0].get("config", {}).get("key_claim_name", "iss") if jwt_plugins else None
    if claim is not None and not config.jwt_secrets:
        errors.append(f"no jwt credential answers the {claim!r} claim")
    return errors


def _simple_jwt_constants() -> dict[str, Any]:
    """The constant entries of the backend's SIMPLE_JWT, read without importing Django."""
    tree = ast.parse(BACKEND_SETTINGS.read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SIMPLE_JWT" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            return {
                str(key.value): value.value
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
            }
    raise AssertionError("SIMPLE_JWT not found in the backend's settings")


def test_kong_checks_tokens_with_the_backends_algorithm() -> None:
    config = KongConfig(load(KONG_FILE))
    backend = _simple_jwt_constants()
    for secret, _ in config.jwt_secrets:
        assert secret.get("algorithm", "HS256") == backend["ALGORITHM"]


def _has(config: KongConfig, route: str) -> bool:
    return any(r.get("name") == route for r, _ in config.routes)


def test_kong_config_is_valid_declarative_config() -> None:
    assert kong_format_errors(load(KONG_FILE)) == []


def test_kong_config_meets_the_vms_contract() -> None:
    assert kong_contract_errors(load(KONG_FILE)) == []


def test_kong_routes_requests_where_the_vms_expects() -> None:
    config = KongConfig(load(KONG_FILE))
    camera = uuid.uuid4()
    assert config.route_for("/api/cameras") == "api"
    assert config.route_for("/api/health") == "api-health"
    assert config.route_for("/api/auth/login") == "api-login"
    assert config.route_for(f"/api/playback/{camera}/playlist.m3u8") == "api-signed-links"
    assert config.route_for(f"/api/playback/{camera}/timeline") == "api"
    assert config.route_for("/api/playback/segments/7/file") == "api-signed-links"
    assert config.route_for("/api/playback/segments/7/file/extra") == "api"
    assert config.route_for("/ws/detections") == "ws"
    assert config.route_for("/cameras/1") == "web"


def _kong_mutations() -> dict[str, Callable[[Doc], None]]:
    def plugin(doc: Doc, name: str) -> Doc:
        return next(p for p in doc["plugins"] if p["name"] == name)

    def route(doc: Doc, name: str) -> Doc:
        return next(r for s in doc["services"] for r in s["routes"] if r["name"] == name)

    return {
        "format 2.1": lambda d: d.update(_format_version="2.1"),
        "unknown top-level key": lambda d: d.update(servics=[]),
        "service without url": lambda d: d["services"][0].pop("url"),
        "service with a bad url": lambda d: d["services"][0].update(url="backend:8000"),
        "route path without slash": lambda d: route(d, "api").update(paths=["api"]),
        "unknown route field": lambda d: route(d, "ws").update(websocket=True),
        "unknown plugin": lambda d: plugin(d, "cors").update(name="cors-headers"),
        "rate limit 1000": lambda d: plugin(d, "rate-limiting")["config"].update(minute=1000),
        "rate limit by user": lambda d: plugin(d, "rate-limiting")["config"].update(
            limit_by="user"
        ),
        "unknown rate-limiting field": lambda d: plugin(d, "rate-limiting")["config"].update(
            minutes=100
        ),
        "plugin of a missing consumer": lambda d: d["plugins"].append(
            {"name": "key-auth", "consumer": "ghost"}
        ),
        "jwt credential of a missing consumer": lambda d: d.update(
            jwt_secrets=[{"consumer": "ghost", "key": "other", "secret": '${{ env "DECK_X" }}'}]
        ),
        "plaintext secret": lambda d: d["consumers"][0]["jwt_secrets"][0].update(
            secret="correct-horse-battery-staple"
        ),
        "vault reference Kong would not resolve": lambda d: d["consumers"][0]["jwt_secrets"][
            0
        ].update(secret="{vault://env/vms-jwt-secret}"),
        "plaintext Redis password": lambda d: plugin(d, "rate-limiting")["config"]["redis"].update(
            password="hunter2"
        ),
        "no jwt on /api": lambda d: route(d, "api").pop("plugins"),
        "jwt on the WebSocket": lambda d: route(d, "ws").update(plugins=[{"name": "jwt"}]),
        "recorder exposed": lambda d: d["services"].append(
            {"name": "recorder", "url": "http://recorder:8003"}
        ),
        "other trace header": lambda d: plugin(d, "correlation-id")["config"].update(
            header_name="X-Request-Id"
        ),
        "trace ids the backend refuses": lambda d: plugin(d, "correlation-id")["config"].update(
            generator="uuid#counter"
        ),
        "cors for everyone": lambda d: plugin(d, "cors")["config"].update(origins=["*"]),
        "health behind the JWT": lambda d: route(d, "api-health").update(plugins=[{"name": "jwt"}]),
    }


@pytest.mark.parametrize("mutation", sorted(_kong_mutations()))
def test_kong_checks_fail_on_a_broken_copy(mutation: str) -> None:
    doc = copy.deepcopy(load(KONG_FILE))
    _kong_mutations()[mutation](doc)
    assert kong_format_errors(doc) + kong_contract_errors(doc) != []


def test_kong_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "kong.yml"
    broken.write_text(KONG_FILE.read_text().replace("services:\n", "services:\n\t- name: x\n", 1))
    with pytest.raises(yaml.YAMLError):
        load(broken)


# ---------------------------------------------------------------------------------------------
# MediaMTX v1 configuration

# The global keys of the MediaMTX v1 configuration reference (mediamtx.yml shipped with it).
MEDIAMTX_GLOBAL_KEYS = {
    "logLevel", "logDestinations", "logStructured", "logFile", "sysLogPrefix", "readTimeout",
    "writeTimeout", "writeQueueSize", "udpMaxPayloadSize", "udpReadBufferSize", "runOnConnect",
    "runOnConnectRestart", "runOnDisconnect",
    "authMethod", "authInternalUsers", "authHTTPAddress", "authHTTPFingerprint",
    "authHTTPExclude", "authJWTJWKS", "authJWTJWKSFingerprint", "authJWTClaimKey",
    "authJWTExclude", "authJWTInHTTPQuery",
    "api", "apiAddress", "apiEncryption", "apiServerKey", "apiServerCert", "apiAllowOrigins",
    "apiTrustedProxies",
    "metrics", "metricsAddress", "metricsEncryption", "metricsServerKey", "metricsServerCert",
    "metricsAllowOrigins", "metricsTrustedProxies",
    "pprof", "pprofAddress", "pprofEncryption", "pprofServerKey", "pprofServerCert",
    "pprofAllowOrigins", "pprofTrustedProxies",
    "playback", "playbackAddress", "playbackEncryption", "playbackServerKey",
    "playbackServerCert", "playbackAllowOrigins", "playbackTrustedProxies",
    "rtsp", "rtspTransports", "rtspEncryption", "rtspAddress", "rtspsAddress", "rtpAddress",
    "rtcpAddress", "multicastIPRange", "multicastRTPPort", "multicastRTCPPort",
    "rtspServerKey", "rtspServerCert", "rtspAuthMethods",
    "rtmp", "rtmpEncryption", "rtmpAddress", "rtmpsAddress", "rtmpServerKey", "rtmpServerCert",
    "hls", "hlsAddress", "hlsEncryption", "hlsServerKey", "hlsServerCert", "hlsAllowOrigins",
    "hlsTrustedProxies", "hlsAlwaysRemux", "hlsVariant", "hlsSegmentCount",
    "hlsSegmentDuration", "hlsPartDuration", "hlsSegmentMaxSize", "hlsDirectory",
    "hlsMuxerCloseAfter",
    "webrtc", "webrtcAddress", "webrtcEncryption", "webrtcServerKey", "webrtcServerCert",
    "webrtcAllowOrigins", "webrtcTrustedProxies", "webrtcLocalUDPAddress",
    "webrtcLocalTCPAddress", "webrtcIPsFromInterfaces", "webrtcIPsFromInterfacesList",
    "webrtcAdditionalHosts", "webrtcICEServers2", "webrtcHandshakeTimeout",
    "webrtcTrackGatherTimeout",
    "srt", "srtAddress",
    "pathDefaults", "paths",
}  # fmt: skip
# The path keys of the same reference (pathDefaults and every entry of paths).
MEDIAMTX_PATH_KEYS = {
    "source", "sourceFingerprint", "sourceOnDemand", "sourceOnDemandStartTimeout",
    "sourceOnDemandCloseAfter", "maxReaders", "srtReadPassphrase", "fallback",
    "useAbsoluteTimestamp",
    "record", "recordPath", "recordFormat", "recordPartDuration", "recordMaxPartSize",
    "recordSegmentDuration", "recordDeleteAfter",
    "overridePublisher", "srtPublishPassphrase",
    "rtspTransport", "rtspAnyPort", "rtspRangeType", "rtspRangeStart", "rtpSDP",
    "sourceRedirect",
    "runOnInit", "runOnInitRestart", "runOnDemand", "runOnDemandRestart",
    "runOnDemandStartTimeout", "runOnDemandCloseAfter", "runOnUnDemand", "runOnReady",
    "runOnReadyRestart", "runOnNotReady", "runOnRead", "runOnReadRestart", "runOnUnread",
    "runOnRecordSegmentCreate", "runOnRecordSegmentComplete",
}  # fmt: skip
MEDIAMTX_BOOLEANS = {
    "api", "metrics", "pprof", "playback", "rtsp", "rtmp", "hls", "webrtc", "srt",
    "hlsAlwaysRemux", "logStructured", "sourceOnDemand", "record", "overridePublisher",
    "webrtcIPsFromInterfaces", "authJWTInHTTPQuery",
}  # fmt: skip
MEDIAMTX_ACTIONS = {"publish", "read", "playback", "api", "metrics", "pprof"}
DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")
ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]*:[0-9]{1,5}$")
SOURCE = re.compile(r"^(publisher|redirect|rpiCamera|"
                    r"(rtsps?|rtsp\+https?|rtmps?|https?|udp\+mpegts|udp\+rtp|srt|wheps?)://\S+)$")  # fmt: skip
AUTH_URL = "http://backend:8000/api/auth/validate-stream"
PORTS = {"rtspAddress": ":8554", "hlsAddress": ":8888", "webrtcAddress": ":8889",
         "apiAddress": ":9997", "metricsAddress": ":9998"}  # fmt: skip


def _path_pattern(name: str) -> re.Pattern[str] | None:
    """A regex path name (`~` then a Go regexp) as Python sees it; None for a plain name."""
    return re.compile(name[1:]) if name.startswith("~") else None


def mediamtx_format_errors(doc: Doc) -> list[str]:
    """Everything MediaMTX v1 would refuse: unknown keys, wrong types and values."""
    errors = [f"unknown key {k!r}" for k in sorted(set(doc) - MEDIAMTX_GLOBAL_KEYS)]
    path_sections: list[tuple[str, Any]] = [("pathDefaults", doc.get("pathDefaults") or {})]
    paths = doc.get("paths") or {}
    if not isinstance(paths, dict):
        errors.append("paths must be a mapping of path names")
        paths = {}
    path_sections += [(f"paths[{name!r}]", section or {}) for name, section in paths.items()]
    for where, section in path_sections:
        if not isinstance(section, dict):
            errors.append(f"{where} must be a mapping")
            continue
        errors += [f"{where}: unknown key {k!r}" for k in sorted(set(section) - MEDIAMTX_PATH_KEYS)]
        if "source" in section and not SOURCE.match(str(section["source"])):
            errors.append(f"{where}: source {section['source']!r} is not one MediaMTX knows")
        for key in MEDIAMTX_BOOLEANS & set(section):
            if not isinstance(section[key], bool):
                errors.append(f"{where}: {key} must be true or false")
    for key in MEDIAMTX_BOOLEANS & set(doc):
        if not isinstance(doc[key], bool):
            errors.append(f"{key} must be true or false")
    for key, value in doc.items():
        listens = key.endswith("Address") and key != "authHTTPAddress"
        if listens and value not in ("", None) and not ADDRESS.match(str(value)):
            errors.append(f"{key}: {value!r} is not a listen address like :8554")
        if key.endswith(("Timeout", "Duration", "CloseAfter")) and not DURATION.match(str(value)):
            errors.append(f"{key}: {value!r} is not a duration like 10s")
    if doc.get("logLevel", "info") not in {"error", "warn", "info", "debug"}:
        errors.append("logLevel must be error, warn, info or debug")
    if doc.get("authMethod", "internal") not in {"internal", "http", "jwt"}:
        errors.append("authMethod must be internal, http or jwt")
    if set(doc.get("rtspTransports", [])) - {"udp", "multicast", "tcp"}:
        errors.append("rtspTransports accepts udp, multicast and tcp")
    if doc.get("hlsVariant", "lowLatency") not in {"mpegts", "fmp4", "lowLatency"}:
        errors.append("hlsVariant must be mpegts, fmp4 or lowLatency")
    for exclusion in doc.get("authHTTPExclude") or []:
        if not isinstance(exclusion, dict) or set(exclusion) - {"action", "path"}:
            errors.append(f"authHTTPExclude entry {exclusion!r} is not {{action, path}}")
        elif exclusion.get("action") not in MEDIAMTX_ACTIONS:
            errors.append(f"authHTTPExclude: unknown action {exclusion.get('action')!r}")
    for name in paths:
        if not isinstance(name, str):
            errors.append(f"path name {name!r} is not a string")
            continue
        try:
            _path_pattern(name)
        except re.error as exc:
            errors.append(f"path {name!r} does not compile: {exc}")
    return errors


def accepted(doc: Doc, path: str) -> bool:
    """Whether MediaMTX would serve `path`: a path named exactly, or a regex one that matches
    (Go's MatchString finds the pattern anywhere, so re.search, not re.match)."""
    paths = doc.get("paths") or {}
    if path in paths or "all_others" in paths or "all" in paths:
        return True
    for name in paths:
        try:
            pattern = _path_pattern(str(name))
        except re.error:
            continue
        if pattern is not None and pattern.search(path):
            return True
    return False


def mediamtx_contract_errors(doc: Doc) -> list[str]:
    """What the VMS needs of its relay, beyond the format."""
    errors = []
    if doc.get("authMethod") != "http":
        errors.append("authMethod must be http (the backend decides)")
    if doc.get("authHTTPAddress") != AUTH_URL:
        errors.append(f"authHTTPAddress must be {AUTH_URL}")
    excluded = {
        str(e.get("action")) for e in doc.get("authHTTPExclude") or [] if isinstance(e, dict)
    }
    if excluded != {"api", "metrics", "pprof"}:
        errors.append(f"authHTTPExclude must be api, metrics and pprof, not {sorted(excluded)}")
    if any(isinstance(e, dict) and e.get("path") for e in doc.get("authHTTPExclude") or []):
        errors.append("authHTTPExclude must not exempt a path")
    for key, address in PORTS.items():
        if doc.get(key) != address:
            errors.append(f"{key} must be {address}")
    for key in ("rtsp", "hls", "webrtc", "api", "metrics"):
        if doc.get(key) is not True:
            errors.append(f"{key} must be on")
    if doc.get("pprof", False) is not False:
        errors.append("pprof must be off")
    read_timeout = str(doc.get("readTimeout", ""))
    if not re.fullmatch(r"([1-9]|[12][0-9]|30)s", read_timeout):
        errors.append("readTimeout must be set, 1s to 30s")
    sections = [doc.get("pathDefaults") or {}, *((doc.get("paths") or {}).values())]
    if any(isinstance(s, dict) and s.get("record") for s in sections):
        errors.append("MediaMTX must not record: the recorder does")
    if (doc.get("pathDefaults") or {}).get("record") is not False:
        errors.append("pathDefaults must say record: false")

    tenant, camera = str(uuid.uuid4()), str(uuid.uuid4())
    if not accepted(doc, relay_path(tenant, camera)):
        errors.append(f"the relay path {relay_path(tenant, camera)} is refused")
    refused = [
        "../x",
        "a/camera/b/c",
        "a/camera/b",
        f"{tenant}/camera/{camera}/extra",
        f"../{tenant}/camera/{camera}",
        f"x{tenant}/camera/{camera}",
        f"{tenant}/camera/../{camera}",
        f"{tenant}/cameras/{camera}",
        f"{tenant}/camera/{camera[:-1]}",
        f"{tenant.upper()}/camera/{camera.upper()}",
        f"{'-' * 36}/camera/{'-' * 36}",
        "all",
    ]
    errors += [f"the path {p!r} is accepted" for p in refused if accepted(doc, p)]
    for name, section in (doc.get("paths") or {}).items():
        try:
            pattern = _path_pattern(str(name))
        except re.error:
            continue  # reported by mediamtx_format_errors
        if pattern is not None and set(pattern.groupindex) != {"tenant", "camera"}:
            errors.append(f"path {name!r} must name its groups tenant and camera")
        if pattern is not None:
            found = pattern.search(relay_path(tenant, camera))
            if found and (found["tenant"], found["camera"]) != (tenant, camera):
                errors.append(f"path {name!r} captures the wrong tenant or camera")
        if (section or {}).get("source", "publisher") != "publisher":
            errors.append(f"path {name!r}: cameras publish, or are added by the streaming service")
    return errors


def test_mediamtx_config_is_valid() -> None:
    assert mediamtx_format_errors(load(MEDIAMTX_FILE)) == []


def test_mediamtx_config_meets_the_vms_contract() -> None:
    assert mediamtx_contract_errors(load(MEDIAMTX_FILE)) == []


def test_mediamtx_accepts_every_camera_path_and_nothing_else() -> None:
    doc = load(MEDIAMTX_FILE)
    for _ in range(50):
        assert accepted(doc, relay_path(str(uuid.uuid4()), str(uuid.uuid4())))
    for path in ("../x", "a/camera/b/c", "not-a-uuid/camera/not-a-uuid", "", "camera"):
        assert not accepted(doc, path), path


def _mediamtx_mutations() -> dict[str, Callable[[Doc], None]]:
    def regex_path(doc: Doc) -> str:
        return next(str(name) for name in doc["paths"] if str(name).startswith("~"))

    def loosen(doc: Doc) -> None:
        doc["paths"]["~^(?P<tenant>.+)/camera/(?P<camera>.+)$"] = doc["paths"].pop(regex_path(doc))

    def unanchor(doc: Doc) -> None:
        name = regex_path(doc)
        doc["paths"][name.replace("~^", "~").rstrip("$")] = doc["paths"].pop(name)

    return {
        "misspelt key": lambda d: d.update(authHttpAddress=d.pop("authHTTPAddress")),
        "internal auth": lambda d: d.update(authMethod="internal"),
        "other auth url": lambda d: d.update(authHTTPAddress="http://backend:8000/api/auth"),
        "metrics not excluded": lambda d: d.update(authHTTPExclude=[{"action": "api"}]),
        "unknown action": lambda d: d["authHTTPExclude"].append({"action": "admin"}),
        "api on another port": lambda d: d.update(apiAddress=":9999"),
        "hls off": lambda d: d.update(hls=False),
        "recording on": lambda d: d["pathDefaults"].update(record=True),
        "no read timeout": lambda d: d.pop("readTimeout"),
        "bad duration": lambda d: d.update(readTimeout="10 seconds"),
        "unknown path key": lambda d: d["paths"][regex_path(d)].update(sourceProtocol="tcp"),
        "loose path regex": loosen,
        "unanchored path regex": unanchor,
        "every path accepted": lambda d: d["paths"].update(all_others={"source": "publisher"}),
        "regex that does not compile": lambda d: d["paths"].update({"~^(unclosed": {}}),
    }


@pytest.mark.parametrize("mutation", sorted(_mediamtx_mutations()))
def test_mediamtx_checks_fail_on_a_broken_copy(mutation: str) -> None:
    doc = copy.deepcopy(load(MEDIAMTX_FILE))
    _mediamtx_mutations()[mutation](doc)
    assert mediamtx_format_errors(doc) + mediamtx_contract_errors(doc) != []


def test_mediamtx_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "mediamtx.yml"
    broken.write_text(MEDIAMTX_FILE.read_text().replace("paths:\n", "paths:\n  - [\n", 1))
    with pytest.raises(yaml.YAMLError):
        load(broken)
