# sextant: build, test, benchmark and install.
#   make            build/sextant and build/libsextant.a
#   make demo       install missing packages, build, create the demo, open it
#   make check      install missing packages, build, run every test
#   make asan       the tests under AddressSanitizer + UBSan (build/asan)
#   make bench      the benchmarks (bench/README.md)
#   make fuzz       the libFuzzer targets tests/fuzz/*.c, FUZZ_SECONDS each (clang)
#   make install    PREFIX=/usr/local: binary, man page, themes

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
PKGS    := sqlite3 gsl libsodium jansson ncursesw yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
NCURSES_VERSION := $(shell pkg-config --modversion ncursesw 2>/dev/null)

OPT     ?= -O2
SAN     ?=
CFLAGS  := -std=c11 -Wall -Wextra -Werror $(OPT) -g -ffp-contract=off \
           -D_GNU_SOURCE -pthread $(SAN) $(PKG_CFLAGS) \
           -DSX_NCURSES_VERSION='"$(NCURSES_VERSION)"' -iquote core
LDFLAGS += $(SAN) -pthread
LDLIBS  := $(PKG_LIBS) -lcsv -lm

CORE_SRC := $(sort $(wildcard core/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TUI_SRC  := $(sort $(wildcard tui/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o) $(TUI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps check test asan bench install demo clean fuzz
all: $(BUILD)/sextant $(BUILD)/libsextant.a

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsextant.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sextant: $(APP_OBJ) $(BUILD)/libsextant.a
	$(CC) $(LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libsextant.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libsextant.a $(LDLIBS) -lcriterion

# Tests of tui/ files that use no curses link those objects alone.
TEST_TUI_OBJ := $(BUILD)/tui/table.o
$(BUILD)/tests/test_table: tests/test_table.c $(wildcard tests/*.h) $(TEST_TUI_OBJ) $(BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -iquote tui -o $@ $< $(TEST_TUI_OBJ) $(BUILD)/libsextant.a $(LDLIBS) -lcriterion

# The shell's drawing test links tui/draw.o alone (it supplies the theme).
$(BUILD)/tests/test_tui_draw: tests/test_tui_draw.c $(wildcard tests/*.h) $(BUILD)/tui/draw.o $(BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/tui/draw.o $(BUILD)/libsextant.a $(LDLIBS) -lcriterion

# Where `make install` puts the themes, searched by tui/theme.c.
$(BUILD)/tui/theme.o: CFLAGS += -DSX_THEMES_DIR='"$(PREFIX)/share/sextant/themes"'

$(BUILD)/bench/bench_tui: bench/bench_tui.c $(TEST_TUI_OBJ) $(BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -iquote tui -o $@ $< $(TEST_TUI_OBJ) $(BUILD)/libsextant.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libsextant.a $(LDLIBS)

deps:
	@scripts/deps.sh all

# The tests read SEXTANT_BIN and SEXTANT_BUILD; tests/run.sh fetches the
# csv-spectrum suite with npm and runs every test binary.
test: all $(TEST_BIN)
	@tests/run.sh $(BUILD)

check: deps
	@$(MAKE) --no-print-directory test

asan:
	@scripts/deps.sh all
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

bench: all $(BENCH_BIN)
	@bench/run.sh $(BUILD)

demo:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	$(BUILD)/sextant demo
	@if [ -t 0 ] && [ -t 1 ]; then cd sextant-demo && $(abspath $(BUILD))/sextant; fi

# make fuzz: each tests/fuzz/NAME.c is a libFuzzer target. The core is built
# again with clang into $(FUZZ_BUILD) (coverage, ASan, UBSan), each target is
# linked against it and run for FUZZ_SECONDS, seeded from
# tests/fuzz/seeds/NAME/ and with the dictionary tests/fuzz/NAME.dict when
# they exist; the corpus it grows and any crash stay under $(FUZZ_BUILD).
# clang comes from `scripts/deps.sh fuzz`. `make check` does not need it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/bin/%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -O1 -g -ffp-contract=off -D_GNU_SOURCE -pthread \
                $(PKG_CFLAGS) -iquote core

fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT=-O1 \
	    SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libsextant.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_BIN); do \
	    name=$$(basename $$t); corpus=$(FUZZ_BUILD)/corpus/$$name; mkdir -p $$corpus; \
	    dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
	    seeds=; [ -d tests/fuzz/seeds/$$name ] && seeds=tests/fuzz/seeds/$$name; \
	    echo "== $$name: $(FUZZ_SECONDS) s"; \
	    $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ $$dict $$corpus $$seeds; \
	done

$(FUZZ_BUILD)/bin/%: tests/fuzz/%.c $(FUZZ_BUILD)/libsextant.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_BUILD)/libsextant.a $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/sextant/themes
	install -m 755 $(BUILD)/sextant $(DESTDIR)$(PREFIX)/bin/sextant
	install -m 644 docs/sextant.1 $(DESTDIR)$(PREFIX)/share/man/man1/sextant.1
	for t in themes/*.theme; do [ -e "$$t" ] || continue; \
	    install -m 644 "$$t" $(DESTDIR)$(PREFIX)/share/sextant/themes/; done

clean:
	rm -rf $(BUILD)

-include $(CORE_OBJ:.o=.d) $(APP_OBJ:.o=.d)
