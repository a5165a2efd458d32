# The two commands that matter: `make run` (the whole system with demo data) and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
GEN := protos/gen/python
PROTOS := $(shell find protos/acme -name '*.proto')
UV_VERSION := 0.13.9

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# --- set-up -------------------------------------------------------------------------------------

$(VENV)/.installed: pyproject.toml requirements.lock scripts/find-python.sh
	@test -x $(PY) || "$$(./scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync -q --python $(PY) requirements.lock
	$(BIN)/uv pip install -q --python $(PY) "uv==$(UV_VERSION)"
	@# The repo root and the generated code are importable from the venv, wherever a process starts.
	@echo "$(CURDIR)" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/acme-repo.pth"
	@echo "$(CURDIR)/$(GEN)" >> "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/acme-repo.pth"
	@touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create the Python virtualenv from requirements.lock

.PHONY: lock
lock: ## Re-pin Python dependencies into requirements.lock
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements.lock --python $(PY)

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: npm
npm: frontend/node_modules/.installed ## Install the frontend's npm packages from the lock

# --- code generation ----------------------------------------------------------------------------

.PHONY: gen
gen: gen-proto gen-openapi ## Generate all code: Python from protos/, TypeScript types from the BFF's OpenAPI

.PHONY: gen-proto
gen-proto: $(VENV)/.installed ## Python code (with type stubs) from protos/ into protos/gen/python
	rm -rf $(GEN) && mkdir -p $(GEN)
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=$(GEN) --pyi_out=$(GEN) \
	  --grpc_python_out=$(GEN) --mypy_grpc_out=$(GEN) --plugin=protoc-gen-mypy_grpc=$(BIN)/protoc-gen-mypy_grpc \
	  $(PROTOS)
	@# Namespace packages need no __init__; mark the tree typed for mypy.
	find $(GEN)/acme -type d -exec touch {}/__init__.py \;
	touch $(GEN)/acme/py.typed

OPENAPI_OUT := frontend/openapi.json frontend/src/api/schema.gen.ts

.PHONY: gen-openapi
gen-openapi: $(VENV)/.installed npm ## The BFF's OpenAPI document and the frontend's TypeScript types from it
	$(PY) -m bff.openapi > frontend/openapi.json
	cd frontend && npx openapi-typescript openapi.json -o src/api/schema.gen.ts --silent

GENERATED := $(GEN) $(OPENAPI_OUT)

.PHONY: gen-check
gen-check: gen ## Fail when the committed generated code is stale
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); \
	  echo "Generated code is stale: run 'make gen' and commit it."; exit 1; }

# --- checks and tests ---------------------------------------------------------------------------

PY_PACKAGES := kit launcher shop_stub support_svc refund_svc bff bench tests

.PHONY: lint
lint: $(VENV)/.installed ## ruff, ruff format, mypy (strict), buf lint and buf format
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(wildcard $(PY_PACKAGES))
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code

.PHONY: test-py
test-py: $(VENV)/.installed redis-up ## pytest: unit and integration tests, with coverage
	$(BIN)/pytest -q -p no:cacheprovider --cov --cov-report=term --cov-fail-under=85

.PHONY: test-frontend
test-frontend: npm ## The frontend's type check and Vitest tests
	cd frontend && npm run typecheck && npm test

.PHONY: build-frontend
build-frontend: npm ## Build the UI into frontend/dist (the BFF serves it)
	cd frontend && npm run build

.PHONY: test-e2e
test-e2e: $(VENV)/.installed npm build-frontend redis-up ## Playwright in headless Chromium against the whole system
	./scripts/e2e.sh

.PHONY: redis-up
redis-up: ## Make sure a Redis answers on 127.0.0.1:6379 (starts one if not)
	@./scripts/redis-up.sh

.PHONY: test
test: ## Every check and test: generated code, lint, pytest, frontend, end to end
	$(MAKE) gen-check
	$(MAKE) lint
	$(MAKE) test-py
	$(MAKE) test-frontend
	$(MAKE) test-e2e
	@echo "make test: all checks passed"

# --- running ------------------------------------------------------------------------------------

.PHONY: run
run: $(VENV)/.installed npm build-frontend ## Start the whole system with demo data at http://localhost:8000/
	$(PY) -m launcher run

.PHONY: bench
bench: $(VENV)/.installed npm build-frontend redis-up ## The benchmark: seeds 100,000 cases, drives the system, prints ratios to ceilings
	$(PY) -m bench $(BENCH_ARGS)

.PHONY: token
token: $(VENV)/.installed ## Mint an identity token for grpcurl (ROLE=agent SUBJECT=agt_2001)
	@$(PY) -m launcher token --role $${ROLE:-agent} --subject $${SUBJECT:-agt_2001}

.PHONY: clean
clean: ## Remove runtime state (.run/): databases, logs, the dev identity secret
	rm -rf .run
