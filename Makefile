# The two commands: `make run` serves the portal, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
RUN_PACKAGES := tesseract-ocr tesseract-ocr-eng fonts-ocr-b libgl1
# PyICU (name transliteration for sanctions screening) has no wheels: pip builds it on ICU.
BUILD_PACKAGES := libicu-dev pkg-config g++
TEST_PACKAGES := $(RUN_PACKAGES) chromium fonts-noto-cjk redis-server postgresql docker-compose gettext

.PHONY: run port-free test setup venv lint format messages benchmark clean

# make run PORT=8001 serves on another port; PORTAL_URL (links in emails) follows unless set.
run: port-free setup
	@scripts/system-packages.sh $(RUN_PACKAGES)
	$(PY) scripts/ensure_database.py
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_demo_accounts --with-applications
	DEMO_ACCOUNTS_SKIP_MFA=true PORT=$(PORT) scripts/serve.sh

port-free:  # before the slow set-up: a taken port is said at once
	@PORT=$(PORT) scripts/serve.sh --check

test: setup
	@scripts/system-packages.sh $(TEST_PACKAGES)
	$(PY) scripts/face_photos.py
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@scripts/system-packages.sh $(BUILD_PACKAGES)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) scripts/requirements.py > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	@touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: setup
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'benchmarks/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles
