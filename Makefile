# casemix - DIP / CHS-DRG settlement engine.
#
#   make            build ./casemix
#   make demo       generate the demo region and settle it (README, command 1)
#   make test       every test tier (README, command 2; what .ci/run calls)
#   make check      fast tier: unit tests + golden end-to-end
#   make asan       the test suite under AddressSanitizer + UBSan
#   make valgrind   memcheck on the demo settlement
#   make bench      benchmark suite (bench/README.md)
#   make deps       install the Debian packages, or say what to run
#
# Variables: CASEMIX_DATA=path/to/shared/data (default ../shared/data),
# SANITIZE=1 (used by asan), OPENMP=0 (build without OpenMP), WERROR=1,
# MPI=1 (the MPI province driver: mpicc, build-mpi/, ./casemix-mpi; README "Province runs").

CC       ?= cc
MPI      ?= 0
ifeq ($(MPI),1)
CC       := mpicc
BUILD    := build-mpi
CPPFLAGS += -DCM_MPI
else
BUILD    ?= build
endif
OPENMP   ?= 1
SANITIZE ?= 0
WERROR   ?= 0
CASEMIX_DATA ?= ../shared/data
export CASEMIX_DATA

# the serial HDF5 first: libhdf5-openmpi-dev (make deps, optional) points the plain hdf5.pc at the
# MPI build; the MPI driver writes one file per rank and needs no parallel HDF5 either
HDF5_CFLAGS := $(shell pkg-config --cflags hdf5-serial 2>/dev/null || pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS   := $(shell pkg-config --libs hdf5-serial 2>/dev/null || pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP
# no fused multiply-add: a × b + c rounds twice everywhere, so money and point values are the same bits on
# every IEEE-754 platform (gcc without -std=c11 contracts across statements; docs/METHODS.md §9 "Precision")
CFLAGS  += -ffp-contract=off
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(OPENMP),1)
OMPFLAGS := -fopenmp
else
OMPFLAGS := -Wno-unknown-pragmas
endif
ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
LDLIBS  += -lm

GROUPER_SRC := $(wildcard grouper/*.c)
SCORING_SRC := $(wildcard scoring/*.c)
CONFIG_SRC  := $(wildcard config/*.c)
ENGINE_SRC  := $(wildcard engine/*.c)
GEN_SRC     := $(wildcard bench/gen*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBGROUPER := $(BUILD)/libgrouper.a
LIBSCORING := $(BUILD)/libscoring.a
LIBCONFIG  := $(BUILD)/libcmconfig.a

.PHONY: all demo test check asan valgrind bench bench-compare deps deps-test clean real long fuzz

all: casemix

# ./casemix is the normal build; sanitizer builds stay in their own BUILD dir.
casemix: $(BUILD)/casemix
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/casemix casemix.tmp && mv -f casemix.tmp casemix; fi
	@if [ "$(BUILD)" = build-mpi ]; then cp $(BUILD)/casemix casemix-mpi.tmp && mv -f casemix-mpi.tmp casemix-mpi; fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

# Libraries: no OpenMP, no HDF5.
$(LIBGROUPER): $(call obj,$(GROUPER_SRC))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(LIBSCORING): $(call obj,$(SCORING_SRC))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(LIBCONFIG): $(call obj,$(CONFIG_SRC))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^

# The driver: OpenMP and HDF5 live here only.
$(call obj,$(ENGINE_SRC) $(GEN_SRC)): CFLAGS += $(OMPFLAGS) $(HDF5_CFLAGS)

$(BUILD)/casemix: $(call obj,$(ENGINE_SRC) $(GEN_SRC)) $(LIBCONFIG) $(LIBGROUPER) $(LIBSCORING)
	$(CC) $(CFLAGS) $(OMPFLAGS) $(LDFLAGS) -o $@ $^ $(HDF5_LIBS) -lxlsxwriter -lconfig -ldeflate -lz $(LDLIBS)

# ---- tests ---------------------------------------------------------
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

# Unit tests link the static archives: only the objects a test uses are
# pulled in, so a module's test binary holds that module. The link takes the
# sources, objects and archives of $^ only: the headers a test's .d file adds
# would make gcc write a precompiled header instead of the program.
LIBGEN := $(BUILD)/libgen.a
$(LIBGEN): $(call obj,$(GEN_SRC))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBGEN) $(LIBCONFIG) $(LIBGROUPER) $(LIBSCORING)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(OMPFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) -lcmocka -lconfig $(LDLIBS)
$(BUILD)/tests/test_engine%: tests/unit/test_engine%.c $(filter-out $(BUILD)/engine/main.o,$(call obj,$(ENGINE_SRC))) $(call obj,$(GEN_SRC)) $(LIBCONFIG) $(LIBGROUPER) $(LIBSCORING)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(OMPFLAGS) $(HDF5_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) -lcmocka $(HDF5_LIBS) -lxlsxwriter -lconfig -ldeflate -lz $(LDLIBS)

deps:
	@sh tests/deps.sh
	@sh tests/deps.sh browser || echo "casemix: without chromium and fonts-noto-cjk the report's browser test is skipped"

deps-test:
	@sh tests/deps.sh test

# Fast tier: unit tests and golden end-to-end tests.
check: deps-test casemix $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run.sh check

# Every tier: fast + real data (../shared/data) + thread identity.
test: deps-test casemix $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run.sh all

real: deps-test casemix $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run.sh real

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 OPENMP=$(OPENMP) test

demo: deps casemix
	@sh bench/demo.sh

# valgrind memcheck on the demo settlement (1 thread): no error, nothing lost.
valgrind: deps casemix
	@sh bench/demo.sh > /dev/null
	valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./casemix settle --config config/demo.cfg --out build/demo/valgrind.h5 --threads 1 --quiet
	@echo "valgrind: no memory error and nothing lost on the demo settlement"

bench: deps casemix
	@sh bench/bench.sh

bench-compare:
	@sh bench/bench.sh --compare

clean:
	rm -rf build build-asan build-noomp build-mpi casemix casemix-mpi

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Fuzzing (libFuzzer, clang): targets and harnesses in tests/fuzz/.
-include tests/fuzz/fuzz.mk
