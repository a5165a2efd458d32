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
gen: $(VENV)/.installed ## Generate Python code (with type stubs) from protos/ into protos/gen/python
	rm -rf $(GEN) && mkdir -p $(GEN)
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=$(GEN) --pyi_out=$(GEN) \
	  --grpc_python_out=$(GEN) --mypy_grpc_out=$(GEN) --plugin=protoc-gen-mypy_grpc=$(BIN)/protoc-gen-mypy_grpc \
	  $(PROTOS)
	@# Namespace packages need no __init__; mark the tree typed for mypy.
	find $(GEN)/acme -type d -exec touch {}/__init__.py \;
	touch $(GEN)/acme/py.typed

.PHONY: gen-check
gen-check: gen ## Fail when the committed generated code is stale
	@git diff --exit-code --stat -- $(GEN) || { echo "Generated code is stale: run 'make gen' and commit it."; exit 1; }
	@test -z "$$(git status --porcelain -- $(GEN))" || { git status --porcelain -- $(GEN); echo "Generated code is stale: run 'make gen' and commit it."; exit 1; }
