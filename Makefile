# tenantop — build, test and run.
#   make            build ./tenantop and ./tenantop-sim
#   make run        install missing packages (root), build, start the dashboard
#   make test       install missing packages (root), build, run every test
#   make check      unit tests under AddressSanitizer + UBSan
#   make demo       the dashboard over the built-in simulator
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        a Debian package (dpkg-buildpackage, out of a copy of the tree), then lintian

CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/tenantop
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DESTDIR  ?=
VERSION  := 0.1.0

# Debian packages the build and the tests need (installed by `make deps` when root).
DEB_BUILD := gcc make pkg-config libncurses-dev libmnl-dev libinih-dev libmicrohttpd-dev libcmocka-dev zlib1g-dev \
             clang llvm bpftool libbpf-dev libelf-dev libcrypt-dev libmariadb-dev libpq-dev libhiredis-dev
DEB_TEST  := tmux iproute2 procps python3 time prometheus redis-server mariadb-server postgresql \
             curl openssl apache2-utils \
             libdbd-mariadb-perl libdbd-pg-perl php8.2-fpm php8.2-mysql libfcgi-bin \
             mandoc groff man-db bash-completion zsh python3-jsonschema \
             dpkg-dev debhelper lintian \
             pgbouncer mariadb-client redis-tools
DEB_ALL   := $(DEB_BUILD) $(DEB_TEST)

# eBPF events (owners of short-lived connections): built where clang, bpftool,
# libbpf and the kernel's BTF are; BPF=0 builds without them.
BTF      ?= /sys/kernel/btf/vmlinux
BPF      ?= $(shell command -v clang >/dev/null 2>&1 && command -v bpftool >/dev/null 2>&1 && \
              pkg-config --exists libbpf 2>/dev/null && [ -r $(BTF) ] && echo 1 || echo 0)
