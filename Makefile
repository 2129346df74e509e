VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint fuzz demo clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/trustoo-mock serve --host 127.0.0.1 --port 8787

lint: $(STAMP)
	$(VENV)/bin/ruff check trustoo_mock tests scripts
	$(VENV)/bin/ruff format --check trustoo_mock tests scripts
	$(VENV)/bin/mypy --strict trustoo_mock

# The consent-page test drives Debian's Chromium through chromedriver.
BROWSER := /usr/bin/chromedriver
$(BROWSER):
	$(if $(filter 0,$(shell id -u)),,sudo) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver'

test: lint $(BROWSER)
	$(VENV)/bin/pytest

fuzz: $(STAMP)
	TRUSTOO_MOCK_FUZZ_EXAMPLES=500 $(VENV)/bin/pytest tests/test_schemathesis.py

demo: $(STAMP)
	$(PY) scripts/generate_demo.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
