# Two commands do all set-up on a fresh machine with python3 and make: `make serve` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
export UGKG_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test build validate serve test test-fast sysdeps bench bench-geosparql bench-scale fuzz load clean messages lighthouse

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(STAMP)

# The test tools (pytest, playwright, pandas, oxigraph's server…) only for test, bench and load: serving needs none.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	# cffconvert 2.0.0 (the newest) pins jsonschema<4, which openapi-spec-validator cannot share; it validates CITATION.cff
	# with the jsonschema 4 installed above (tested), so it is installed without its pins
	$(BIN)/pip install -q --no-deps cffconvert==2.0.0 pykwalify==1.8.0 ruamel.yaml==0.19.1 docopt==0.6.2
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

build: install
	$(BIN)/ugkg build

validate: install
	$(BIN)/ugkg validate

# serve builds only when the sources or settings differ from the current snapshot's (its fingerprint).
serve: install
	$(BIN)/ugkg build --if-changed
	$(BIN)/ugkg serve --host $(HOST) --port $(PORT)

# Debian packages the tests drive: Chromium (browser tests), rapper (dump parsing), roqet and Apache Jena's
# rsparql/riot with a Java runtime (client matrix), node + npm (Comunica), a Chinese font (screenshots show
# Chinese labels), nginx (the front cache in docs/deploy, tested for real). Then Comunica from npm into tests/clients/node (versions pinned by its package-lock.json).
# apache2-bin: Apache httpd and its modules without Debian's apache2 service (nothing listens on :80), to run the
# w3id.org redirect rules in docs/deploy/w3id for real.
NODE_CLIENTS := tests/clients/node
SITE_CLIENTS := tests/clients/site
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v rapper >/dev/null || missing="$$missing raptor2-utils"; \
	command -v roqet >/dev/null || missing="$$missing rasqal-utils"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	dpkg -s libapache-jena-java >/dev/null 2>&1 || missing="$$missing libapache-jena-java"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing="$$missing fonts-wqy-microhei"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx-light"; \
	command -v apache2 >/dev/null || test -x /usr/sbin/apache2 || missing="$$missing apache2-bin"; \
	command -v virtuoso-t >/dev/null || missing="$$missing virtuoso-opensource"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: not root, cannot install$$missing; tests needing them are skipped"; fi; \
	fi
	@if command -v npm >/dev/null; then \
	  if [ ! -f $(NODE_CLIENTS)/node_modules/.package-lock.json ] || [ $(NODE_CLIENTS)/package-lock.json -nt $(NODE_CLIENTS)/node_modules/.package-lock.json ]; then \
	    echo "installing Comunica into $(NODE_CLIENTS) (npm ci)"; \
	    cd $(NODE_CLIENTS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null || echo "warning: npm ci failed; the Comunica tests are skipped"; \
	  fi; \
	else echo "warning: npm is not available; the Comunica tests are skipped"; fi
	@if command -v npm >/dev/null; then \
	  if [ ! -f $(SITE_CLIENTS)/node_modules/.package-lock.json ] || [ $(SITE_CLIENTS)/package-lock.json -nt $(SITE_CLIENTS)/node_modules/.package-lock.json ]; then \
	    echo "installing Lighthouse 12.2.3 and axe-core into $(SITE_CLIENTS) (npm ci)"; \
	    cd $(SITE_CLIENTS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null || echo "warning: npm ci failed; the Lighthouse/axe tests are skipped"; \
	  fi; \
	fi

test: install-test sysdeps
	$(BIN)/python -m pytest -q

# The site in Chromium: Lighthouse scores of the landing, a city, the declaration and the query page in both languages,
# desktop preset (also part of `make test`) and Lighthouse's default mobile settings (only here: 25-50 s a page);
# the reports land in tests/artifacts/lighthouse-*.json.
lighthouse: install-test sysdeps
	UGKG_LIGHTHOUSE_MOBILE=1 $(BIN)/python -m pytest -q -m lighthouse tests/web/test_site_browser.py

# The interface's message catalogue: re-extract, merge into server/web/translations/*/messages.po, compile the .mo
# (the OpenAPI wording is extracted from server/web/api/openapi.py itself: no build needed).
messages: install
	$(BIN)/python tools/messages.py

test-fast: install-test
	$(BIN)/python -m pytest -q -m "not browser and not slow"

# bench: our server beside `oxigraph serve-read-only` on the same data, load from wrk (a C load generator, installed
# here), point/join/aggregate/CONSTRUCT, new and repeated texts, 1 and 16 clients, real graph, +100k, +1M, RSS of
# each whole process tree (about 25 minutes on 2 cores); the generated Sparqloscope suite at +1M against both (10-15
# minutes more); then the competency queries. bench-scale: the older
# per-backend scale run (its Python client is a correctness check, not a throughput figure).
bench: install-test
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.wrk --sizes real,100k,1M
	$(BIN)/python -m bench.suite --size 1M
	$(BIN)/python -m bench.endpoint
	$(BIN)/python -m bench.geosparql

# bench-geosparql: only the GeoSPARQL Compliance Benchmark (data read from ../shared/geosparql-benchmark or
# $UGKG_GSB_DIR), through the endpoint, then stock pyoxigraph for comparison; score per requirement
bench-geosparql: install
	$(BIN)/python -m bench.geosparql
	$(BIN)/python -m bench.geosparql --stock

fuzz: install-test
	UGKG_FUZZ_EXAMPLES=100000 $(BIN)/python -m pytest -q tests/test_fuzz.py

bench-scale: install-test
	$(BIN)/python -m bench.run --sizes $(or $(SIZES),10k,100k,1M)

load: install-test
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) var build dist *.egg-info $(NODE_CLIENTS)/node_modules $(SITE_CLIENTS)/node_modules
