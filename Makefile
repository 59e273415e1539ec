# Active Connector: the two commands are `make run` and `make test`.
# Every target that needs infrastructure brings it up itself (deploy/local/infra.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT   := $(CURDIR)
CACHE  := $(ROOT)/.cache
UV_DIR := $(CACHE)/uv
# Use an uv on PATH, else install one from PyPI into the cache.
UV     := $(shell command -v uv 2>/dev/null || echo $(UV_DIR)/bin/uv)
VENV   := $(ROOT)/.venv
PY     := $(VENV)/bin/python
INFRA  := deploy/local/infra.sh
# Loads DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS of the running infrastructure.
WITH_INFRA := set -a; eval "$$($(INFRA) env)"; set +a;
PYTEST_ARGS ?=

.PHONY: help
help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(UV_DIR)/bin/uv:
	python3 -m venv $(UV_DIR)
	$(UV_DIR)/bin/pip install -q --disable-pip-version-check uv

$(VENV)/.synced: uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) | $(UV)
	$(UV) sync --frozen --all-packages
	touch $@

.PHONY: venv
venv: $(VENV)/.synced ## install uv and the locked Python environment

.PHONY: infra
infra: venv ## start PostgreSQL and Kafka natively (idempotent)
	$(INFRA) up

.PHONY: infra-down
infra-down: ## stop what `make infra` started
	$(INFRA) down

.PHONY: infra-status
infra-status:
	$(INFRA) status

.PHONY: chromium
chromium: ## headless Chromium (Debian's) for the browser tests (the web app, the audit report)
	deploy/local/chromium.sh

.PHONY: web
web: venv ## install (npm ci) and build the web app, each only when needed (web/dist)
	$(PY) deploy/local/webbuild.py

.PHONY: web-client
web-client: venv ## regenerate the web app's typed API client from the gateway's OpenAPI
	$(PY) deploy/local/webbuild.py --install
	$(PY) -m tools.web_client write

.PHONY: test
test: infra chromium web ## install everything, start infrastructure, run the whole suite
	@# pytest exits 5 when it collected no test: a broken set-up, said plainly.
	$(WITH_INFRA) $(PY) -m pytest $(PYTEST_ARGS) || { rc=$$?; \
	  [ $$rc -ne 5 ] || echo "make test: pytest collected no tests (exit 5): the suite is broken" >&2; \
	  exit $$rc; }

.PHONY: test-unit
test-unit: venv ## pure unit tests only (no infrastructure)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

.PHONY: run
run: infra ## start every service under one supervisor (Ctrl-C stops them all; DEMO=1 seeds the demo)
	$(WITH_INFRA) $(PY) deploy/local/run.py $(if $(filter 1 yes true,$(DEMO)),--demo)

.PHONY: demo
demo: infra ## seed demo accounts, clients, vacancies and students into the running platform
	$(WITH_INFRA) $(PY) deploy/local/demo.py

.PHONY: mail
mail: venv ## list the emails the local platform has sent (they are files in .cache/mail/new)
	$(PY) deploy/local/mailsink.py --list --dir .cache/mail

.PHONY: lint
lint: venv ## ruff and mypy; the web app's TypeScript (tsc, strict)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) deploy/local/webbuild.py --install
	npm --prefix web run --silent typecheck

.PHONY: fmt
fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: schemas
schemas: venv ## regenerate JSON Schemas and docs/asyncapi.yaml from the event models
	$(PY) -m tools.contracts write

.PHONY: bench-pipeline
bench-pipeline: infra ## store -> relay -> Kafka -> projection, beside raw ceilings
	$(WITH_INFRA) $(PY) -m bench.pipeline

.PHONY: bench-matching
bench-matching: venv ## matching quality: nDCG@10 of BM25 on a labelled set, beside a random ranking
	$(PY) -m bench.matching

.PHONY: bench-ranking
bench-ranking: infra ## ranking at scale: a student's top 10 and a candidate page, 100,000 CVs and 10,000 vacancies, beside a one-row read
	$(WITH_INFRA) $(PY) -m bench.ranking

.PHONY: eval-sensitive
eval-sensitive: venv ## the sensitive-data guard's precision and recall on its labelled corpus
	$(PY) -m tools.sensitive_eval tests/data/sensitive_corpus.jsonl

.PHONY: bench-audit
bench-audit: infra ## replay of >1M seeded events and every audit rule, beside a raw aiokafka consume
	$(WITH_INFRA) $(PY) -m bench.audit

.PHONY: bench-consent
bench-consent: infra ## consent decisions under wrk (100k people, 1M consents), beside a bare endpoint
	@command -v wrk >/dev/null || { s=""; [ "$$(id -u)" -eq 0 ] || s=sudo; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq wrk >/dev/null; }
	$(WITH_INFRA) $(PY) -m bench.consent

