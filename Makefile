# Liaison. `make run` starts the service on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# `make fuzz`: seconds of fuzzing per database engine (REST and GraphQL together), and the seed
# (`random`, printed in the summary; a number replays a run). `make test` runs the same suite for 60 s
# per engine with a fixed seed.
FUZZ_SECONDS ?= 900
FUZZ_SEED    ?= random

.PHONY: install run demo test fuzz lint bench openapi lock runtime-lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

run: install
	$(BIN)/liaison migrate
	$(BIN)/liaison serve --host $(HOST) --port $(PORT)

# A realistic organization to explore (then `make run`): prints a token and the URLs to open.
demo: install
	$(BIN)/liaison demo

# The suite in TEST_WORKERS processes (pytest-xdist; every test has its own database and ports).
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Schemathesis against the served OpenAPI document and /graphql, on SQLite and PostgreSQL (tests/fuzz/).
fuzz: install
	LIAISON_FUZZ_SECONDS=$(FUZZ_SECONDS) LIAISON_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest tests/fuzz $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench

openapi: install
	$(BIN)/python -m app.export

# Re-resolve the pinned versions from the ranges in pyproject.toml, in a throwaway environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	( echo '# Pinned runtime and dev dependencies, installed by `make install`. Regenerate with `make lock`.'; \
	  echo '# Python 3.11+, Linux.'; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^liaison' ) > requirements.lock
	$(MAKE) runtime-lock

# The production image's dependencies: the runtime ones only, at the versions requirements.lock pins.
runtime-lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	( echo '# Pinned runtime dependencies (the production image), the versions of requirements.lock.'; \
	  echo '# Regenerate with `make lock` (or `make runtime-lock`).'; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^liaison' ) > requirements-runtime.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
