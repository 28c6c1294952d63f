#!/usr/bin/env bash
# Installs and starts what the VMS needs on this machine. Idempotent; quiet when there is
# nothing to do. Debian packages need root (or sudo); everything else lives in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

MEDIA_PACKAGES=(ffmpeg gstreamer1.0-tools gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi
  python3-gst-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav chromium fonts-dejavu-core haproxy)
SERVER_PACKAGES=(postgresql redis-server rabbitmq-server)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

install_missing() {
  local missing=()
  for package in "$@"; do installed "$package" || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  say "$name did not come up on 127.0.0.1:$port"; exit 1
}

ensure_postgres() {
  if ! port_open 5432; then
    command -v pg_ctlcluster >/dev/null || install_missing postgresql
    say "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    wait_for_port PostgreSQL 5432
  fi
  if ! psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null 2>&1; then
    # A fresh Debian cluster asks for a password on TCP: trust local connections of postgres.
    local hba
    hba=$(as_root find /etc/postgresql -name pg_hba.conf | head -1)
    say "allowing local TCP connections of role postgres in $hba"
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main reload
  fi
  if [ -z "$(psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='vms'")" ]; then
    say "creating database vms"
    createdb -h 127.0.0.1 -U postgres vms
  fi
}

ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null || install_missing redis-server
  say "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/vms.log
  wait_for_port Redis 6379
}

ensure_rabbitmq() {
  if ! port_open 5672; then
    command -v rabbitmq-server >/dev/null || install_missing rabbitmq-server
    say "starting RabbitMQ"
    as_root rabbitmq-server -detached
    wait_for_port RabbitMQ 5672
    as_root rabbitmqctl -q await_startup
  fi
  if ! as_root rabbitmqctl -q list_vhosts | grep -qx vms_test; then
    say "creating RabbitMQ vhost vms_test for the tests"
    as_root rabbitmqctl -q add_vhost vms_test
    as_root rabbitmqctl -q set_permissions -p vms_test guest ".*" ".*" ".*"
  fi
}

ensure_python() {
  if ! command -v uv >/dev/null; then
    say "installing uv"
    python3 -m pip install -q uv 2>/dev/null || python3 -m pip install -q --break-system-packages uv
  fi
  uv sync --locked --all-packages -q
}

ensure_node() {
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    say "Node.js 20 or newer is needed for the frontend"; exit 1
  fi
  if [ ! frontend/node_modules/.package-lock.json -nt frontend/package-lock.json ]; then
    say "installing frontend dependencies"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

install_missing "${MEDIA_PACKAGES[@]}"
ensure_postgres
ensure_redis
ensure_rabbitmq
ensure_python
ensure_node
