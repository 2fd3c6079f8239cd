# Two commands for a new user: `make demo` and `make test`. Both create .venv when it is missing
# or older than pyproject.toml, and reuse it otherwise.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench data clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dask,imagery,web,dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cocamonitor demo

test: $(STAMP)
	@bash scripts/ensure_browser.sh
	@$(BIN)/python -m pytest -n 2 --dist loadfile -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy src/cocamonitor

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
	@for w in compare experiment; do echo "== benchmarks/simulate.py --what $$w"; \
		$(BIN)/python benchmarks/simulate.py --what $$w || exit 1; done

data: $(STAMP)
	$(BIN)/python scripts/build_data.py

clean-venv:
	rm -rf $(VENV)
