# imgcrawl — build, test, demo, fuzz, bench.
GO      ?= go
BIN     := bin/imgcrawl
PKGS    := ./...
FUZZTIME ?= 20s

# staticcheck, pinned: 2026.2.2, the newest release (2026.2 targets Go 1.26),
# installed into bin/tools/VERSION by `make lint` when it is not there yet.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/tools/$(STATICCHECK_VERSION)/staticcheck

.PHONY: all build test race vet lint demo fuzz bench bench-smoke clean deps

all: build

# A static binary (pure-Go DNS resolver, no libc): it runs on any Linux of
# the architecture, and maps about 1 MiB less memory than a cgo build.
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/imgcrawl

vet:
	$(GO) vet $(PKGS)

# What the tests need from the system, as Debian packages: redis-server (the
# Redis tests start their own servers on free loopback ports, Sentinels
# too: redis-server --sentinel), redis-tools (redis-cli, which joins the
# test Redis Cluster), mariadb-server and postgresql (the index tests start
# their own database servers) and chromium (the --render tests start their
# own headless browser). A package counts as present when dpkg knows it
# or, off Debian, when a command of its name is on PATH. Installed with apt
# when missing and we may (root, or passwordless sudo); otherwise we say what
# to run. And an S3-compatible server for store/s3's tests: VersityGW
# (Apache-2.0), built from its Go module into bin/tools (internal/s3test
# starts it).
TEST_PACKAGES := redis-server redis-tools mariadb-server postgresql chromium
VERSITYGW_VERSION := v1.8.0
VERSITYGW := bin/tools/versitygw-$(VERSITYGW_VERSION)/versitygw
deps: $(VERSITYGW)
	@missing=""; for p in $(TEST_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || command -v $$p >/dev/null 2>&1 || \
	  { [ $$p = redis-tools ] && command -v redis-cli >/dev/null 2>&1; } || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else \
	    echo "make: the tests need:$$missing; install them with: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	  echo "make: installing$$missing (apt-get)"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq$$missing >/dev/null; \
	fi

# Static checks: vet for every platform the code has files for (tests
# included), staticcheck, and go.mod/go.sum as `go mod tidy` would write them.
lint: $(STATICCHECK)
	GOOS=linux $(GO) vet $(PKGS)
	GOOS=darwin $(GO) vet $(PKGS)
	GOOS=windows $(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	$(GO) mod tidy -diff

$(VERSITYGW):
	GOBIN=$(CURDIR)/$(dir $@) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

$(STATICCHECK):
	GOBIN=$(CURDIR)/$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# The test command the README and CI use: system packages, vet, then every
# test with the race detector.
test: deps vet
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# Crawl the bundled sample site (served on 127.0.0.1) into ./demo-images.
demo: build
	./$(BIN) demo

# Run every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in ./crawler/urlnorm ./crawler/extract ./fetch ./store ./store/imagetype ./store/state/bolt ./internal/testsite ./store/state/redis ./internal/options ./internal/service; do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 3s $$pkg; \
	  done; \
	done

# Benchmarks: the end-to-end suite against a local test site, then micro-benchmarks.
bench:
	$(GO) run ./internal/bench $(BENCHFLAGS)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# A quick run of the suite at small sizes (CI uses it to keep it working).
bench-smoke:
	$(GO) run ./internal/bench -smoke

clean:
	rm -rf bin demo-images
