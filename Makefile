# mfa-portal — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATA_DIR ?= .mfa-portal
# Debian packages the test suite drives: a real browser, a QR decoder, an independent TOTP generator,
# Redis (shared sessions), PostgreSQL (the shared database; Debian keeps initdb/pg_ctl off PATH, in
# /usr/lib/postgresql/<version>/bin) and nginx (the documented forward-auth set-up); the en_US.UTF-8
# locale (locales-all), which warrant-lite's SRP client switches to; wrk (HTTP load generator) and perf
# (where the CPU goes under that load) for the bench; ip (network namespaces: a database host that goes
# silent).
TEST_DEBS := chromium:chromium zbarimg:zbar-tools oathtool:oathtool redis-server:redis-server nginx:nginx \
	node:nodejs npm:npm pg_ctl:postgresql wrk:wrk perf:linux-perf ip:iproute2

.PHONY: run test test-postgres install install-test system-deps lint typecheck bench bench-deps clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "mfa-portal needs Python >= 3.11 (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[test]"
	@touch $@

# The AWS CLI v1 pins an older botocore, so it lives in its own venv (tests run the README's CLI session).
.venv-awscli/bin/aws:
	$(PYTHON) -m venv .venv-awscli
	.venv-awscli/bin/pip install --quiet awscli

install: $(VENV)/.installed

# The JavaScript Cognito SDKs the tests run (versions pinned in tests/sdk/js/package-lock.json).
SDK_JS := tests/sdk/js
$(SDK_JS)/node_modules/.installed: $(SDK_JS)/package.json $(SDK_JS)/package-lock.json | system-deps
	cd $(SDK_JS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install-test: $(VENV)/.installed-test .venv-awscli/bin/aws system-deps $(SDK_JS)/node_modules/.installed

## Start the portal with the embedded pool on http://$(HOST):$(PORT)
run: install
	MFA_PORTAL_MODE=$${MFA_PORTAL_MODE:-development} $(VENV)/bin/mfa-portal serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

## Install what the tests need, then run the whole suite
test: install-test
	$(PY) -m pytest -n 2 --dist loadgroup

## The pool and portal tests again, on PostgreSQL instead of SQLite files (make test runs the storage
## and race tests on both engines; this is the wider check, e.g. before a release)
test-postgres: install-test
	MFA_PORTAL_TEST_DATABASE=postgresql $(PY) -m pytest -n 2 --dist loadgroup tests/unit/pool tests/web tests/storage tests/admin

system-deps:
	@missing=""; for pair in $(TEST_DEBS); do \
		cmd=$${pair%%:*}; pkg=$${pair##*:}; \
		command -v $$cmd >/dev/null 2>&1 || [ -x /usr/sbin/$$cmd ] || \
			ls /usr/lib/postgresql/*/bin/$$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$$' || missing="$$missing locales-all"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian packages:$$missing"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || \
				{ echo "error: could not install$$missing with apt-get"; exit 1; }; \
		else \
			echo "error: the tests need these Debian packages:$$missing"; \
			echo "       install them (sudo apt-get install$$missing) or run make test as root"; \
			exit 1; \
		fi; \
	fi

lint: install-test
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy src tests bench

# The bench's references: moto's server (test extras) and cognito-local (npm, into bench/.cache, not committed).
COGNITO_LOCAL := bench/.cache/node_modules/.bin/cognito-local
$(COGNITO_LOCAL): | system-deps
	mkdir -p bench/.cache
	npm install --no-audit --no-fund --loglevel=error --prefix bench/.cache cognito-local@5

bench-deps: install-test $(COGNITO_LOCAL)

## Every workload beside its reference in one run (a few minutes; a first 1M-user seeding adds more);
## writes docs/benchmarks.md. BENCH_DURATION (s per workload), BENCH_CONNECTIONS, BENCH_WORKERS.
bench: bench-deps
	$(PY) -m bench.run --write docs/benchmarks.md

clean:
	rm -rf $(VENV) .venv-awscli $(SDK_JS)/node_modules .pytest_cache .mypy_cache .ruff_cache build *.egg-info src/*.egg-info test-artifacts
