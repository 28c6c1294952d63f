#!/usr/bin/env bash
# Runs every test suite: lint and types, frontend unit tests, then the Python suites
# (unit, integration against the real PostgreSQL, RabbitMQ, ffmpeg, and browser tests).
# `scripts/test.sh lint` runs only the static checks.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "ruff, mypy, eslint, tsc"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
(cd frontend && npm run --silent lint && npm run --silent typecheck)
[ "${1:-}" = lint ] && exit 0

step "frontend unit tests"
(cd frontend && npm test --silent)

step "Python tests"
.venv/bin/pytest services/common services/recorder services/ai_detection scripts/camsim
(cd backend && ../.venv/bin/pytest)
.venv/bin/pytest tests_integration
