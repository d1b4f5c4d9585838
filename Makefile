# b2cemu — the two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
VERSION := $(VERSION)# once, so that every step of a target stamps the same version
LDFLAGS := -s -w -X main.version=$(VERSION)

CLIENTS := emulator/clients/testdata/node
PLAYWRIGHT := docs/examples/playwright

.PHONY: run build test starterpack samples deps bench load fuzz screenshots generate check-generated fmt check-fmt lint release npm npm-check image install-check

## run: start the emulator on its embedded demo tenant (http://127.0.0.1:8080)
run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/b2cemu serve

## build: a static binary in bin/b2cemu
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/b2cemu ./cmd/b2cemu

DIST := .tools/dist
# The first container tool found; make image CONTAINER=docker picks one.
CONTAINER ?= $(shell for c in podman buildah docker; do command -v $$c >/dev/null 2>&1 && { echo $$c; break; }; done)
IMAGE ?= b2cemu:$(VERSION)

## release: static archives for Linux, macOS and Windows on amd64 and arm64 (tar.gz; zip for
## Windows) and SHA256SUMS in .tools/dist, then checks them (docs/install.md)
release:
	rm -rf $(DIST)
	$(GO) run ./cmd/b2cemu/release dist --version $(VERSION) --out $(DIST)
	$(GO) run ./cmd/b2cemu/release verify --out $(DIST)

## install-check: go install github.com/b2cemu/b2cemu/cmd/b2cemu@$(INSTALL_VERSION) as a user would,
## from a module proxy folder serving HEAD's committed files as that version (dependencies from
## the module cache, nothing from the network; they were checked against the checksum database
## when they came into it, so GOSUMDB=off), then check that b2cemu version tells it
# One version per commit: the go command indexes a module cache directory by module and version
# (in the shared build cache), so reusing one version at the same path would build the files an
# earlier commit had.
INSTALL_VERSION ?= v0.0.0-installcheck-$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo none)
install-check:
	rm -rf $(DIST)/goproxy $(DIST)/gocheck
	$(GO) run ./cmd/b2cemu/release goproxy --version $(INSTALL_VERSION) --out $(DIST)
	GOPROXY=file://$(CURDIR)/$(DIST)/goproxy,file://$$($(GO) env GOMODCACHE)/cache/download GOSUMDB=off \
	  GOFLAGS=-modcacherw GOMODCACHE=$(CURDIR)/$(DIST)/gocheck/mod GOBIN=$(CURDIR)/$(DIST)/gocheck/bin \
	  $(GO) install github.com/b2cemu/b2cemu/cmd/b2cemu@$(INSTALL_VERSION)
	test "$$($(DIST)/gocheck/bin/b2cemu version)" = "b2cemu $(INSTALL_VERSION)"
	rm -rf $(DIST)/goproxy $(DIST)/gocheck

## npm: the npm packages — b2cemu and one @b2cemu/<platform>-<arch> per archive — packed into
## .tools/dist (needs npm)
npm: release
	$(GO) run ./cmd/b2cemu/release npm --version $(VERSION) --out $(DIST)

## npm-check: pack the npm packages for this machine, install them offline into an empty
## project, run npx b2cemu and the example Playwright suite through the helper (make test runs it too)
npm-check:
	$(GO) test -count=1 -v -run 'TestNPM' ./cmd/b2cemu/release

## image: the container image b2cemu:$(VERSION) from cmd/b2cemu/Containerfile, with podman,
## buildah or docker (CONTAINER=…), for this machine's architecture
image:
	@test -n "$(CONTAINER)" || { echo "make image needs podman, buildah or docker (apt-get install podman)"; exit 2; }
	$(GO) run ./cmd/b2cemu/release image --version $(VERSION) --out $(DIST)
	$(CONTAINER) $(if $(filter buildah,$(notdir $(CONTAINER))),bud,build) $(if $(filter docker,$(notdir $(CONTAINER))),,--format docker) -f cmd/b2cemu/Containerfile -t $(IMAGE) $(DIST)/image

OAUTH2_PROXY := github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6

## deps: what the client matrix and the Playwright example run: their Node packages from the
## lock files, and oauth2-proxy built into .tools/ (about 90 s the first time)
deps:
	npm ci --prefix $(CLIENTS) --no-audit --no-fund
	npm ci --prefix $(PLAYWRIGHT) --no-audit --no-fund
	test -x .tools/oauth2-proxy || GOBIN=$(CURDIR)/.tools $(GO) install $(OAUTH2_PROXY)

## lint: staticcheck over every package (a go.mod tool, so the version is pinned). ST1005 is off:
## many errors carry the text a page shows in B2C's words, capital letter and full stop included.
lint:
	$(GO) tool staticcheck -checks 'inherit,-ST1005' ./...

