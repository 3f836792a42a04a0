# OpenMentor: `make run` starts the platform with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench setup browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	@PYTHON=$(PYTHON) scripts/setup.sh
	@touch $(STAMP)

run: $(STAMP)
	@scripts/run.sh

browser:
	@scripts/ensure-chromium.sh
	@scripts/ensure-janus.sh

test: $(STAMP) browser
	@scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy openmentor

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@scripts/bench.sh

clean:
	rm -rf $(VENV) var
