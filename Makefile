# The two commands: `make demo` runs the stack with simulated cameras, `make test` runs every test.
.PHONY: demo test bootstrap lint frontend

FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package-lock.json frontend/vite.config.ts -type f 2>/dev/null)

demo: bootstrap frontend
	@.venv/bin/python scripts/demo.py

test: bootstrap frontend
	@scripts/test.sh

bootstrap:
	@scripts/bootstrap.sh

lint: bootstrap
	@scripts/test.sh lint

frontend: frontend/dist/index.html

frontend/dist/index.html: $(FRONTEND_SOURCES)
	@cd frontend && npm run --silent build >/dev/null
