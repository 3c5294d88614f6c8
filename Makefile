# certmint: `make run` and `make test` work on a fresh Debian 12 machine.

BUILD       ?= build
ASAN_BUILD  ?= build-asan
TSAN_BUILD  ?= build-tsan
FUZZ_BUILD  ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS        ?= $(shell nproc)
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)

# Debian packages the build, the tests and `make run` need.
PACKAGES = cmake g++ make pkg-config openssl \
           libcaf-dev libssl-dev librocksdb-dev libsimdjson-dev libcpp-httplib-dev catch2 \
           libgoogle-perftools-dev

SUDO = $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: deps build run test test-sanitize test-tsan fuzz bench bench-scale bench-rsa format clean

# Installs only what is missing; a no-op (no apt call) when all is there.
deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 \
	    install -y --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

# Serves on 127.0.0.1:8080 with data under ./data (CERTMINT_LISTEN,
# CERTMINT_DATA_DIR, CERTMINT_PUBLIC_URL and CERTMINT_ADMIN_TOKEN apply).
run: build
	./$(BUILD)/app/certmint serve

test: build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTMINT_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest $(CTEST_FLAGS)

# The whole suite again under ThreadSanitizer, against a CAF core built with
# it from Debian's source of the installed version (tests/tsan/build_caf.sh:
# a 2.6 MB download, built once). Reports inside Debian's uninstrumented
# RocksDB and cpp-httplib are suppressed (tests/tsan/tsan.supp).
test-tsan: deps
	@dpkg-query -W -f='$${Status}' curl 2>/dev/null | grep -q "install ok installed" \
	  || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 \
	       install -y --no-install-recommends curl
	tests/tsan/build_caf.sh $(TSAN_BUILD)/caf
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTMINT_TSAN=ON
	cmake --build $(TSAN_BUILD) -j$(JOBS)
	cd $(TSAN_BUILD) && LD_LIBRARY_PATH=$(CURDIR)/$(TSAN_BUILD)/caf/lib \
	  TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan/tsan.supp history_size=7" \
	  ctest $(CTEST_FLAGS)

# Each parser's fuzz target under libFuzzer (clang, ASan, UBSan) for
# FUZZ_SECONDS, starting from tests/fuzz/corpus; new inputs go to
# $(FUZZ_BUILD)/corpus, crashes to $(FUZZ_BUILD)/crash-*. `make test` replays
# the committed corpus without clang.
fuzz: deps
	@for p in clang libclang-rt-14-dev; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 \
	         install -y --no-install-recommends $$p; \
	done
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DCERTMINT_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target certmint_fuzz_targets
	@set -e; for dir in tests/fuzz/corpus/*/; do \
	  name=$$(basename $$dir); mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) s"; \
	  log=$(FUZZ_BUILD)/fuzz-$$name.log; \
	  if ! $(FUZZ_BUILD)/tests/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) \
	      -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$name- \
	      $(FUZZ_BUILD)/corpus/$$name $$dir > $$log 2>&1; then \
	    tail -n 40 $$log; exit 1; \
	  fi; \
	  grep -E "^stat::(number_of_executed_units|new_units_added)" $$log; \
	done

# The benchmark suite: certmint (and cfssl, its peer) on 127.0.0.1; results
# in bench/results.json. BENCH_DURATION and BENCH_CONNECTIONS tune it.
bench: build
	@dpkg-query -W -f='$${Status}' golang-cfssl 2>/dev/null | grep -q "install ok installed" \
	  || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 \
	       install -y --no-install-recommends golang-cfssl curl
	BUILD=$(BUILD) bench/run-suite.sh

# The scale measurements: SCALE_COUNT (default 1,000,000) stored requests.
bench-scale: build
	BUILD=$(BUILD) bench/scale.sh

# The RSA-2048 measurements: an RSA CA against its sign ceiling, managed RSA
# keys sustained and in a burst from the pool (about five minutes).
bench-rsa: build
	BUILD=$(BUILD) bench/rsa.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
