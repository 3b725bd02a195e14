# The two commands: `make run` (the whole platform) and `make test` (the whole suite).
# Everything else here is a step they take, or a convenience.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run stop test unit bench faults stack stack-stop status reset venv clean messages

run: $(STAMP)  ## Kafka + FerretDB + every service process; Ctrl-C stops it all
	$(PY) deploy/local/run.py

stop: $(STAMP)  ## stop what `make run` started (from another terminal)
	$(PY) deploy/local/run.py stop

test: $(STAMP)  ## the full test suite (starts and stops its own stack on test ports)
	deploy/local/ensure_chromium.sh
	$(PY) -m pytest

unit: $(STAMP)  ## only the tests that need no Kafka or Mongo
	$(PY) -m pytest tests/unit

bench: $(STAMP)  ## benchmarks; each prints its figures as JSON
	$(PY) -m bench

faults: $(STAMP)  ## the fault suite: SIGKILLs under load on its own stack, one JSON line per fault (minutes)
	$(PY) -m bench faults

stack: $(STAMP)  ## only Kafka + FerretDB
	$(PY) deploy/local/stack.py start

stack-stop: $(STAMP)
	$(PY) deploy/local/stack.py stop

status: $(STAMP)
	$(PY) deploy/local/run.py status

reset: $(STAMP)  ## stop everything and wipe the local data
	$(PY) deploy/local/run.py stop
	$(PY) deploy/local/stack.py reset

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache

NOTIFICATIONS := services/notifications
messages: $(STAMP)  ## re-extract the notification messages and the web pages' sentences (.pot) and update every language's .po (README: Translations)
	cd $(NOTIFICATIONS) && ../../$(VENV)/bin/pybabel extract -F babel.cfg -o locale/messages.pot --sort-output \
		--project "BSM notifications" --copyright-holder "BSM platform" --add-comments TRANSLATORS: .
	$(VENV)/bin/pybabel update -i $(NOTIFICATIONS)/locale/messages.pot -d $(NOTIFICATIONS)/locale --no-fuzzy-matching --width 100
	cd web && ../$(VENV)/bin/pybabel extract -F babel.cfg -o ../$(NOTIFICATIONS)/locale/web.pot --sort-output \
		--project "BSM web" --copyright-holder "BSM platform" --add-comments TRANSLATORS: .
	for language in en hi ur ks doi; do [ -f $(NOTIFICATIONS)/locale/$$language/LC_MESSAGES/web.po ] || \
		$(VENV)/bin/pybabel init -D web -i $(NOTIFICATIONS)/locale/web.pot -d $(NOTIFICATIONS)/locale -l $$language --width 100; done
	$(VENV)/bin/pybabel update -D web -i $(NOTIFICATIONS)/locale/web.pot -d $(NOTIFICATIONS)/locale --no-fuzzy-matching --width 100
