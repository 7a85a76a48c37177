# Every target creates the virtual environment it needs; nothing has to be installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint security eval bench clean

$(STAMP): requirements-dev.txt functions/processor/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# The C modules (functions/processor/docproc/_native.c, the statistics; _pagewalk.c, the HTML
# page walk), built in place; where no compiler is, build_native.py says so and the same work
# runs in pure Python.
NATIVE_STAMP := $(VENV)/.native

$(NATIVE_STAMP): $(STAMP) functions/processor/docproc/_native.c functions/processor/docproc/_pagewalk.c functions/processor/build_native.py
	$(BIN)/python functions/processor/build_native.py
	touch $(NATIVE_STAMP)

demo: $(STAMP) $(NATIVE_STAMP)  ## the local stack on moto, every file in seeds/ through the real handler
	$(BIN)/docproc local run seeds

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint security $(NATIVE_STAMP)  ## lint, type checks, template checks, checkov and the whole test suite
	$(BIN)/pytest -q

# checkov in its own environment: beside our pins it would downgrade boto3 and packaging.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP): infra/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install -q -r infra/checkov-requirements.txt
	touch $(CHECKOV_STAMP)

# Zero failed checks; every skip is justified in template.yaml (Metadata: checkov: skip).
# --skip-download: offline, no guideline download from the vendor's API.
security: $(CHECKOV_STAMP)  ## checkov over template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet \
		--skip-download

eval: $(STAMP) $(NATIVE_STAMP)  ## cleaning quality against the gold texts in ../shared/corpus
	$(BIN)/docproc eval

# The stock chain `make bench` measures docproc against, in its own environment (not CI's).
REF_VENV := .venv-bench-ref
REF_STAMP := $(REF_VENV)/.installed
BENCH_ARGS ?=

$(REF_STAMP): infra/bench-reference-requirements.txt
	$(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install -q --upgrade pip
	$(REF_VENV)/bin/python -m pip install -q -r infra/bench-reference-requirements.txt
	touch $(REF_STAMP)

bench: $(STAMP) $(NATIVE_STAMP) $(REF_STAMP)  ## speed, cold start, memory and package size, side by side with the stock chain
	$(BIN)/python -m infra.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(REF_VENV) $(CHECKOV_VENV) .mypy_cache .pytest_cache .ruff_cache .aws-sam build
