# alue — two commands do all set-up:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB_FILE ?= alue.db
DEMO_SEED ?= 2025
# PostgreSQL used by `make test` for the database tests (skipped with a notice when unreachable
# outside CI; .ci/run makes sure a server is there).
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Processes for the SQLite run of the suite (pytest-xdist, one test module per process at a time): the
# processors, at most 4 (each builds its own demo databases). The PostgreSQL run shares one database, so it
# runs in one process.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; n = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count(); print(max(1, min(4, n or 1)))")

# FreeDict's dictionaries (Debian packages) that the occupation coder reads from /usr/share/dictd when
# they are there: Finnish-English, and the dictionaries into Finnish whose senses give its synonyms.
DICT_PACKAGES := dict-freedict-fin-eng dict-freedict-eng-fin dict-freedict-swe-fin dict-freedict-deu-fin \
	dict-freedict-fra-fin dict-freedict-ita-fin dict-freedict-nld-fin dict-freedict-pol-fin dict-freedict-ell-fin

# Finnish word vectors for the occupation coder: the floret table of a Finnish spaCy pipeline (MIT), of which
# only the table is read, so the package is installed without spaCy and its other dependencies.
WORD_VECTORS := spacy-fi-experimental-web-md==0.15.0

.PHONY: run test install dictionaries word-vectors demo serve lint typecheck test-sqlite test-postgres clean

run: install $(DB_FILE) ## install, build the demo area into SQLite, serve http://127.0.0.1:8000
	@echo "Demo users: run '$(BIN)/alue demo-users' to print (and reset) their passwords."
	ALUE_DATABASE_URL=sqlite:///./$(DB_FILE) $(BIN)/alue serve --host 127.0.0.1 --port 8000

test: install typecheck test-sqlite test-postgres ## install, type-check, run the whole suite (SQLite, then PostgreSQL)

install: $(STAMP) dictionaries word-vectors

dictionaries: ## the occupation coder's dictionaries (Debian packages; installed when run as root)
	@missing=$$(for p in $(DICT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the occupation coder's dictionaries:" $$missing; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
		|| echo "NOTICE: could not install" $$missing "- the occupation coder codes without them"; \
	else \
		echo "NOTICE: the occupation coder codes better with FreeDict's dictionaries: apt-get install" $$missing; \
	fi

word-vectors: $(STAMP) ## the occupation coder's Finnish word vectors (about 90 MB, from PyPI)
	@$(BIN)/python -c "import importlib.metadata as m, sys; sys.exit(m.version('spacy-fi-experimental-web-md') != '$(lastword $(subst ==, ,$(WORD_VECTORS)))')" 2>/dev/null \
	|| $(BIN)/pip install --quiet --no-deps '$(WORD_VECTORS)' \
	|| echo "NOTICE: could not install $(WORD_VECTORS) - the occupation coder codes without word vectors"

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DB_FILE):
	ALUE_DATABASE_URL=sqlite:///./$(DB_FILE).tmp $(BIN)/alue db upgrade
	ALUE_DATABASE_URL=sqlite:///./$(DB_FILE).tmp $(BIN)/alue demo --seed $(DEMO_SEED)
	ALUE_DATABASE_URL=sqlite:///./$(DB_FILE).tmp $(BIN)/alue demo-users
	@echo "Building the occupation coder into its cache (under a minute), so that no page waits for it:"
	echo hitsaaja | ALUE_DATABASE_URL=sqlite:///./$(DB_FILE).tmp $(BIN)/alue code-occupation --top 1
	mv $(DB_FILE).tmp $(DB_FILE)

demo: install ## rebuild the demo area from scratch
	rm -f $(DB_FILE) $(DB_FILE)-wal $(DB_FILE)-shm $(DB_FILE).tmp*
	$(MAKE) $(DB_FILE)

test-sqlite:
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(subst +psycopg,,$(PG_TEST_URL))', connect_timeout=3).close()" 2>/dev/null; then \
		ALUE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -p no:cacheprovider -m "db and not browser"; \
	else \
		if [ -n "$$CI" ]; then echo "PostgreSQL is not reachable at $(PG_TEST_URL)"; exit 1; fi; \
		echo "NOTICE: PostgreSQL not reachable at $(PG_TEST_URL); database tests ran on SQLite only"; \
	fi

lint:
	$(BIN)/ruff check src tests benchmarks migrations
	$(BIN)/ruff format --check src tests benchmarks migrations

typecheck: install ## mypy over src/alue; a type error fails `make test`
	$(BIN)/mypy src/alue

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
