# The commands people run. `make demo` and `make test` work on a fresh machine:
# every target installs what it needs (cargo, pip into a venv, npm, apt-get).
# Each binding owns its own Makefile (bindings-*/Makefile) with the targets
# demo, test, bench; this file only calls them.

CARGO ?= cargo
BINDINGS := bindings-python bindings-node bindings-c bindings-kotlin

.PHONY: demo test bench header stubs options fmt lint \
        demo-rust test-rust bench-rust \
        demo-python demo-node demo-c demo-kotlin test-python test-node test-c test-kotlin \
        bench-python bench-node bench-c bench-kotlin bench-check bench-first-id vectors test-leases test-readme test-interop \
        test-segments bench-segments readme-db \
        test-server bench-server demo-server dist test-dist test-fuzz fuzz fuzz-seeds \
        test-sanitizers test-tsan test-asan test-sdist model test-faults jepsen test-remote

## demo: generate and decode IDs from every language
demo: demo-rust demo-python demo-node demo-c demo-kotlin demo-server

## test: every test suite, plus fmt and clippy
test: lint test-rust test-python test-node test-readme test-c test-interop test-kotlin test-server test-remote test-leases \
      test-segments test-dist test-faults test-fuzz test-sanitizers
	@echo "make test: all suites passed"

## lint: cargo fmt --check and clippy -D warnings over the workspace
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) run -q -p snowid-optgen -- --check

## options: rewrite every binding's restatement of the options (Python
## text_signature and _native.pyi, Node ts_args_type, C and Kotlin docs,
## testdata/OPTIONS.md) from core/src/option_table.rs, then snowid.h and
## index.d.ts from those (make lint checks them)
options:
	$(CARGO) run -q -p snowid-optgen -- --write
	$(MAKE) header stubs

## vectors: regenerate testdata/vectors.json from the Python model; fails if it changed
vectors:
	python3 -c "import cryptography" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check cryptography
	python3 testdata/gen_vectors.py
	git diff --exit-code testdata/vectors.json

## demo-rust: the Rust example (examples/rust)
demo-rust:
	$(CARGO) run --release -q -p snowid-example

## test-rust: vectors up to date, the core's tests, the protocol model, optgen, loom, the Rust example
test-rust:
	python3 -c "import cryptography" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check cryptography
	python3 testdata/gen_vectors.py && git diff --exit-code -- testdata/vectors.json
	$(CARGO) test -p snowid
	$(CARGO) test -p snowid-model -p snowid-optgen
	RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom $(CARGO) test -p snowid --profile loom --lib loom
	$(CARGO) run -q -p snowid-example > /dev/null

# The bindings' suites build their native libraries with the cargo profile
# dist-test (release without fat LTO, root Cargo.toml; their Makefiles'
# TEST_PROFILE). The targets here that build a binding for a test ask for the
# same profile, so the library already built is reused, not rebuilt.
BINDINGS_TEST := RUST_PROFILE=dist-test

## test-readme: the root README's Python and JavaScript snippets, run against
## the packages test-python and test-node installed (Rust snippets are doctests)
test-readme:
	python3 scripts/readme_snippets.py README.md \
	  --python bindings-python/.venv/bin/python --node-package bindings-node

## test-interop: snowid against the real peer libraries, both directions
## (interop/README.md): bwmarrin/snowflake, sony/sonyflake v1 and v2 (Go
## module proxy), @sapphire/snowflake (npm), snowflake-id (PyPI); snowid
## decodes in Python, Node and C. Installs the peers itself (go mod download,
## npm ci, pip); the C and Node builds are no-ops after test-c and test-node.
test-interop:
	test -x bindings-python/.venv/bin/python || $(MAKE) -C bindings-python install $(BINDINGS_TEST)
	$(MAKE) -C bindings-node build $(BINDINGS_TEST)
	$(MAKE) -C bindings-c lib $(BINDINGS_TEST)
	bindings-python/.venv/bin/python -m pip install -q --disable-pip-version-check snowflake-id==1.0.2
	cd interop/go && go mod download && go build -o $(CURDIR)/target/interop/peers .
	cd interop && npm ci --no-audit --no-fund --silent
	bindings-python/.venv/bin/python interop/check.py --go target/interop/peers \
	  --snowid-node bindings-node --libsnowid bindings-c/build/lib/libsnowid.so

