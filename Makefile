# The two commands a newcomer needs: `make dev` (run the product) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

LOCAL      := .local
STAMP      := $(LOCAL)/stamps
FUNCTIONS  := $(notdir $(wildcard functions/*))
GO_PKGS     = $(shell go list ./... | grep -v /node_modules/)

.PHONY: help generate dev test test-go test-frontend lint fuzz bench bench-functions build synth frontend deps go-deps npm-deps moto-deps chromium clean

help:
	@echo "make dev      run the whole product locally (portal :8080, TPP API :8443, moto :5000)"
	@echo "make test     run every test (Go, store contract, CDK, SPA unit, browser end to end)"
	@echo "make lint     gofmt, go vet, staticcheck"
	@echo "make bench    benchmarks with their figures (lookups, caller check, reads, payments: DynamoDB calls, p50/p99)"
	@echo "make fuzz     each fuzzer for FUZZTIME (30s), exploring new inputs"
	@echo "make bench-functions  function sizes (budget, no reflect.Value.MethodByName) and cold/warm latency on moto at 256 MB's CPU"
	@echo "make build    one linux/arm64 bootstrap per function under $(LOCAL)/build/"
	@echo "make generate functions/<name>/main.go and events/<name>.json from the route tables"
	@echo "make synth    synthesize the CDK stacks into cdk.out/, building every function (CONTEXT='-c key=value ...')"
	@echo "make invoke-<function>  run one function with events/<function>.json under SAM local (needs Docker)"

## Dependencies: each installs only what is missing. Go modules are fetched by `go build`
## as needed; go-deps fetches all of them (the CDK bindings are large) for the tests.
deps: npm-deps moto-deps

go-deps: $(STAMP)/go-deps
$(STAMP)/go-deps: go.mod go.sum
	go mod download
	@mkdir -p $(STAMP) && touch $@

npm-deps: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

moto-deps:
	@python3 -c 'import moto.server' 2>/dev/null || python3 -m pip install --quiet "moto[server]"

# Debian's Chromium for the browser tests (npm's browser downloads do not work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## The SPA, with its API types generated from the Go route table's OpenAPI document.
frontend: deps
	@mkdir -p $(LOCAL)
	go run ./infra/local openapi > $(LOCAL)/openapi.json
	@cmp -s $(LOCAL)/openapi.json frontend/src/api/openapi.json || cp $(LOCAL)/openapi.json frontend/src/api/openapi.json
	cd frontend && npm run build --silent

dev: frontend
	go build -o $(LOCAL)/bin/devstack ./infra/local
	exec $(LOCAL)/bin/devstack

## Tests
test: go-deps frontend chromium
	@echo "== gofmt / go vet"
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	go vet $(GO_PKGS)
	@echo "== Go tests (unit, moto and DynamoDB Local integration, CDK, browser end to end)"
	go test -count=1 -timeout 15m $(GO_PKGS)
	@echo "== Benchmarks, one round each, so they keep working (make bench for figures)"
	go test -run='^$$' -bench=. -benchtime=1x ./shared/portal/account ./shared/portal/store ./shared/platform/awsclient ./shared/tpp/callercheck ./shared/tpp/planmeter ./shared/tpp/oauth/oauthdb ./shared/tpp/aisapi ./shared/tpp/pisapi ./shared/local/devstack
	@echo "== Function sizes for linux/arm64: the budget, and no reflect.Value.MethodByName"
	go run ./infra/funcbench size
	@echo "== SPA unit tests"
	cd frontend && npx vitest run

# The fuzzers, each for FUZZTIME (go test runs their seed corpora in `make test`; this
# explores new inputs, which costs an instrumented build of each package and its time).
FUZZTIME ?= 30s
fuzz: go-deps
	go test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./shared/trust/eidas
	go test -run='^$$' -fuzz=FuzzParseAuthorize -fuzztime=$(FUZZTIME) ./shared/tpp/oauth
	go test -run='^$$' -fuzz=FuzzDecodeConsentRequest -fuzztime=$(FUZZTIME) ./shared/tpp/aisapi
	go test -run='^$$' -fuzz=FuzzDecodeFundsRequest -fuzztime=$(FUZZTIME) ./shared/tpp/aisapi
	go test -run='^$$' -fuzz=FuzzValidateIBAN -fuzztime=$(FUZZTIME) ./shared/tpp/sandboxbank
	go test -run='^$$' -fuzz=FuzzDecode -fuzztime=$(FUZZTIME) ./shared/tpp/payments

bench:
	go test -run='^$$' -bench=. -benchtime=2s ./shared/portal/account ./shared/portal/store ./shared/platform/awsclient ./shared/tpp/callercheck ./shared/tpp/planmeter ./shared/tpp/oauth/oauthdb ./shared/tpp/aisapi ./shared/tpp/pisapi ./shared/local/devstack

# The functions as deployed: sizes of the linux/arm64 binaries against a budget, with the
# check that none links reflect.Value.MethodByName, then init, first and warm latency of
# each on moto under the CPU share Lambda gives 256 MB (infra/funcbench). The second runs
# even when the first fails, so that one `make` gives both figures; either failing fails it.
bench-functions: moto-deps
	@status=0; \
	go run ./infra/funcbench size || status=1; \
	go run ./infra/funcbench run -cpu-quota-mb 256 || status=1; \
	exit $$status

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet $(GO_PKGS)
	go tool staticcheck $(GO_PKGS)

## functions/ and events/ follow the route tables (shared/local/functionsgen).
generate:
	go generate ./shared/...

## Deployment artefacts
build:
	@for fn in $(FUNCTIONS); do \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc,validator_novalidatefn -trimpath -ldflags "-s -w" \
	    -o $(LOCAL)/build/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done
	@ls -l $(LOCAL)/build/*/bootstrap | awk '{printf "%-32s %6.1f MiB\n", $$9, $$5/1048576}'

# The templates need the built SPA (frontend), which CDK stages into cdk.out/ as an asset;
# synthesis builds every function into its own asset with the local Go toolchain
# (stacks.GoBundler, the same flags as build), so synth does not need build. Context
# values as for the CDK CLI, e.g.
#   make synth CONTEXT='-c environment=production -c tppDomainName=api.bank.example ...'
# (README, Deploying); cdk.json holds the defaults, which leave the TPP API out.
CONTEXT ?=
synth: frontend
	go run ./infra $(CONTEXT)

# sam local invoke addresses a function by its logical ID: the name in PascalCase followed
# by "Function" (stacks.FunctionLogicalID), e.g. auth-signup -> AuthSignupFunction, in the
# top-level template whose stack holds it: the portal API's, or the TPP API's for the TPP
# functions (which `make synth` writes only with the TPP context values in CONTEXT). A
# function group's nested template defines the function; its parent names that file in
# its asset metadata, and SAM reads it from there.
invoke-%: synth
	@id="$$(echo '$*' | awk -F- '{for (i = 1; i <= NF; i++) printf "%s%s", toupper(substr($$i, 1, 1)), substr($$i, 2); print "Function"}')"; \
	tmpl="$$(grep -l "\"$$id\": {" cdk.out/*.template.json | head -n 1)"; \
	test -n "$$tmpl" || { echo "no template in cdk.out/ defines $$id; the TPP functions need CONTEXT with the tpp* values (README, Deploying)"; exit 1; }; \
	case "$$tmpl" in *.nested.template.json) \
	  tmpl="$$(grep -l "\"$$(basename "$$tmpl")\"" cdk.out/*.template.json | grep -v '\.nested\.template\.json$$' | head -n 1)";; esac; \
	test -n "$$tmpl" || { echo "no top-level template in cdk.out/ holds $$id's nested stack"; exit 1; }; \
	echo "sam local invoke $$id -t $$tmpl --event events/$*.json"; \
	sam local invoke "$$id" -t "$$tmpl" --event events/$*.json

clean:
	rm -rf $(LOCAL) cdk.out frontend/dist