# linked: what every run needs; loaded when first used (dlopen, src/util/dynlib.c):
# the database clients and the HTTP server, each by the soname its -dev package links
PKGS     := ncursesw libmnl inih $(if $(filter 1,$(BPF)),libbpf)
PKGS_DL  := libmicrohttpd libmariadb libpq hiredis
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(PKGS_DL) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
soname = $(shell objdump -p $$($(or $(CC),cc) -print-file-name=$(1)) 2>/dev/null | awk '/SONAME/ {print $$2}')
SONAMES := $(foreach l,MHD:libmicrohttpd.so MARIADB:libmariadb.so PQ:libpq.so HIREDIS:libhiredis.so,\
             $(if $(call soname,$(word 2,$(subst :, ,$(l)))),-DTT_SONAME_$(word 1,$(subst :, ,$(l)))=\"$(call soname,$(word 2,$(subst :, ,$(l))))\"))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DTT_VERSION=\"$(VERSION)\" -Iinclude -Isrc $(WARN) $(PKG_CFLAGS) $(SONAMES) $(CPPFLAGS) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lz -lm -lpthread -lcrypt

BUILD    ?= build
# make V=1 shows the compiler command lines
Q := $(if $(V),,@)
SRC_SIM  := src/sim/main.c
# every folder under src/ is part of the library (the simulator's main apart)
SRC_LIB  := $(sort $(filter-out $(SRC_SIM),$(wildcard src/*/*.c)))
SRC_MAIN := src/main.c
TEST_SRC := $(sort $(wildcard tests/test_*.c))

LIB_OBJ  := $(SRC_LIB:%.c=$(BUILD)/%.o)
SIM_OBJ  := $(SRC_SIM:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libtenantop.a

.PHONY: all binaries deps run test unit check demo install install-files uninstall clean bench screenshots fuzz soak layout-check deb

# Packages first, then a fresh make so pkg-config sees what was just installed.
all: deps
	@$(MAKE) --no-print-directory binaries

binaries: tenantop tenantop-sim

# Install whatever Debian package is missing (only when root; otherwise say what to install).
deps:
	@missing=""; for p in $(DEB_ALL); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || \
	    { echo "apt-get failed for:$$missing" >&2; exit 1; }; \
	  else echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

# the BPF programs (src/collect/bpf/NAME.bpf.c): CO-RE objects from the running
# kernel's BTF, then their skeletons (NAME.skel.h, named tt_NAME)
BPF_DIR  := $(BUILD)/bpf
$(BPF_DIR)/vmlinux.h:
	@mkdir -p $(dir $@)
	$(Q)bpftool btf dump file $(BTF) format c > $@.tmp && mv $@.tmp $@

$(BPF_DIR)/%.bpf.o: src/collect/bpf/%.bpf.c $(BPF_DIR)/vmlinux.h
	@$(if $(Q),echo '  BPF     $<')
	$(Q)clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BPF_DIR) -Wall -Werror -c $< -o $@
	$(Q)llvm-strip -g $@

$(BPF_DIR)/%.skel.h: $(BPF_DIR)/%.bpf.o
	$(Q)bpftool gen skeleton $< name tt_$* > $@.tmp && mv $@.tmp $@

.PRECIOUS: $(BPF_DIR)/%.bpf.o $(BPF_DIR)/%.skel.h $(BPF_DIR)/%.core.h

# the event programs (owners) and the descriptor iterator (sockfds) linked
# into one object, tenantop.bpf.o: loading it parses the kernel's BTF once
$(BPF_DIR)/tenantop.bpf.o: $(BPF_DIR)/owners.bpf.o $(BPF_DIR)/sockfds.bpf.o
	$(Q)bpftool gen object $@ $^

# what places its relocations on the build's kernel without libbpf's search
# of that kernel's whole BTF at each start (src/collect/bpf/corefacts.sh)
$(BPF_DIR)/tenantop.core.h: $(BPF_DIR)/tenantop.bpf.o src/collect/bpf/corefacts.sh
	$(Q)sh src/collect/bpf/corefacts.sh $(BTF) $< > $@.tmp && mv $@.tmp $@

ifeq ($(BPF),1)
# the programs' users and their loader
$(BUILD)/src/collect/bpfowners.o $(BUILD)/src/collect/bpffds.o $(BUILD)/src/collect/bpfload.o: $(BPF_DIR)/tenantop.skel.h
$(BUILD)/src/collect/bpfload.o: $(BPF_DIR)/tenantop.core.h
$(BUILD)/src/collect/bpfowners.o $(BUILD)/src/collect/bpffds.o $(BUILD)/src/collect/bpfload.o: ALL_CFLAGS += -DTT_HAVE_BPF -I$(BPF_DIR)
endif

$(BUILD)/%.o: %.c $(wildcard include/tenantop/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/tenantop: $(BUILD)/src/main.o $(LIB)
	@$(if $(Q),echo '  LINK    $@')
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tenantop-sim: $(SIM_OBJ) $(LIB)
	@$(if $(Q),echo '  LINK    $@')
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tenantop: $(BUILD)/tenantop
	cp $< $@
tenantop-sim: $(BUILD)/tenantop-sim
	cp $< $@

$(BUILD)/tests/%: tests/%.c $(LIB) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  TEST    $@')
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIB) $(LDLIBS) $(CMOCKA_LIBS)

unit: $(TEST_BIN)

# Only the dashboard (src/ui) includes ncurses: the collector, the model,
# detect, outputs, act and any new folder never do; the panes never read
# /proc nor act on the machine themselves (that is src/act's, behind act.h).
# tests/layout/layers.py: no include of a layer above, no circle between
# files, no function over 100 lines.
NO_CURSES_SRC = $(filter-out src/ui/%,$(wildcard src/*/*.c src/*/*.h))
layout-check:
	@bad=$$(grep -l -E '#include *<(n?curses|ncursesw/)' $(NO_CURSES_SRC) 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "layout: ncurses included by $$bad" >&2; exit 1; fi; \
	bad=$$(grep -l -E '"/proc|opendir|openat|[^_a-z]kill\(|pidfd_|libmnl|sock_diag' src/ui/*.c src/ui/*.h 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "layout: a pane reads or acts on the machine: $$bad" >&2; exit 1; fi
	@python3 tests/layout/layers.py

run: all
	./tenantop

demo: all
	./tenantop --demo

test: deps
	@$(MAKE) --no-print-directory binaries unit layout-check
	@BUILD=$(BUILD) sh tests/run-tests.sh

check: deps
	$(MAKE) --no-print-directory BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit tenantop tenantop-sim
	@BUILD=build-san UNIT_ONLY=1 ASAN_OPTIONS=detect_leaks=1 sh tests/run-tests.sh

# libFuzzer harnesses (clang), each run FUZZ_SECONDS over the committed
# corpus; new inputs go to build-fuzz/, crashes to build-fuzz/crash-*.
FUZZ_SECONDS ?= 30
FUZZERS := procnet netlink config record
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz: deps
	@command -v clang >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq clang >/dev/null; } || \
	  { echo "clang is missing (apt-get install clang)" >&2; exit 1; }
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" build-fuzz/libtenantop.a
	@set -e; for f in $(FUZZERS); do \
	  clang $(ALL_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o build-fuzz/fuzz_$$f \
	    tests/fuzz/fuzz_$$f.c build-fuzz/libtenantop.a $(LDLIBS); done
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p build-fuzz/corpus-$$f; echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/crash-$$f- \
	    build-fuzz/corpus-$$f tests/fuzz/corpus/$$f 2>&1 | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' ; \
	  if ls build-fuzz/crash-$$f-* >/dev/null 2>&1; then echo "fuzz $$f: crash, see build-fuzz/" >&2; exit 1; fi; \
	done; echo "fuzz: no crash"

# A long run under AddressSanitizer with churn: RSS sampled, leaks checked.
SOAK_SECONDS ?= 600
soak: deps
	@$(MAKE) --no-print-directory BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" build-san/tenantop build-san/tenantop-sim
	@BUILD=build-san SOAK_SECONDS=$(SOAK_SECONDS) sh tests/soak.sh

install: all
	@$(MAKE) --no-print-directory install-files

# What `make install` and the Debian package install, from binaries already built.
install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 tenantop $(DESTDIR)$(BINDIR)/tenantop
	install -m 0755 tenantop-sim $(DESTDIR)$(BINDIR)/tenantop-sim
	install -m 0644 doc/tenantop.1 doc/tenantop-sim.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 contrib/completion/tenantop.bash $(DESTDIR)$(BASHCOMPDIR)/tenantop
	ln -sf tenantop $(DESTDIR)$(BASHCOMPDIR)/tenantop-sim
	install -m 0644 contrib/completion/_tenantop $(DESTDIR)$(ZSHCOMPDIR)/_tenantop
	sed 's|/usr/bin/tenantop|$(BINDIR)/tenantop|' contrib/tenantop-exporter.service > $(DESTDIR)$(UNITDIR)/tenantop-exporter.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tenantop-exporter.service
	install -m 0644 tenantop.conf.example contrib/prometheus-rules.yml $(DESTDIR)$(DOCDIR)/
	for f in contrib/grafana-dashboard.json contrib/tenantop.schema.json; do \
	  [ ! -f $$f ] || install -m 0644 $$f $(DESTDIR)$(DOCDIR)/; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tenantop $(DESTDIR)$(BINDIR)/tenantop-sim \
	  $(DESTDIR)$(MANDIR)/man1/tenantop.1 $(DESTDIR)$(MANDIR)/man1/tenantop-sim.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/tenantop $(DESTDIR)$(BASHCOMPDIR)/tenantop-sim \
	  $(DESTDIR)$(ZSHCOMPDIR)/_tenantop $(DESTDIR)$(UNITDIR)/tenantop-exporter.service
	rm -rf $(DESTDIR)$(DOCDIR)

# The Debian package, built out of a copy of the tree (tracked and new files)
# in build-deb/, so the worktree stays clean; then lintian on it.
DEB_DIR ?= build-deb
deb: deps
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/tenantop-$(VERSION)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git ls-files -z -co --exclude-standard | tar --null -T - -cf -; \
	else tar --exclude='./build*' --exclude=./tenantop --exclude=./tenantop-sim --exclude='*.o' -cf - .; fi | \
	  tar -C $(DEB_DIR)/tenantop-$(VERSION) -xf -
	cd $(DEB_DIR)/tenantop-$(VERSION) && dpkg-buildpackage -b -us -uc > ../build.log 2>&1 || { tail -40 ../build.log; exit 1; }
	@ls $(DEB_DIR)/*.deb
	lintian --fail-on error $(DEB_DIR)/*.changes

clean:
	rm -rf build build-san build-deb tenantop tenantop-sim

-include mk/*.mk

# Real captures of the dashboard over --demo, rendered to PNG.
screenshots: all
	@missing=""; for p in aha chromium fonts-dejavu-core; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "missing:$$missing" >&2; exit 1; fi; fi
	@BUILD=$(BUILD) sh tests/screenshots.sh