## test-server: the ID service and CLI (cargo tests incl. SIGKILL restart,
## schemathesis against openapi.json) and its web page in headless chromium
test-server:
	$(MAKE) -C server test test-browser

## test-remote: RemoteGenerator in Python, Node and C (Kotlin's in test-kotlin) against the
## real `snowid serve` (built here, debug; each test starts and stops its
## own); the core's own remote tests are server/tests/remote.rs (test-server)
SERVER_BIN = $${CARGO_TARGET_DIR:-$(CURDIR)/target}/debug/snowid
test-remote:
	$(CARGO) build -q -p snowid-server
	SNOWID_SERVER_BIN=$(SERVER_BIN) $(MAKE) -C bindings-python test-remote
	SNOWID_SERVER_BIN=$(SERVER_BIN) $(MAKE) -C bindings-node test-remote
	SNOWID_SERVER_BIN=$(SERVER_BIN) $(MAKE) -C bindings-c test-remote

## bench-server: wrk against `snowid serve` on loopback (not a test)
bench-server:
	$(MAKE) -C server bench

## demo-server: the CLI and a few curl calls against `snowid serve`
demo-server:
	$(MAKE) -C server demo

# The cargo tests of test-leases and test-segments (lease_etcd, lease_redis,
# fleet, segment_stores, vectors) in one build: cargo unifies features over
# the packages of one invocation, so the same package set and feature set
# each time builds the core, its binaries (snowid-holder,
# snowid-segment-worker) and the server once for both targets instead of
# three times (core with etcd,redis; server with etcd; core with
# postgres,redis). Each test still needs only its own feature: extra ones
# add code, not behaviour, to what it runs (the vectors test checks the
# store URLs of the build with postgres and redis, as before).
SERVICES_TEST = $(CARGO) test -p snowid -p snowid-server \
  --features snowid/etcd,snowid/redis,snowid/postgres,snowid-server/etcd

## test-leases: node leases against a real etcd and Redis (started and stopped
## here): the core's lease tests, then Redis leases from Python, Node and C
## (their test-redis targets also run segment mode on PostgreSQL and Redis)
test-leases:
	@scripts/services.sh start; status=$$?; \
	if [ $$status -eq 0 ]; then \
	  $(CARGO) clippy -p snowid --features etcd,redis --all-targets -- -D warnings && \
	  env $$(scripts/services.sh env) $(SERVICES_TEST) --test lease_etcd --test lease_redis -- --nocapture && \
	  env $$(scripts/services.sh env) $(MAKE) -C bindings-python test-redis && \
	  env $$(scripts/services.sh env) $(MAKE) -C bindings-node test-redis && \
	  env $$(scripts/services.sh env) $(MAKE) -C bindings-c test-redis && \
	  env $$(scripts/services.sh env) $(SERVICES_TEST) --test fleet; status=$$?; \
	fi; \
	scripts/services.sh stop; exit $$status

## dist: the installable artifacts in dist/ (git-ignored): the Python abi3
## wheel (manylinux, auditwheel) and sdist, the npm main and platform
## packages, the C release archive, the Kotlin/Java jar; Python, Node and C
## with etcd. Rust builds in target/dist. scripts/package/build.sh says more.
dist:
	scripts/package/build.sh

