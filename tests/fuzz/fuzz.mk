# fuzz.mk - libFuzzer targets (tests/fuzz/README.md); included at the end of
# the Makefile, adds nothing to `all`.
#
#   make fuzz                   build into build-fuzz/, replay the regression
#                               inputs, then run each target FUZZ_SECONDS (60)
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS=fuzz_csv
#   make fuzz-build             build only
#   make fuzz-regress           replay tests/fuzz/regressions/ and the seeds once
#
# Needs clang with libFuzzer (Debian: clang-14). Without clang the targets
# print what to install and stop; the rest of the Makefile is unaffected.

FUZZ_CLANG   := $(or $(shell command -v clang-14 2>/dev/null),$(shell command -v clang 2>/dev/null))
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz_csv fuzz_config fuzz_dip_catalogue fuzz_drg_tables

FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -DFUZZ_ROOT='"$(CURDIR)"'
FUZZ_LIB_SRC := $(GROUPER_SRC) $(SCORING_SRC) $(CONFIG_SRC)
FUZZ_ENGINE_SRC := engine/reader.c engine/columns.c engine/util.c engine/pipeline.c
FUZZ_OBJ = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(1))

# seed corpora: tests/fuzz/seeds/<target>/ plus test files copied into
# $(FUZZ_BUILD)/seeds/<target>/ (the table harnesses get a selector byte first)
FUZZ_DIP_TABLES := catalogue group_stats attributes icd10 simple_procs
FUZZ_DRG_TABLES := adrg adrg_list adrg_rule cc cc_exclusion drg icd10_dx icd9_proc mcc mdc mdc_dx or_procedures

.PHONY: fuzz fuzz-build fuzz-regress fuzz-seeds fuzz-check-clang

fuzz-check-clang:
	@if [ -z "$(FUZZ_CLANG)" ]; then \
	    echo "make fuzz: clang with libFuzzer is needed: apt-get install clang-14"; exit 1; fi

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libfuzzlibs.a: $(call FUZZ_OBJ,$(FUZZ_LIB_SRC) $(FUZZ_ENGINE_SRC))
	@rm -f $@; ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_BUILD)/libfuzzlibs.a
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_BUILD)/libfuzzlibs.a -lconfig -lm -o $@

fuzz-build: fuzz-check-clang $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))

fuzz-seeds:
	@rm -rf $(FUZZ_BUILD)/seeds; for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_BUILD)/seeds/$$t; done
	@d=$(FUZZ_BUILD)/seeds/fuzz_csv; [ ! -d $$d ] || \
	    for f in tests/corpus/*.csv tests/golden/small/input.csv; do cp $$f $$d/$$(echo $$f | tr / _); done
	@d=$(FUZZ_BUILD)/seeds/fuzz_config; [ ! -d $$d ] || \
	    for f in config/*.cfg tests/golden/small/*.cfg tests/corpus/*.cfg; do cp $$f $$d/$$(echo $$f | tr / _); done
	@d=$(FUZZ_BUILD)/seeds/fuzz_dip_catalogue; [ ! -d $$d ] || { i=0; for t in $(FUZZ_DIP_TABLES); do \
	    for f in tests/data/dip-mini/$$t.csv tests/golden/small/$$t.csv config/demo/$$t.csv; do \
	        if [ -f $$f ]; then printf "\\$$(printf %03o $$i)" | cat - $$f > $$d/$$i-$$(echo $$f | tr / _); fi; done; \
	    i=$$((i + 1)); done; \
	    printf '\002' | cat - tests/golden/small/proc_attributes.csv > $$d/2-small-attributes; \
	    printf '\002' | cat - config/demo/proc_attributes.csv > $$d/2-demo-attributes; }
	@d=$(FUZZ_BUILD)/seeds/fuzz_drg_tables; [ ! -d $$d ] || { i=0; for t in $(FUZZ_DRG_TABLES); do \
	    printf "\\$$(printf %03o $$i)" | cat - tests/data/drg-mini/$$t.csv > $$d/$$i-$$t; i=$$((i + 1)); done; }

# Replays every regression input and seed once (exit 1 on a crash).
fuzz-regress: fuzz-build fuzz-seeds
	@for t in $(FUZZ_TARGETS); do \
	    set -- $$(find tests/fuzz/regressions/$$t tests/fuzz/seeds/$$t $(FUZZ_BUILD)/seeds/$$t -type f 2>/dev/null); \
	    [ $$# -gt 0 ] || continue; \
	    echo "== $$t: replaying $$# inputs"; \
	    ./$(FUZZ_BUILD)/$$t -runs=1 "$$@" > $(FUZZ_BUILD)/$$t.regress.log 2>&1 || \
	        { tail -n 40 $(FUZZ_BUILD)/$$t.regress.log; echo "$$t: a regression input crashes"; exit 1; }; \
	done

# Runs each target for FUZZ_SECONDS; new inputs go to $(FUZZ_BUILD)/corpus/<target>,
# crashes to $(FUZZ_BUILD)/<target>-crash-*; the last stats line is printed.
fuzz: fuzz-regress
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    ./$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	        $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/seeds/$$t \
	        $$([ -d tests/fuzz/seeds/$$t ] && echo tests/fuzz/seeds/$$t) \
	        $$([ -d tests/fuzz/regressions/$$t ] && echo tests/fuzz/regressions/$$t) \
	        > $(FUZZ_BUILD)/$$t.log 2>&1; rc=$$?; \
	    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' $(FUZZ_BUILD)/$$t.log | tr '\n' ' '; echo; \
	    if [ $$rc -ne 0 ]; then tail -n 60 $(FUZZ_BUILD)/$$t.log; \
	        echo "$$t: crash; input in $(FUZZ_BUILD)/$$t-crash-*; see tests/fuzz/README.md"; exit 1; fi; \
	done

-include $(wildcard $(FUZZ_BUILD)/obj/*/*.d)

.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
