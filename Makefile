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

SRCS   := $(sort $(wildcard libvernier/src/*.c))
HDRS   := $(wildcard libvernier/src/*.h libvernier/src/*.inc) libvernier/include/vernier.h
OBJS   := $(patsubst libvernier/src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB    := $(BUILD)/libvernier.a
CTESTS := $(patsubst libvernier/tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard libvernier/tests/test_*.c)))
CTOOLS := $(patsubst libvernier/tests/%.c,$(BUILD)/tests/%,$(sort $(wildcard libvernier/tests/*_driver.c)))

VPY      := $(VENV)/bin/python
VSTAMP   := $(VENV)/.deps-stamp
PYSTAMP  := $(BUILD)/.python-stamp
PYSRCS   := $(wildcard python/src/vernier/_build/*)
PYTEST   := $(VPY) -m pytest

.DEFAULT_GOAL := all
.PHONY: all lib ctest pytest test parity parity-quick bench compare demo venv python clean help lint

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

$(BUILD)/tests/%: libvernier/tests/%.c libvernier/tests/harness.h $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(VNFLAGS) $(CFLAGS) $< -o $@ $(LIB) $(LDLIBS)

ctest: $(CTESTS) $(CTOOLS) ## Build and run the C unit tests
	$(Q)set -e; for t in $(CTESTS); do $$t; done

lint: ## Check that no library source allocates behind the allocation layer
	$(Q)! grep -nE '\b(malloc|calloc|realloc|free)\s*\(' libvernier/src/*.c | \
	    grep -v '^libvernier/src/alloc.c:' | grep -vE 'alc\.|->alc|\.(malloc|realloc|free)\b'
	@echo "lint: ok"

$(VSTAMP): python/requirements-dev.txt
	$(Q)test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(Q)$(VPY) -m pip install -q --disable-pip-version-check -r python/requirements-dev.txt
	$(Q)touch $@

venv: $(VSTAMP) ## Create .venv with the build and test dependencies

$(PYSTAMP): $(VSTAMP) $(SRCS) $(HDRS) $(PYSRCS) pyproject.toml setup.py
	@mkdir -p $(BUILD)
	$(Q)$(VPY) -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
	$(Q)$(VPY) setup.py -q build_ext --inplace >/dev/null
	$(Q)touch $@

python: $(PYSTAMP) ## Build the Python extension into the virtual environment

pytest: python ## Run the Python tests (binding behaviour)
	$(Q)$(PYTEST) -q python/tests

parity: python ## Run the parity suite against pycocotools (bit for bit)
	$(Q)$(PYTEST) -q parity

parity-quick: python ## The parity suite without the slow val2017-scale case
	$(Q)$(PYTEST) -q parity -m "not slow"

test: lint ctest python ## Run the whole test suite (C tests, Python tests, parity)
	$(Q)$(PYTEST) -q -p no:cacheprovider python/tests parity

bench: python ## Benchmark against pycocotools (and peers when installed)
	$(Q)$(PYTEST) -q benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds

compare: python ## Time and peak memory of vernier and installed peers, one process each
	$(Q)$(VPY) benchmarks/compare.py

demo: python ## Evaluate the shipped sample (COCO val2014, 100 images) and print the summary
	$(Q)$(VPY) -m vernier.demo

clean: ## Remove build products (keeps .venv)
	rm -rf $(BUILD) python/src/vernier/_vernier*.so python/src/vernier/_vernier.c \
	    python/src/vernier/*.o python/src/*.egg-info
