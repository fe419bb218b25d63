# wan-r2v — every target creates the venv first when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPEC   := openapi/wan-r2v.yaml
GENERATED := generated/wan_r2v_api
PYTEST_ARGS ?= -n auto

.PHONY: setup generate check-generated lint typecheck test demo bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wan-r2v needs Python 3.11+ (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv with the library, the sandbox and the dev tools

generate: $(STAMP)  ## rebuild generated/ from the spec
	rm -rf $(GENERATED)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/openapi-python-client generate \
		--path $(SPEC) --config openapi/generator.yaml --meta none \
		--output-path $(GENERATED) --fail-on-warning

check-generated: generate  ## fail when generated/ differs from a fresh generation
	@git add -N generated/ 2>/dev/null || true
	@git diff --exit-code --stat -- generated/ || \
		{ echo "generated/ is out of date with $(SPEC): run 'make generate' and commit"; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check src tests generated bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP)  ## the whole suite (unit, contract, integration)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)  ## generate an MP4 offline through the embedded sandbox
	$(BIN)/python -m wan_r2v.demo $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build
