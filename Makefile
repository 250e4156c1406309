# mapper: `make run` serves the app, `make test` runs the whole suite. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT := $(or $(MAPPER_PORT),5000)
INSTALLED := $(VENV)/.installed
CATALOGS := $(wildcard mapper/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint bench-intake bench-sms bench-clusters bench-exports translations update-translations db-start db-stop clean

$(INSTALLED): requirements.txt setup.cfg pyproject.toml
	scripts/ensure-system-packages.sh python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

%.mo: %.po | $(INSTALLED)
	$(BIN)/pybabel compile --statistics -i $< -o $@ 2>/dev/null

translations: $(COMPILED)

update-translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location -w 100 -o mapper/translations/messages.pot .
	$(BIN)/pybabel update -i mapper/translations/messages.pot -d mapper/translations --ignore-obsolete -w 100

db-start: $(INSTALLED)
	scripts/ensure-system-packages.sh postgis
	$(BIN)/mapper db start
	$(BIN)/mapper db upgrade

db-stop: $(INSTALLED)
	$(BIN)/mapper db stop

# gunicorn.conf.py: worker settings, and an access log without client addresses or queries.
run: $(INSTALLED) translations db-start
	$(BIN)/mapper load-sample
	@echo "mapper is serving on http://127.0.0.1:$(PORT)"
	MAPPER_PORT=$(PORT) exec $(BIN)/gunicorn --config gunicorn.conf.py 'mapper:create_app()'

# pytest exits 5 when it collected no test: that is a failure, not a pass.
test: $(INSTALLED) translations
	scripts/ensure-system-packages.sh postgis browser gdal
	$(BIN)/pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$status

lint: $(INSTALLED)
	$(BIN)/ruff check mapper tests benchmarks migrations sample_data
	$(BIN)/ruff format --check mapper tests benchmarks sample_data

bench-intake: $(INSTALLED) translations db-start
	$(BIN)/python benchmarks/intake.py

bench-sms: $(INSTALLED) translations db-start
	$(BIN)/python benchmarks/sms.py

# Seeds 1M then 10M reports in a throwaway database: about half an hour, several GB of disk.
bench-clusters: $(INSTALLED) translations db-start
	scripts/ensure-system-packages.sh browser
	$(BIN)/python benchmarks/clusters.py

# Seeds 1M reports in a throwaway database and exports them in every format: about 10 minutes.
bench-exports: $(INSTALLED) translations db-start
	$(BIN)/python benchmarks/exports.py

clean:
	-$(BIN)/mapper db stop
	rm -rf $(VENV) var
