# mamoru — the two promised commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres install install-test browser fonts ldap ldap-dev audio-tools worker demo bench lint clean-db openssl

$(VENV)/.installed: requirements.txt | ldap-dev
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP) install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium from Debian's packages…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Debian's Japanese fonts for the letters (PDF) and poppler-utils to read them back in tests.
fonts:
	@{ test -f /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf && \
	   test -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf && \
	   command -v pdftotext >/dev/null 2>&1; } || { \
	  echo "Installing Japanese fonts and poppler-utils from Debian's packages…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipaexfont-mincho fonts-ipaexfont-gothic poppler-utils >/dev/null; }

# python-ldap (directory sign-in) compiles against OpenLDAP's and Cyrus SASL's headers.
ldap-dev:
	@{ test -f /usr/include/ldap.h && test -f /usr/include/sasl/sasl.h && command -v gcc >/dev/null 2>&1; } || { \
	  echo "Installing libldap2-dev, libsasl2-dev and gcc from Debian's packages (python-ldap)…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev gcc >/dev/null; }

# Debian's OpenLDAP server and tools: the directory sign-in tests start a real slapd on loopback.
ldap: ldap-dev
	@{ test -x /usr/sbin/slapd && command -v ldapadd >/dev/null 2>&1; } || { \
	  echo "Installing slapd and ldap-utils from Debian's packages…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null; }

# Debian's ffmpeg decodes recordings for their analysis (evidence); sox and espeak-ng make the
# tests' and the benchmark's recordings (docs/evidence.md, ## worker).
audio-tools:
	@{ command -v ffmpeg >/dev/null 2>&1 && command -v sox >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1; } || { \
	  echo "Installing ffmpeg, sox and espeak-ng from Debian's packages…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg sox libsox-fmt-mp3 espeak-ng >/dev/null; }

# The background worker (recording analysis) on PostgreSQL: DATABASE_URL=postgres://… make worker.
# Not needed for `make run`: on SQLite the analysis runs in the web process (MAMORU_WORKER=eager).
worker: install audio-tools
	$(PY) -m mamoru evidence-worker

# Debian's openssl command: the evidence time-stamp tests run a real TSA (openssl ts -reply) on loopback
# and verify its tokens with openssl ts -verify, as a court or the police would.
openssl:
	@command -v openssl >/dev/null 2>&1 || { \
	  echo "Installing openssl from Debian's packages…"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

# Install, migrate SQLite, load demo data once, serve on http://127.0.0.1:8000.
run: install fonts audio-tools
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: install fonts
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --if-empty

# Every test, on SQLite and on PostgreSQL, browser tests included.
test: install-test browser fonts ldap audio-tools openssl
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== tests on SQLite =="
	MAMORU_FAST_PASSWORD_HASHER=1 $(PY) -m pytest

test-postgres:
	@echo "== tests on PostgreSQL =="
	url=$$(scripts/postgres.sh start) && \
	  DATABASE_URL=$$url MAMORU_FAST_PASSWORD_HASHER=1 $(PY) -m pytest; \
	  status=$$?; scripts/postgres.sh stop; exit $$status

# The classifier of issue 6 against the keyword baseline, on the held-out split.
.PHONY: eval
eval: install-test
	$(PY) manage.py evaluate

bench: install-test audio-tools fonts
	$(PY) benchmarks/run.py
	$(PY) benchmarks/resident_lookup.py
	$(PY) benchmarks/stats.py
	$(PY) benchmarks/backup_latency.py
	$(PY) benchmarks/evidence_analysis.py
	$(PY) benchmarks/transcript_search.py
	$(PY) benchmarks/evidence_integrity.py
	$(PY) benchmarks/evidence_export.py
	$(PY) benchmarks/evidence_upload.py

# ruff, migrations in step with the models, and the layering (import-linter contracts in pyproject.toml;
# docs/architecture.md). Template includes across apps are checked by tests/test_architecture.py.
lint: install-test
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

clean-db:
	rm -f db.sqlite3
