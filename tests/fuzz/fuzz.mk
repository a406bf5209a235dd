# tests/fuzz/fuzz.mk - fuzzing with clang + libFuzzer, included by the Makefile.
#
#   make fuzz                  build every target, run each FUZZ_SECONDS (30)
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS=schema
#   make fuzz-build            only build build/fuzz/fuzz_NAME
#   make fuzz-replay-build     gcc + ASan/UBSan replay binaries (replay.sh)
#
# Each target NAME is tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput) with
# seeds in tests/fuzz/corpus/NAME/. A run reads the seeds and writes what it
# learns to build/fuzz/corpus-NAME (never into the repo; copy an input to
# tests/fuzz/corpus/NAME by hand when it is worth keeping) and crashes to
# build/fuzz/crashes/NAME/. The sources are compiled again with clang into
# build/fuzz/obj (coverage instrumentation; the gcc objects cannot be used)
# and packed into one archive so each target links only what it calls.
#
# Only clang and libclang-rt-14-dev are needed (scripts/setup.sh installs
# them). Every variable here starts with FUZZ_ so none collides with the
# Makefile that includes this file.

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 30
FUZZ_TARGETS  ?= rpc schema stream gate request
FUZZ_FLAGS    ?=
FUZZ_PKGS     := $(PKGS)
FUZZ_PKGCF    := $(shell pkg-config --cflags $(FUZZ_PKGS))
FUZZ_PKGLIBS  := $(shell pkg-config --libs $(FUZZ_PKGS)) -lpthread -lm
FUZZ_DIR      := build/fuzz
FUZZ_SAN      := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# fuzzer-no-link: coverage instrumentation without libFuzzer's main()
FUZZ_SAN_LIB  := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   := -g -O1 -fno-omit-frame-pointer -std=c17 -D_GNU_SOURCE $(RECF) \
		 -Wall -Wextra -Wshadow -Wno-unused-parameter \
		 -Wno-missing-field-initializers \
		 -Isrc -include src/base/banned.h $(FUZZ_PKGCF) -MMD -MP
FUZZ_LIBSRC   := $(LIBSRC) $(GEN)/tool_table.c
FUZZ_LIBOBJ   := $(FUZZ_LIBSRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB      := $(FUZZ_DIR)/libswitchboard.a
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

# The replay build: gcc with the sanitizer flags of `make SAN=1`, no libFuzzer.
FUZZ_REPLAY_CC     ?= gcc
FUZZ_REPLAY_DIR    := build/fuzz-replay
FUZZ_REPLAY_CFLAGS := -g -O1 -fno-omit-frame-pointer -std=c17 -D_GNU_SOURCE $(RECF) \
		      -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		      -Wall -Wextra -Wshadow -Wno-unused-parameter \
		      -Isrc -include src/base/banned.h $(FUZZ_PKGCF) -MMD -MP
FUZZ_REPLAY_LIBOBJ := $(FUZZ_LIBSRC:%.c=$(FUZZ_REPLAY_DIR)/obj/%.o)
FUZZ_REPLAY_LIB    := $(FUZZ_REPLAY_DIR)/libswitchboard.a
FUZZ_REPLAY_BINS   := $(FUZZ_TARGETS:%=$(FUZZ_REPLAY_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-replay-build
# keep the harness objects (make would delete them as intermediates)
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o) \
	    $(FUZZ_TARGETS:%=$(FUZZ_REPLAY_DIR)/obj/tests/fuzz/fuzz_%.o)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN_LIB) $(FUZZ_CFLAGS) -c -o $@ $<

# the generated tool table (Makefile: $(GEN)/tool_table.c)
$(FUZZ_DIR)/obj/$(GEN)/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN_LIB) $(FUZZ_CFLAGS) -c -o $@ $<

# the harnesses are ours: warnings are errors
$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN_LIB) $(FUZZ_CFLAGS) -Werror -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_PKGLIBS)

# Runs every target (a crash in one does not skip the others), prints one
# line per target with its last libFuzzer status line, fails if any crashed.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/logs; failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus-$$t $(FUZZ_DIR)/crashes/$$t; \
	  dict=""; [ -f tests/fuzz/$$t.dict ] && dict="-dict=tests/fuzz/$$t.dict"; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (log $(FUZZ_DIR)/logs/$$t.log)"; \
	  if $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	       -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crashes/$$t/ $$dict \
	       $(FUZZ_FLAGS) $(FUZZ_DIR)/corpus-$$t tests/fuzz/corpus/$$t \
	       >$(FUZZ_DIR)/logs/$$t.log 2>&1; then \
	    echo "fuzz: $$t ok: $$(grep -E '^#[0-9]+' $(FUZZ_DIR)/logs/$$t.log | tail -1)"; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_DIR)/logs/$$t.log | sed "s/^/fuzz: $$t /"; \
	  else \
	    failed="$$failed $$t"; \
	    echo "fuzz: $$t FAILED, findings in $(FUZZ_DIR)/crashes/$$t/:"; \
	    ls $(FUZZ_DIR)/crashes/$$t/; \
	    grep -E 'ERROR: |SUMMARY: |runtime error|^fuzz_[a-z]+: ' $(FUZZ_DIR)/logs/$$t.log | head -5; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi; \
	echo "fuzz: all targets ran $(FUZZ_SECONDS) s without a finding"

# ---- replay build (used by tests/fuzz/replay.sh) ---------------------------

fuzz-replay-build: $(FUZZ_REPLAY_BINS)

$(FUZZ_REPLAY_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_REPLAY_CC) $(FUZZ_REPLAY_CFLAGS) -c -o $@ $<

$(FUZZ_REPLAY_LIB): $(FUZZ_REPLAY_LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_REPLAY_DIR)/fuzz_%: $(FUZZ_REPLAY_DIR)/obj/tests/fuzz/fuzz_%.o \
			   $(FUZZ_REPLAY_DIR)/obj/tests/fuzz/replay_main.o $(FUZZ_REPLAY_LIB)
	$(FUZZ_REPLAY_CC) -fsanitize=address,undefined -o $@ $^ $(FUZZ_PKGLIBS)

-include $(FUZZ_LIBOBJ:.o=.d) $(FUZZ_REPLAY_LIBOBJ:.o=.d) \
	 $(wildcard $(FUZZ_DIR)/obj/tests/fuzz/*.d $(FUZZ_REPLAY_DIR)/obj/tests/fuzz/*.d)
