# fairgate - build, test, demo, install.  `make help` lists the targets.
#
# Dependencies come from Debian packages (see .ci/ensure-deps); they are found with
# pkg-config where they ship a .pc file (libyaml, cJSON, libcrypto, zlib, Check) and linked
# by name where they do not (libcsv).

.SUFFIXES:

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/fairgate
ifeq ($(origin CC),default)
CC      := gcc
endif
BUILD   ?= build
WERROR  ?= -Werror
SANITIZE ?=

PKGS      := yaml-0.1 libcjson libcrypto zlib
DEP_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEP_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla $(WERROR)
OPT     ?= -O2 -g
FG_CFLAGS := -std=c11 $(OPT) $(WARN) $(SANITIZE) $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS)
FG_LDFLAGS := $(SANITIZE) $(LDFLAGS)

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIB_HDR := $(wildcard lib/*.h)
CMD_SRC := $(wildcard cmd/*.c)
CMD_OBJ := $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.o)
UNIT_SRC := $(wildcard tests/unit/check_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
SIM_SRC := $(wildcard tests/sim/*.c)
SIM_BIN := $(SIM_SRC:tests/sim/%.c=$(BUILD)/sim/%)
SIM_ARGS ?=

FAIRGATE := $(BUILD)/fairgate

.PHONY: all deps deps-test check unit cli asan tsan demo bench install uninstall clean format help tools

all: $(FAIRGATE) tools
all: sim

help:
	@echo 'make            build $(FAIRGATE) and the test tools'
	@echo 'make demo       install what is missing, build, run a real gate on generated data'
	@echo 'make check      install what is missing, build, run every test'
	@echo 'make asan       the tests again under AddressSanitizer + UBSan (in build-asan/)'
	@echo 'make tsan       the threaded readers'\'' tests under ThreadSanitizer (in build-tsan/)'
	@echo 'make fuzz       each fuzz target under libFuzzer for FUZZ_TIME s (clang; tests/fuzz/)'
	@echo 'make stats-sim  Monte Carlo checks of the statistics (make check runs the fast variant)'
	@echo 'make sim-fast   the fast variant alone (fg_statsim --fast; SIM_ARGS adds options)'
	@echo 'make bench      speed and peak memory on 1M and 10M generated rows'
	@echo 'make install    install to $$(DESTDIR)$$(PREFIX) (PREFIX=$(PREFIX))'
	@echo 'make uninstall  remove what install put there'
	@echo 'make deb        the Debian package $(BUILD)/fairgate_<version>_<arch>.deb (needs dpkg-dev)'
	@echo 'make format     clang-format every source file'
	@echo 'make clean      remove build outputs'

deps:
	@sh .ci/ensure-deps

deps-test:
	@sh .ci/ensure-deps test

tools: $(TOOL_BIN)

.PHONY: sim sim-fast stats-sim
sim: $(SIM_BIN)

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c lib/fairgate.h
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) -Ilib -c -o $@ $<

$(BUILD)/libfairgate.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(FAIRGATE): $(CMD_OBJ) $(BUILD)/libfairgate.a
	$(CC) $(FG_LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libfairgate.a $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test_util.h $(BUILD)/libfairgate.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) $(CHECK_CFLAGS) -Ilib -o $@ $< $(BUILD)/libfairgate.a $(DEP_LIBS) $(CHECK_LIBS) $(FG_LDFLAGS) $(UNIT_LDFLAGS)

# A unit test that fails the library's allocations links the library's calls to a wrapper of
# its own (GNU ld and lld --wrap): nothing of it is in the library or the binary.
$(BUILD)/tests/check_cdd: UNIT_LDFLAGS = -Wl,--wrap=calloc

$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) -o $@ $< $(DEP_LIBS) $(FG_LDFLAGS)

$(BUILD)/sim/%: tests/sim/%.c $(BUILD)/libfairgate.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) -Ilib -o $@ $< $(BUILD)/libfairgate.a $(DEP_LIBS) $(FG_LDFLAGS)

sim-fast: sim
	@echo "== $(BUILD)/sim/fg_statsim --fast $(SIM_ARGS)"
	@$(BUILD)/sim/fg_statsim --fast $(SIM_ARGS)

stats-sim: deps
	@$(MAKE) --no-print-directory sim
	$(BUILD)/sim/fg_statsim $(SIM_ARGS)

# Every unit binary runs even when one fails; the closing line counts the tests a binary
# skipped ("skip - NAME (why)" on its stdout: data that is not there, see FAIRGATE_DATA).
unit: $(UNIT_BIN)
	@failed=0; skipped=0; for t in $(UNIT_BIN); do echo "== $$t"; \
	    $$t >$$t.out 2>&1 || failed=$$((failed + 1)); cat $$t.out; \
	    skipped=$$((skipped + $$(grep -c '^skip - ' $$t.out))); done; \
	echo "unit: $$failed failed, $$skipped skipped"; [ $$failed -eq 0 ]

cli: $(FAIRGATE) tools
	@FAIRGATE=$(CURDIR)/$(FAIRGATE) TOOLS=$(CURDIR)/$(BUILD)/tools sh tests/cli/run.sh

# Each step runs whatever an earlier one did, so a failure (or a skip) never hides the
# statistics simulation; make check fails when any step failed. Skips are not failures.
CHECK_STEPS := unit fuzz-replay cli sim-fast
.PHONY: check-steps
check: deps-test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-steps
check-steps:
	@failed=; for step in $(CHECK_STEPS); do \
	    $(MAKE) --no-print-directory $$step || failed="$$failed $$step"; done; \
	if [ -n "$$failed" ]; then echo "$(BUILD): FAILED:$$failed"; exit 1; fi; \
	echo "$(BUILD): every step passed ($(CHECK_STEPS))"

# clang where installed: its UBSan also checks pointer arithmetic on NULL (gcc's does not;
# lib/json.c had such a bug, found by fuzzing). ASAN_CC=gcc picks gcc.
ASAN_CC ?= $(if $(shell command -v clang 2>/dev/null),clang,$(CC))
asan: deps-test
	@$(MAKE) --no-print-directory CC=$(ASAN_CC) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	    SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=all' all
	@ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:exitcode=86 \
	 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86 CK_FORK=no FG_SANITIZED=1 \
	 $(MAKE) --no-print-directory CC=$(ASAN_CC) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	    SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=all' check-steps

# ThreadSanitizer on the tests of the threaded readers (the chunk ring, the chunked and the
# aligned join, lib/ingest_parallel.c and lib/ingest_aligned.c); clang where installed.
TSAN_TESTS := check_ingest check_ingest_diff check_fastcsv
tsan: deps-test
	@$(MAKE) --no-print-directory CC=$(ASAN_CC) BUILD=build-tsan OPT='-O1 -g' \
	    SANITIZE='-fsanitize=thread' $(TSAN_TESTS:%=build-tsan/tests/%)
	@for t in $(TSAN_TESTS); do echo "== build-tsan/tests/$$t"; \
	    TSAN_OPTIONS=halt_on_error=1:exitcode=86 CK_FORK=no build-tsan/tests/$$t || exit 1; done

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/tools/demo.sh $(FAIRGATE) $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/tools/bench.sh $(FAIRGATE) $(BUILD)

# The example policies and their schemas go where the Debian package puts them (DATADIR).
EXAMPLE_POLICIES := $(wildcard policies/*.yaml policies/*.schema.json)
install: $(FAIRGATE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/policies
	install -m 0755 $(FAIRGATE) $(DESTDIR)$(BINDIR)/fairgate
	install -m 0644 cmd/fairgate.1 $(DESTDIR)$(MANDIR)/man1/fairgate.1
	install -m 0644 $(EXAMPLE_POLICIES) $(DESTDIR)$(DATADIR)/policies

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fairgate $(DESTDIR)$(MANDIR)/man1/fairgate.1
	rm -f $(EXAMPLE_POLICIES:policies/%=$(DESTDIR)$(DATADIR)/policies/%)
	-rmdir $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(DATADIR) 2>/dev/null

# ---- Debian package: .packaging/deb/build-deb.sh says what goes where ----
# The binary is built apart, in $(BUILD)/deb/, with dpkg-buildflags' flags (hardening=+all:
# fortify, stack protector, PIE, full RELRO) and never with a sanitizer.
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
.PHONY: deb
deb:
	@sh .ci/ensure-deps deb
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/deb SANITIZE= OPT= \
	    CFLAGS="$$($(DEB_FLAGS) CFLAGS)" \
	    CPPFLAGS="$$($(DEB_FLAGS) CPPFLAGS)" LDFLAGS="$$($(DEB_FLAGS) LDFLAGS)" $(BUILD)/deb/fairgate
	@sh .packaging/deb/build-deb.sh $(BUILD)/deb/fairgate $(BUILD)

format:
	clang-format -i lib/*.c lib/*.h cmd/*.c tests/unit/*.c tests/unit/*.h tests/tools/*.c
	clang-format -i tests/sim/*.c tests/fuzz/*.c tests/fuzz/*.h

clean:
	rm -rf build build-asan build-clang build-fuzz build-tsan

# ---- fuzz targets (tests/fuzz/): one per parser ----
# fuzz_csv and fuzz_number are differential (lib/fastcsv.c against libcsv, fg_decimal_fast
# against strtod); the others feed the policy parser,
# the counts-file reader, DSSE envelopes and attestation verification, overrides and their
# application, and the audit reader behind `report --audit`. make check (and make asan, under
# ASan + UBSan) replays tests/fuzz/corpus/<target> through a plain build of each; `make fuzz`
# builds them with libFuzzer (clang) in $(FUZZ_BUILD)/ and runs each for FUZZ_TIME seconds,
# one after another, new inputs in $(FUZZ_BUILD)/corpus/<target>.
FUZZ_TARGETS ?= csv policy counts attest override report ingest number
FUZZ_TIME ?= 120
FUZZ_BUILD ?= build-fuzz
FUZZ_DEF := -DFUZZ_DIR='"$(CURDIR)/tests/fuzz"'
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
.PHONY: fuzz fuzz-build fuzz-replay
$(BUILD)/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c tests/fuzz/fuzz.h lib/fastcsv.c lib/fastcsv.h \
		lib/csvread.c lib/csvread.h
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) $(FUZZ_DEF) -Ilib -o $@ tests/fuzz/fuzz_csv.c lib/fastcsv.c lib/csvread.c \
	    $(DEP_LIBS) $(FG_LDFLAGS)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libfairgate.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(FG_CFLAGS) $(FUZZ_DEF) -Ilib -o $@ $< $(BUILD)/libfairgate.a $(DEP_LIBS) $(FG_LDFLAGS)
fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    echo "== $(BUILD)/fuzz/fuzz_$$t tests/fuzz/corpus/$$t"; \
	    $(BUILD)/fuzz/fuzz_$$t tests/fuzz/corpus/$$t; done
# The library is built once with coverage instrumentation (fuzzer-no-link); each target
# links it with libFuzzer's main.
fuzz-build:
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) OPT='-O1 -g' \
	    SANITIZE='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' $(FUZZ_BUILD)/libfairgate.a
	@set -e; for t in $(FUZZ_TARGETS); do \
	    lib=$(FUZZ_BUILD)/libfairgate.a; [ $$t = csv ] && lib="lib/fastcsv.c lib/csvread.c"; \
	    echo "clang ... -o $(FUZZ_BUILD)/fuzz_$$t"; \
	    clang -std=c11 -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -DFUZZ_LIBFUZZER $(FUZZ_DEF) -Ilib \
	        $(DEP_CFLAGS) -o $(FUZZ_BUILD)/fuzz_$$t tests/fuzz/fuzz_$$t.c $$lib $(DEP_LIBS); done
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	    echo "== $(FUZZ_BUILD)/fuzz_$$t for $(FUZZ_TIME) s"; \
	    $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; done