## test: vet and every test with the race detector (browser tests need Debian's chromium; the
## client matrix needs `make deps`; both skip when what they need is missing). cmd/testsummary
## prints what plain go test prints, then the count of passed, failed and skipped tests and
## each skipped test with its reason; it fails when a test or a build fails.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -json ./... | $(GO) run ./cmd/testsummary

## starterpack: run Microsoft's starter-pack files unchanged (they are not in this repository):
## B2CEMU_STARTERPACK=path/to/active-directory-b2c-custom-policy-starterpack make starterpack
starterpack:
	@test -n "$(B2CEMU_STARTERPACK)" || { echo "set B2CEMU_STARTERPACK to a checkout of github.com/Azure-Samples/active-directory-b2c-custom-policy-starterpack"; exit 2; }
	for pack in LocalAccounts SocialAccounts SocialAndLocalAccounts SocialAndLocalAccountsWithMfa; do \
	  $(GO) run ./cmd/b2cemu policy check "$(B2CEMU_STARTERPACK)/$$pack" || exit 1; \
	  $(GO) run ./cmd/b2cemu policy check "$(B2CEMU_STARTERPACK)/Display Controls Starterpack/$$pack" || exit 1; \
	done
	B2CEMU_STARTERPACK=$(B2CEMU_STARTERPACK) $(GO) test -race -count=1 -run 'StarterPack' -v ./emulator/ ./web/

## samples: measure every folder of the community's sample policies (not in this repository) on
## the starter pack it extends, printing one line a folder and the counts (docs/custom-policies.md),
## and run the invitation and magic-link policies on the LocalAccounts pack
## (B2CEMU_SAMPLES_ONLY=folder looks at one folder with the emulator's log):
## B2CEMU_SAMPLES=path/to/azure-ad-b2c/samples B2CEMU_STARTERPACK=path/to/starterpack make samples
samples:
	@test -n "$(B2CEMU_SAMPLES)" -a -n "$(B2CEMU_STARTERPACK)" || { echo "set B2CEMU_SAMPLES to a checkout of github.com/azure-ad-b2c/samples and B2CEMU_STARTERPACK to one of github.com/Azure-Samples/active-directory-b2c-custom-policy-starterpack"; exit 2; }
	B2CEMU_SAMPLES=$(B2CEMU_SAMPLES) B2CEMU_STARTERPACK=$(B2CEMU_STARTERPACK) B2CEMU_SAMPLES_ONLY=$(B2CEMU_SAMPLES_ONLY) $(GO) test -race -count=1 -run 'TestCommunity' -v ./emulator/

## screenshots: refresh docs/screenshots from the browser suite
screenshots:
	mkdir -p docs/screenshots
	B2CEMU_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'TestBrowser' ./web

## bench: the Go benchmarks (serialization, parsing, signing, a whole headless sign-up)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./emulator/...

## load: the load harness against a built binary (figures in docs/performance.md)
load: build
	bin/b2cemu bench --modes all --flows 5000 --concurrency 50 --users 1000

## fuzz: each fuzz target for an execution budget of about 10 s on a 2-core machine (the seed
## corpora in testdata/fuzz also run in make test). Counts, not durations: with a wall-clock
## -fuzztime, Go 1.26's fuzz coordinator can fail a clean run with "context deadline exceeded"
## at the deadline (golang/go#75804, fixed in Go 1.27). FUZZTIME=30s overrides every budget.
FUZZTIME ?=
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzAuthorize$$' -fuzztime $(or $(FUZZTIME),60000x) -fuzzminimizetime 50x ./web
	$(GO) test -run '^$$' -fuzz '^FuzzInterpret$$' -fuzztime $(or $(FUZZTIME),120000x) -fuzzminimizetime 50x ./emulator/connector
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(or $(FUZZTIME),60000x) -fuzzminimizetime 50x ./emulator/config
	$(GO) test -run '^$$' -fuzz '^FuzzPolicy$$' -fuzztime $(or $(FUZZTIME),7000x) -fuzzminimizetime 50x ./emulator/journey
	$(GO) test -run '^$$' -fuzz '^FuzzPolicyRegex$$' -fuzztime $(or $(FUZZTIME),40000x) -fuzzminimizetime 50x ./emulator/journey

## generate: regenerate the templ views
generate:
	$(GO) tool templ generate -path web/views

## check-generated: fail when the committed templ output is stale
check-generated: generate
	git diff --exit-code -- web/views

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '_templ.go$$')

## check-fmt: fail when a Go file is not gofmt-formatted
check-fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); if [ -n "$$out" ]; then echo "not gofmt-formatted (make fmt):"; echo "$$out"; exit 1; fi