## test-dist: every artifact installed with cargo and rustc off PATH (fresh
## venv, empty npm project, empty C project via pkg-config and CMake, the jar
## on a class path), the README quickstarts, SNOWID_NODE_SOURCE=etcd against
## a real etcd from Python, Node and C. On its own it builds and tests the
## artifacts of `make dist` (release profile, dist/); under `make test` the
## same artifacts built with [profile.dist-test] (release without fat LTO,
## Cargo.toml) into target/dist-test/artifacts, never into dist/.
DIST_TEST_PROFILE ?= release
test: DIST_TEST_PROFILE = dist-test
dist_out = $(if $(filter release,$(1)),$(CURDIR)/dist,$(CURDIR)/target/$(1)/artifacts)
# Cargo's target directory of build.sh: target/dist for the release
# artifacts (never overwriting what install/bench build in target/release);
# for dist-test, target/ itself, where the bindings' suites built the same
# profile: the dependencies the etcd feature does not change are reused, not
# built again.
dist_target = $(if $(filter release,$(1)),$(CURDIR)/target/dist,$(CURDIR)/target)
test-dist:
	SNOWID_DIST_PROFILE=$(DIST_TEST_PROFILE) SNOWID_DIST_TARGET=$(call dist_target,$(DIST_TEST_PROFILE)) \
	  DIST=$(call dist_out,$(DIST_TEST_PROFILE)) scripts/package/build.sh
	DIST=$(call dist_out,$(DIST_TEST_PROFILE)) scripts/package/test.sh python node c etcd kotlin

## test-sdist: the Python sdist of `make dist` builds into a wheel (with
## cargo; ~1 min, so not in `make test`)
test-sdist: dist
	scripts/package/test.sh sdist

## test-fuzz: every fuzz target (parsers, layouts, compose/decode, options
## and environment, the C ABI, wide IDs) for 10 s from the committed seeds,
## with ASan
test-fuzz:
	scripts/fuzz.sh 10 --fresh

## fuzz: the same for FUZZ_SECONDS each (default 300), the corpus kept in
## target/fuzz-corpus between runs
FUZZ_SECONDS ?= 300
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

## test-sanitizers: ThreadSanitizer on the generator, ticker and lease
## renewal tests (Redis started here); AddressSanitizer + LeakSanitizer on
## the core's and the C binding's Rust tests (scripts/sanitizers.sh)
test-sanitizers: test-tsan test-asan

## test-tsan, test-asan: one half of test-sanitizers
test-tsan test-asan: test-%:
	scripts/sanitizers.sh $*

## fuzz-seeds: rewrite fuzz/seeds/ from testdata/vectors.json (commit it)
fuzz-seeds:
	python3 fuzz/seeds.py

## test-segments: segment mode against a real PostgreSQL and Redis (started
## and stopped here): 4 processes x 250k IDs per store, SIGKILL + restart,
## store restarted mid-run (the file store runs in plain `cargo test`)
test-segments:
	@scripts/services.sh start; status=$$?; \
	if [ $$status -eq 0 ]; then \
	  $(CARGO) clippy -p snowid --features postgres,redis --all-targets -- -D warnings && \
	  env $$(scripts/services.sh env) $(SERVICES_TEST) --test segment_stores --test vectors -- --nocapture && \
	  $(MAKE) readme-db; status=$$?; \
	fi; \
	scripts/services.sh stop; exit $$status

## readme-db: the README's "IDs as database keys" examples (```python db,
## ```js db) against real SQLite and the PostgreSQL of scripts/services.sh
## (run inside test-segments, which starts it); installs psycopg and pg
readme-db:
	test -x bindings-python/.venv/bin/python || $(MAKE) -C bindings-python install $(BINDINGS_TEST)
	test -f bindings-node/snowid.node || $(MAKE) -C bindings-node build $(BINDINGS_TEST)
	bindings-python/.venv/bin/python -m pip install -q --disable-pip-version-check "psycopg[binary]"
	mkdir -p target/db-drivers && cd target/db-drivers && \
	  (test -d node_modules/pg || npm install --no-audit --no-fund --silent pg)
	env $$(scripts/services.sh env) python3 scripts/readme_snippets.py README.md --db \
	  --python bindings-python/.venv/bin/python --node-package bindings-node \
	  --node-modules target/db-drivers/node_modules

## bench-rust: the core's criterion benchmarks (generator, codec, lanes, wide)
bench-rust:
	$(CARGO) bench -p snowid --bench generator --bench codec --bench lanes
	$(CARGO) bench -p snowid --bench wide

## bench-segments: segment mode per ID against the Snowflake generator
## (criterion), then sustained IDs/s on PostgreSQL and Redis against
## nextval() / INCR per ID (servers started and stopped here; not a test)
bench-segments:
	$(CARGO) bench -p snowid --bench segment
	@scripts/services.sh start; status=$$?; \
	if [ $$status -eq 0 ]; then \
	  env $$(scripts/services.sh env) $(CARGO) bench -p snowid --features postgres,redis \
	    --bench segment_stores; status=$$?; \
	fi; \
	scripts/services.sh stop; exit $$status

