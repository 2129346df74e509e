VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The npm tools that read openapi.yaml (Redocly, Prism, openapi-typescript), pinned by
# tools/package-lock.json.
NODE_STAMP := tools/node_modules/.installed

# The Node/TypeScript example (examples/node), pinned by its own package-lock.json; run by
# `make test` against this checkout's trustoo-mock where Node is installed.
NODE_EXAMPLE := examples/node
NODE_EXAMPLE_STAMP := $(NODE_EXAMPLE)/node_modules/.installed
HAVE_NODE := $(shell command -v node 2>/dev/null)

.PHONY: run test lint fuzz demo bench mutation clean node-example screenshots

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# `make run PORT=9000` (or HOST=...) on the command line; otherwise serve's own defaults, or
# TRUSTOO_MOCK_PORT / TRUSTOO_MOCK_HOST. A PORT or HOST merely set in the environment (for
# another server) is not taken.
given = $(if $(filter command line,$(origin $(1))),$(2) $($(1)))

$(NODE_STAMP): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(NODE_EXAMPLE_STAMP): $(NODE_EXAMPLE)/package.json $(NODE_EXAMPLE)/package-lock.json
	cd $(NODE_EXAMPLE) && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_EXAMPLE_STAMP)

node-example: $(STAMP) $(if $(HAVE_NODE),$(NODE_EXAMPLE_STAMP))
ifdef HAVE_NODE
	cd $(NODE_EXAMPLE) && PATH=$(CURDIR)/$(VENV)/bin:$$PATH npm test
else
	@echo "make test: SKIPPING examples/node (the Node/TypeScript example): node is not installed"
endif

run: $(STAMP)
	$(VENV)/bin/trustoo-mock serve $(call given,HOST,--host) $(call given,PORT,--port)

lint: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check trustoo_mock tests scripts bench
	$(VENV)/bin/ruff format --check trustoo_mock tests scripts bench
	$(VENV)/bin/mypy --strict trustoo_mock
	$(VENV)/bin/openapi-spec-validator openapi.yaml
	tools/node_modules/.bin/redocly lint --format=stylish openapi.yaml

# Debian packages the tests need: Chromium and chromedriver for the consent page, wrk for the
# benchmark harness (a second process generating load on 127.0.0.1).
SYSTEM_TOOLS := /usr/bin/chromedriver /usr/bin/wrk
$(SYSTEM_TOOLS):
	@echo "make test: installing Chromium, chromedriver and wrk with apt-get$(if $(filter 0,$(shell id -u)),, (sudo))"
	$(if $(filter 0,$(shell id -u)),,sudo) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver wrk'

# Compiled first (see bench): every served fake and CLI call the suite starts would
# otherwise compile the package again. worksteal: a worker that runs out takes queued tests
# from the other, instead of idling while the other finishes a queue handed out early.
test: lint $(SYSTEM_TOOLS) node-example
	$(PY) -m compileall -q trustoo_mock tests
	$(VENV)/bin/pytest -n auto --dist worksteal

# Compiled first, as a pip install would leave it (this workplace sets PYTHONDONTWRITEBYTECODE,
# so an editable checkout would otherwise recompile the package at every start).
bench: $(STAMP) /usr/bin/wrk
	$(PY) -m compileall -q trustoo_mock
	$(PY) -m bench.run
	$(PY) -m bench.persistence
	$(PY) -m bench.inspector

# The README's pictures of the inspector (docs/screenshots/), from its browser test at 1280 px.
screenshots: $(STAMP) /usr/bin/chromedriver
	UPDATE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/test_ui_browser.py -k console_errors -p no:cacheprovider

fuzz: $(STAMP)
	TRUSTOO_MOCK_FUZZ_EXAMPLES=500 $(VENV)/bin/pytest tests/test_schemathesis.py

# Mutation testing of the core modules ([tool.mutmut] in pyproject.toml, docs/testing.md). Slow,
# so not part of `make test`. ONLY=<module path> runs one module's mutants, for example
# `make mutation ONLY=trustoo_mock/core/signing.py`. A fresh mutants/ each time: mutmut keeps copies
# of the tests there and would not see them change.
ONLY ?=
mutation: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,mutation]'
	rm -rf mutants
	$(VENV)/bin/mutmut run $(if $(ONLY),'$(subst /,.,$(basename $(ONLY))).*')
	$(PY) scripts/mutation_score.py $(ONLY)

demo: $(STAMP)
	$(PY) scripts/generate_demo.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache tools/node_modules $(NODE_EXAMPLE)/node_modules
