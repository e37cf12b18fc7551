# The two commands of the suite: `make run` and `make test`. Everything installs itself from the lock file.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
SKILLS := $(UV) run --frozen --all-packages skills

.PHONY: help install run demo test token logscan clock migrate lint typecheck check bench soak

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install:  ## install uv if missing, then every package from uv.lock (and Debian's chromium and promtool for the tests)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --all-packages --quiet --compile-bytecode
	@$(UV) run --frozen --all-packages python -m compileall -q -j 0 shared/src tools/src services bench >/dev/null
	@command -v chromium >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		{ echo "installing Debian chromium for the verify-page browser test"; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v promtool >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		{ echo "installing Debian prometheus (promtool) for the alert-rule tests"; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@test -f /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf || ! command -v apt-get >/dev/null 2>&1 || \
		{ echo "installing Debian fonts-lxgw-wenkai for certificate PDFs and charts"; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-lxgw-wenkai >/dev/null; }

run: install  ## start PostgreSQL (embedded unless DATABASE_URL), migrate, start all five services
	@$(SKILLS) run

demo: install  ## make run with a demo world loaded through the APIs (tokens and requests printed; .data/demo/env.sh)
	@$(UV) run --frozen --all-packages python -m skills_tools.demo

test: install  ## the whole suite against real PostgreSQL (embedded unless TEST_DATABASE_URL)
	@$(SKILLS) test

token: install  ## mint a dev JWT: make token ROLE=district_officer DISTRICT=05 [SUB= BODY= INSTITUTION= PERMS=]
	@$(SKILLS) token --role "$(ROLE)" --sub "$(SUB)" --district "$(DISTRICT)" --body "$(BODY)" --institution "$(INSTITUTION)" --perms "$(PERMS)"

logscan: install  ## fail when logs hold personal data in the clear: make logscan LOGS="file-or-folder …" (default .data/logs)
	@$(SKILLS) logscan $(or $(LOGS),.data/logs)

clock: install  ## the sandbox business date of make run: make clock DATE=2027-01-20 (forward only) or make clock RESET=1
	@$(SKILLS) clock $(if $(DATE),--date "$(DATE)") $(if $(RESET),--reset)

migrate: install  ## create and migrate every service database
	@$(SKILLS) migrate

bench: install  ## measured speed and scale → bench/results/latest.{json,md,png}
	@command -v wrk >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@$(UV) run --frozen --all-packages python -m bench

soak: install  ## the long reliability runs (fuzzing, faults, races): SOAK_SCALE=10, fresh random examples by default
	@SOAK_SCALE=$${SOAK_SCALE:-10} SOAK_RANDOM=$${SOAK_RANDOM:-1} $(UV) run --frozen --all-packages python -m pytest reliability/tests services/voucher/tests/test_stateful_redeem.py -q

lint: install  ## ruff
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .

typecheck: install  ## mypy (strict for the shared package)
	@$(UV) run --frozen mypy shared/src tools/src services/*/src

check: lint typecheck test  ## everything CI runs

.PHONY: images compose-up compose-down container-smoke

images:  ## build the images (public bases, or Debian-package stand-ins when no registry answers): podman or Docker
	@deploy/images/build.sh

compose-up:  ## start the compose stack from those images (PostgreSQL, Redis, migrate, five services; gateway on :8000)
	@deploy/images/compose.sh up

compose-down:  ## stop and remove the compose stack (data stays in its volume; compose-down ARGS=-v drops it)
	@deploy/images/compose.sh down $(ARGS)

container-smoke:  ## build, start, probe through the gateway (health, look-up, the demo world walked, a killed service), take down
	@$(PYTHON) deploy/smoke.py
