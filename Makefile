# wan-r2v — every target creates the venv first when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPEC   := openapi/wan-r2v.yaml
GENERATED := generated/wan_r2v_api
PYTEST_ARGS ?= -n auto

.PHONY: setup generate check-generated lint typecheck test test-pythons demo bench clean

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
		--custom-template-path openapi/templates \
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

# The Pythons of the classifiers in pyproject.toml; each one found here (on PATH, or under
# pyenv) gets its own .venv-X.Y and the whole suite. Missing ones are named, not failed.
PYTHON_VERSIONS ?= 3.11 3.12 3.13
test-pythons:  ## the suite on every supported Python present (PYTHON_VERSIONS)
	@ran=""; missing=""; \
	for v in $(PYTHON_VERSIONS); do \
		py=$$(command -v python$$v 2>/dev/null); \
		if [ -z "$$py" ] || ! "$$py" -c '' 2>/dev/null; then \
			py=$$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null | tail -n 1); fi; \
		if [ -z "$$py" ] || ! "$$py" -c '' 2>/dev/null; then missing="$$missing $$v"; continue; fi; \
		echo "== Python $$v ($$py)"; \
		$(MAKE) --no-print-directory PYTHON="$$py" VENV=.venv-$$v test || exit 1; \
		ran="$$ran $$v"; \
	done; \
	echo "test-pythons: passed on:$${ran:- none}$${missing:+; not found here:$$missing}"; \
	[ -n "$$ran" ]

demo: $(STAMP)  ## generate an MP4 offline through the embedded sandbox
	$(BIN)/python -m wan_r2v.demo $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .mypy_cache .ruff_cache dist build
