# Switchboard - build with make, dependencies through pkg-config.
#   make            release build: build/switchboard
#   make SAN=1      ASan+UBSan build: build/san/switchboard (the tests use it)
#   make TSAN=1     ThreadSanitizer build: build/tsan/switchboard, build/tsan/unit
#                   (the test command runs the unit tests and a concurrent e2e subset under it)
#   make test       the whole suite (same as scripts/test.sh)
#   make unit       C unit tests only
PKGS    := libmicrohttpd jansson sqlite3 libsodium libcurl \
           libre librem speexdsp espeak-ng pocketsphinx
CC      ?= cc
CSTD    := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-missing-field-initializers -Wformat=2
PKGCF   := $(shell pkg-config --cflags $(PKGS))
PKGLIBS := $(shell pkg-config --libs $(PKGS)) -lpthread -lm

ifeq ($(SAN),1)
  OUT    := build/san
  OPT    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDSAN  := -fsanitize=address,undefined
else ifeq ($(TSAN),1)
  # gcc's TSan (libtsan2 comes with gcc 12); cannot be combined with ASan
  OUT    := build/tsan
  OPT    := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
  LDSAN  := -fsanitize=thread
else
  OUT    := build
  OPT    := -O2 -g
  LDSAN  :=
endif

# libre's headers need these (its .pc does not say so): without them
# re_types.h lacks uint32_t or makes bool a char macro. Harmless elsewhere.
RECF    := -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(RECF) $(PKGCF) -Isrc -include src/base/banned.h -MMD -MP
LDFLAGS += $(LDSAN)

SRC      := $(wildcard src/*/*.c)
LIBSRC   := $(filter-out src/cli/main.c,$(SRC))
# the tool table, generated from the declarations in src/tools/schemas/
GEN      := $(OUT)/gen
TOOLDECL := $(OUT)/tooldecl
SCHEMAS  := src/tools/schemas/LIST $(wildcard src/tools/schemas/*.json src/tools/schemas/*/*.json)
LIBOBJ   := $(LIBSRC:%.c=$(OUT)/obj/%.o) $(OUT)/obj/$(GEN)/tool_table.o
UNITSRC  := $(wildcard tests/unit/*.c)
UNITOBJ  := $(UNITSRC:%.c=$(OUT)/obj/%.o)

.PHONY: all unit test clean run bench fuzz soak docs
all: $(OUT)/switchboard
ifeq ($(TSAN),1)
all: $(OUT)/unit
endif

# tooldecl: the tool declarations -> tool_table[] (and docs/TOOLS.md); it
# fails on a schema that is not JSON, a file without handler, a handler
# without file (scripts/tooldecl.c)
$(TOOLDECL): scripts/tooldecl.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(WARN) $(OPT) -include src/base/banned.h $(shell pkg-config --cflags jansson) \
		-o $@ $< $(LDFLAGS) $(shell pkg-config --libs jansson)

$(GEN)/tool_table.c: $(TOOLDECL) $(SCHEMAS) src/tools/tools.h
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(TOOLDECL) --c $@ src/tools/schemas src/tools/tools.h

# the tool reference is committed; the test command checks it is current
docs: docs/TOOLS.md
docs/TOOLS.md: $(TOOLDECL) $(SCHEMAS) src/tools/tools.h
	$(TOOLDECL) --docs $@ src/tools/schemas src/tools/tools.h

$(OUT)/switchboard: $(OUT)/obj/src/cli/main.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(OUT)/unit: $(UNITOBJ) $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

unit: $(OUT)/unit
	$(OUT)/unit

test:
	bash scripts/test.sh

run:
	bash scripts/run.sh

clean:
	rm -rf build

-include $(LIBOBJ:.o=.d) $(UNITOBJ:.o=.d) $(OUT)/obj/src/cli/main.d

# fuzzing (clang + libFuzzer): targets and rules live in tests/fuzz/fuzz.mk
-include tests/fuzz/fuzz.mk

bench:
	bash bench/run.sh

# the executor benchmark: release objects + bench/executor_bench.c
build/bench/executor: bench/executor_bench.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(PKGLIBS)

soak:
	$(MAKE) -s build/switchboard
	node bench/soak.mjs --bin build/switchboard --sessions 1000 --seconds 60
