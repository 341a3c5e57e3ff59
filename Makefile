# gkrflow — thin wrapper over CMake/ctest. Every target installs missing Debian packages first.
BUILD       ?= build
PREFIX      ?= /usr/local
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure

.PHONY: all deps build demo test test-asan test-scalar test-all bench install clean help

all: build

help:
	@echo "make demo        install deps, build, run the end-to-end example"
	@echo "make test        install deps, build (-Werror), run the test suite with ctest"
	@echo "make test-asan   the suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make test-scalar the suite with the scalar (no SIMD) M31 backend"
	@echo "make test-all    all three (what CI runs)"
	@echo "make bench       run every 'gkrflow bench' (BENCH_FLAGS=--json for JSON lines)"
	@echo "make install     install library, header, CLI and pkg-config file under PREFIX=$(PREFIX)"

deps:
	@bash scripts/install-deps.sh

# configure(dir, extra flags)
define configure
	cmake -S . -B $(1) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(2) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(1) -j $(JOBS)
endef

build: deps
	$(call configure,$(BUILD),-DGKRFLOW_WERROR=ON)

demo: build
	@bash examples/demo.sh $(BUILD)

test: build
	ctest --test-dir $(BUILD) $(CTEST_FLAGS) -j $(JOBS)

test-asan: deps
	$(call configure,$(BUILD)-asan,-DGKRFLOW_WERROR=ON -DGKRFLOW_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(BUILD)-asan $(CTEST_FLAGS) -j $(JOBS)

test-scalar: deps
	$(call configure,$(BUILD)-scalar,-DGKRFLOW_WERROR=ON -DGKRFLOW_SIMD=scalar)
	ctest --test-dir $(BUILD)-scalar $(CTEST_FLAGS) -j $(JOBS)

test-all: test test-asan test-scalar

bench: build
	$(BUILD)/gkrflow bench all $(BENCH_FLAGS)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-scalar
