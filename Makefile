# Every command a person runs. The venv installs itself from the pinned files on first use.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | md5sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)/layers/shared/python:$(CURDIR)/functions:$(CURDIR):$(CURDIR)/sdk
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
EMAIL ?=
PASSWORD ?=
STAGE ?=
ARGS ?=
PORT ?= 20000

.PHONY: venv dashboard run account operator ops test lint layers types unit synth simulate bench openapi sdk-models clean

venv: $(STAMP)

# The CJK font invoice PDFs embed (bytebridge.billing.invoice_pdf; the layer bundling copies it into the layer).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(STAMP): requirements.txt requirements-dev.txt constraints.txt | $(CJK_FONT)
	@command -v node >/dev/null || { echo "Node.js 20 is needed for the CDK synth"; exit 1; }
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(CJK_FONT):
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq fonts-wqy-microhei

# The web apps (dashboard/): npm packages from the lock file, built into dashboard/dist when a source changed.
DASH_MODULES := dashboard/node_modules/.installed
DASH_SOURCES := $(shell find dashboard/src dashboard/public -type f 2>/dev/null) dashboard/index.html \
	dashboard/vite.config.ts dashboard/tsconfig.json
CHROMIUM := /usr/bin/chromium

$(DASH_MODULES): dashboard/package.json dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

dashboard/dist/index.html: $(DASH_MODULES) $(DASH_SOURCES)
	cd dashboard && npm run -s build

dashboard: dashboard/dist/index.html ## build the dashboard (make run serves it at /)

# The browser tests drive Debian's Chromium (Playwright's own browser download needs a network it does not have).
$(CHROMIUM):
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium

run: $(STAMP) dashboard/dist/index.html ## start the whole platform locally on http://127.0.0.1:$(PORT)
	$(PY) -m local.run --port $(PORT)

account: $(STAMP) ## sign up a client on the running platform (code from the local outbox): make account EMAIL=a@b.c
	@test -n "$(EMAIL)" || { echo "usage: make account EMAIL=someone@example.com [PASSWORD=...]"; exit 2; }
	@$(PY) -m local.account --email "$(EMAIL)" --port $(PORT) $(if $(PASSWORD),--password "$(PASSWORD)")

operator: $(STAMP) ## enroll an operator: make operator EMAIL=a@b.c [PASSWORD=...] [STAGE=dev|prod] (default: local)
	@test -n "$(EMAIL)" || { echo "usage: make operator EMAIL=someone@example.com [PASSWORD=...] [STAGE=dev]"; exit 2; }
	@$(PY) -m infra.operators --email "$(EMAIL)" --stage $(or $(STAGE),local) --port $(PORT) \
		$(if $(PASSWORD),--password "$(PASSWORD)")

ops: $(STAMP) ## the operator CLI: make ops ARGS="reviews list" (OPS_EMAIL/OPS_PASSWORD; default the local demo operator)
	@$(PY) -m ops.cli $(if $(filter --url%,$(ARGS)),,--url http://127.0.0.1:$(PORT)) $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

layers: $(STAMP) ## the layer order of docs/architecture.md: no wrong-way imports, no cycles, pynamodb only in dal
	$(VENV)/bin/lint-imports --no-cache

types: $(STAMP) ## the type checker (mypy, pydantic plugin)
	$(VENV)/bin/mypy

test: $(STAMP) dashboard/dist/index.html $(CHROMIUM) ## every test: lint, types, unit, integration (emulated AWS), infra (CDK synth), e2e, browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) -m pytest -n 2 --dist loadgroup -q
	cd dashboard && npx vitest run && npx playwright test

simulate: $(STAMP) ## label a simulated project on the running platform: make simulate ARGS="--items 200 --flow text-entities"
	$(PY) -m local.simulate --url http://127.0.0.1:$(PORT) $(ARGS)

synth: $(STAMP) ## synthesize the CDK app into cdk.out (no AWS account needed)
	$(PY) app.py

openapi: $(STAMP) ## write the client API's OpenAPI document and the flow schema to docs/
	$(PY) -m local.openapi > docs/openapi.json
	$(PY) -c 'import json; from bytebridge.flows.model import FLOW_JSON_SCHEMA; print(json.dumps(FLOW_JSON_SCHEMA, indent=2))' > docs/flow.schema.json
	sdk/codegen.sh

sdk-models: ## regenerate the SDK's models and methods (sdk/bytebridge_client) from docs/openapi.json
	sdk/codegen.sh

clean:
	rm -rf $(VENV) cdk.out .pytest_cache .mypy_cache dashboard/node_modules dashboard/dist dashboard/test-results