## demo-<lang>: one binding's example, <lang> python, node, c or kotlin (make -C bindings-<lang> demo)
demo-python demo-node demo-c demo-kotlin: demo-%:
	$(MAKE) -C bindings-$* demo

## test-<lang>: one binding's suite, <lang> python, node, c or kotlin (make -C bindings-<lang> test)
test-python test-node test-c: test-%:
	$(MAKE) -C bindings-$* test

# Kotlin's RemoteTest (against the debug `snowid serve`, built here as
# test-server builds it) runs inside test-jvm's one Maven run: a Maven run of
# its own would compile the Kotlin sources again.
test-kotlin:
	$(CARGO) build -q -p snowid-server
	SNOWID_SERVER_BIN=$(SERVER_BIN) $(MAKE) -C bindings-kotlin test

## bench-<lang>: one binding's benchmark, <lang> python, node, c or kotlin (not a test)
bench-python bench-node bench-c bench-kotlin: bench-%:
	$(MAKE) -C bindings-$* bench

## bench-check: the per-ID benches (core generator, Python, Node), each
## ratio compared with scripts/bench_baselines.json; prints and fails on
## what regressed (not part of `make test`: it measures speed)
bench-check:
	rm -f target/bench-ratios.jsonl && mkdir -p target
	BENCH_RATIOS=$(CURDIR)/target/bench-ratios.jsonl $(CARGO) bench -p snowid --bench generator
	BENCH_RATIOS=$(CURDIR)/target/bench-ratios.jsonl $(MAKE) -C bindings-python bench
	BENCH_RATIOS=$(CURDIR)/target/bench-ratios.jsonl $(MAKE) -C bindings-node bench
	python3 scripts/bench_check.py target/bench-ratios.jsonl

## bench: every benchmark (prints tables; never fails on speed)
bench: bench-rust bench-python bench-node bench-c bench-kotlin bench-first-id bench-server bench-segments

## bench-first-id: time to the first ID of a process started right after a
## clean exit of another with the same state directory (Rust, Python, Node)
bench-first-id:
	$(CARGO) build --release -q -p snowid --bin snowid-holder
	python3 scripts/first_id.py

## header: regenerate bindings-c/include/snowid.h with cbindgen
header:
	$(MAKE) -C bindings-c header

## stubs: regenerate the committed type declarations (Node index.d.ts)
stubs:
	$(MAKE) -C bindings-node stubs

## fmt: cargo fmt over the workspace
fmt:
	$(CARGO) fmt --all

## help: this list (the `## target: what it does` lines of this Makefile)
.PHONY: help
help:
	@awk '/^## [a-z0-9<>, -]+:/ { sub(/^## /, ""); i = index($$0, ": "); \
	  printf "  %-22s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2); more = 1; next } \
	  more && /^## / { sub(/^## /, ""); printf "  %-22s %s\n", "", $$0; next } \
	  { more = 0 }' $(firstword $(MAKEFILE_LIST))

## model: the lease protocol model with bigger bounds (not in make test)
model:
	$(CARGO) test --profile dist-test -p snowid-model -- --ignored --nocapture

## test-faults: the fault harness (faults/README.md), as root: the checker's
## self-test (two hosts on one fixed node: it must report the duplicates),
## then FAULTS_SECONDS (default 100) of seeded faults (partition, etcd split,
## pause, kill, clock steps, etcd member kill, Redis restart) on 3
## network-namespace hosts running etcd, `snowid serve`, Python generators and
## segment clients on Redis; every ID checked (about 3.5 minutes).
## Reuses the debug `snowid` of test-leases and the dist-test wheel of
## test-dist. FAULTS_SEED=<seed> replays a run; report in target/faults/.
test-faults:
	faults/run.sh test

## jepsen: the same on 5 hosts for SECONDS (default 1800); not in `make test`
SECONDS ?= 1800
jepsen:
	faults/run.sh jepsen $(SECONDS)