.PHONY: bench-platform
bench-platform: infra ## the platform under a busy term's mix through the gateway (locust): the highest rate with every p99 under 200 ms
	$(WITH_INFRA) $(PY) -m bench.platform

.PHONY: bench-servers
bench-servers: infra ## uvicorn (uvloop, httptools) against granian for consent and the gateway, bare and service
	@command -v wrk >/dev/null || { s=""; [ "$$(id -u)" -eq 0 ] || s=sudo; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq wrk >/dev/null; }
	$(WITH_INFRA) $(PY) -m bench.servers

.PHONY: staff-account
staff-account: infra ## the first staff account (password prompted or AC_ADMIN_PASSWORD: 10-256 characters, 4+ distinct, not the username)
	$(WITH_INFRA) $(PY) -m ac_identity.admin create-account --role staff \
	  --username "$(or $(USERNAME),staff)" --name "$(or $(NAME),Local Staff)" --email "$(or $(EMAIL),staff@example.jp)"

# Images: one Dockerfile for every service (deploy/docker/Dockerfile), built from the root.
IMAGE_REPO ?= ghcr.io/active-connector
TAG        ?= dev

.PHONY: image
image: ## build one service's image (SERVICE=matching TAG=0.1.0; needs a Docker engine)
	@test -n "$(SERVICE)" || { echo "make image SERVICE=<name> [TAG=<tag>]" >&2; exit 2; }
	docker build -f deploy/docker/Dockerfile --build-arg SERVICE=$(SERVICE) \
	  -t $(IMAGE_REPO)/$(SERVICE):$(TAG) .

.PHONY: web-image
web-image: ## build the web app's image (nginx-unprivileged serving web/dist; TAG=; needs a Docker engine)
	docker build -f deploy/docker/web.Dockerfile -t $(IMAGE_REPO)/web:$(TAG) .

# Kubernetes manifests: kustomize and kubeconform built from the Go module proxy,
# the schemas (Kubernetes, Strimzi, CloudNativePG) from deploy/k8s/schemas: all offline.
TOOLS       := $(CACHE)/tools
KUSTOMIZE   := $(TOOLS)/bin/kustomize
KUBECONFORM := $(TOOLS)/bin/kubeconform
GO_INSTALL  := GOBIN=$(TOOLS)/bin GOPATH=$(TOOLS)/go GOFLAGS=-modcacherw go install
SCHEMAS     := deploy/k8s/schemas

$(KUSTOMIZE):
	$(GO_INSTALL) sigs.k8s.io/kustomize/kustomize/v5@v5.5.0

$(KUBECONFORM):
	$(GO_INSTALL) github.com/yannh/kubeconform/cmd/kubeconform@v0.6.7

# promtool (Prometheus 3.7.3) from the Go module proxy, pinned by deploy/prometheus/promtool.
PROMTOOL := $(TOOLS)/bin/promtool

$(PROMTOOL): deploy/prometheus/promtool/go.mod deploy/prometheus/promtool/go.sum
	cd deploy/prometheus/promtool && GOPATH=$(TOOLS)/go GOFLAGS=-modcacherw \
	  go build -o $(PROMTOOL) github.com/prometheus/prometheus/cmd/promtool

.PHONY: alerts-check
alerts-check: $(PROMTOOL) venv ## the alert rules (deploy/k8s/base/infra/alerts.yaml) through promtool check rules
	$(PY) -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["active-connector.rules.yaml"])' \
	  deploy/k8s/base/infra/alerts.yaml > $(CACHE)/alerts.rules.yaml
	$(PROMTOOL) check rules $(CACHE)/alerts.rules.yaml

.PHONY: k8s-validate
k8s-validate: $(KUSTOMIZE) $(KUBECONFORM) ## kustomize build of each overlay | kubeconform -strict (offline schemas)
	@for overlay in deploy/k8s/overlays/*/; do \
	  echo "== $$overlay"; \
	  $(KUSTOMIZE) build "$$overlay" | $(KUBECONFORM) -strict -summary \
	    -schema-location '$(SCHEMAS)/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' \
	    -schema-location '$(SCHEMAS)/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' - ; \
	done

.PHONY: k8s-schemas
k8s-schemas: venv ## regenerate deploy/k8s/schemas from the Go module proxy and Maven Central
	GOPATH=$(TOOLS)/go GOFLAGS=-modcacherw $(PY) $(SCHEMAS)/generate.py

.PHONY: chaos
chaos: infra $(PROMTOOL) ## every fault in turn under load, on a platform of its own: FAULT and RESULT lines
	@# Its own PostgreSQL and Kafka (tests/chaos/infra.py); the shared ones only for the
	@# suite's session fixtures. Root is needed for the small disk of the full-disk fault.
	$(WITH_INFRA) AC_CHAOS=full AC_PROMTOOL=$(PROMTOOL) $(PY) -m pytest tests/chaos -n 0 -p no:randomly -s \
	  --timeout 3600 $(PYTEST_ARGS)
