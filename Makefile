# SPDX-License-Identifier: GPL-2.0
#
# make              module for the running kernel, and the CLI
# make module       the module only (KDIR=, L2TP_SRC=, MODULE_OUT=)
# make cli          tools/l2tpss-ctl
# make check        everything, in VMs on every kernel of the matrix
# make check-debug  the selftests on a KASAN/lockdep/kmemleak/UBSAN kernel,
#                   built here once, with a 10-minute stress and 1M fuzzed messages
# make demo         set up, build, and show the module at work in a VM
# make bench        the benchmark, in a VM per kernel of the matrix
# make fuzz         libFuzzer on the L2TP parser for FUZZ_SECONDS (600)
# make install      module into /lib/modules, CLI into $(PREFIX)/sbin, with
#                   its man pages, completion, systemd units, example config
# make install-cli  the same without the module

VERSION := $(shell cat $(CURDIR)/VERSION)
L2TPSS_CACHE ?= $(HOME)/.cache/l2tpss

# The kernel to build for: its headers (build dir) ...
KDIR ?= /lib/modules/$(shell uname -r)/build
# ... and the net/l2tp directory of its source, for the internal l2tp_core.h.
KERNEL_XY = $(shell sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' \
		$(KDIR)/include/config/kernel.release 2>/dev/null)
L2TP_SRC ?= $(patsubst %/l2tp_core.h,%,$(firstword $(wildcard \
		$(L2TPSS_CACHE)/src/$(KERNEL_XY)/net/l2tp/l2tp_core.h \
		/usr/src/linux-source-$(KERNEL_XY)/net/l2tp/l2tp_core.h \
		$(KDIR)/source/net/l2tp/l2tp_core.h)))

# Where the module is built; a directory per kernel keeps builds apart.
MODULE_OUT ?= $(CURDIR)
MODULE_SOURCES := Kbuild kmod/Kbuild $(wildcard kmod/*.[ch] kmod/uapi/linux/*.h)

PREFIX ?= /usr/local

.PHONY: all module cli check check-debug demo bench fuzz install install-cli clean

all: module cli

module:
	@test -f "$(KDIR)/Makefile" || { echo "error: no kernel build dir at KDIR=$(KDIR)" \
		"(Debian: apt install linux-headers-$$(uname -r), or pass KDIR=)" >&2; exit 1; }
	@test -f "$(L2TP_SRC)/l2tp_core.h" || { echo "error: l2tp_core.h of kernel $(KERNEL_XY) not found;" \
		"pass L2TP_SRC=<linux source>/net/l2tp (Debian: apt install linux-source-$(KERNEL_XY)," \
		"then tar -xf /usr/src/linux-source-$(KERNEL_XY).tar.xz linux-source-$(KERNEL_XY)/net/l2tp)" >&2; exit 1; }
ifneq ($(MODULE_OUT),$(CURDIR))
	@mkdir -p $(MODULE_OUT)
	@tar -cf - $(MODULE_SOURCES) VERSION | tar -C $(MODULE_OUT) -xf -
endif
	$(MAKE) -C $(KDIR) M=$(abspath $(MODULE_OUT)) L2TP_SRC=$(abspath $(L2TP_SRC)) \
		L2TPSS_VERSION=$(VERSION) modules

cli:
	$(MAKE) -C tools L2TPSS_VERSION=$(VERSION)

check:
	selftests/check.sh

# STRESS_SECONDS=, FUZZ_COUNT=, LOAD_CYCLES= and DEBUG_TESTS= (a list of
# selftests) give a shorter form (.ci/run uses one).
STRESS_SECONDS ?= 600
FUZZ_COUNT ?= 1000000
LOAD_CYCLES ?= 20
DEBUG_TESTS ?=
check-debug:
	L2TPSS_KERNELS=debug L2TPSS_STRESS_SECONDS=$(STRESS_SECONDS) \
	L2TPSS_NLFUZZ_COUNT=$(FUZZ_COUNT) L2TPSS_LOAD_CYCLES=$(LOAD_CYCLES) \
	L2TPSS_TIME_SCALE=4 KSFT_TIMEOUT=2400 L2TPSS_VM_TIMEOUT=7200 \
	selftests/check.sh $(DEBUG_TESTS)

FUZZ_SECONDS ?= 600
fuzz:
	$(MAKE) -C selftests/parse fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) OUT=$(CURDIR)/build/parse

KERNELS = $(shell awk '$$1 !~ /^\#/ && NF { print $$1 }' selftests/vm/kernels)
bench:
	selftests/vm/setup.sh $(KERNELS)
	set -e; for k in $(KERNELS); do \
		. $(L2TPSS_CACHE)/kernels/$$k.env; \
		$(MAKE) -s module KDIR=$$KDIR L2TP_SRC=$$L2TP_SRC MODULE_OUT=build/$$k; \
	done
	. $(L2TPSS_CACHE)/kernels/$(lastword $(KERNELS)).env && \
	$(MAKE) -s -C selftests KSELFTEST_DIR=$$KSELFTEST_DIR
	$(MAKE) -s cli
	for k in $(KERNELS); do selftests/vm/run.sh -k $$k -- selftests/bench/run.sh $$k; done

# The newest kernel of the matrix, or DEMO_KERNEL=.
DEMO_KERNEL ?= $(lastword $(KERNELS))
demo:
	selftests/vm/setup.sh $(DEMO_KERNEL)
	. $(L2TPSS_CACHE)/kernels/$(DEMO_KERNEL).env && \
	$(MAKE) module KDIR=$$KDIR L2TP_SRC=$$L2TP_SRC MODULE_OUT=build/$(DEMO_KERNEL)
	$(MAKE) cli
	selftests/vm/run.sh -k $(DEMO_KERNEL) -- selftests/demo.sh $(DEMO_KERNEL)

install: all install-cli
	$(MAKE) -C $(KDIR) M=$(CURDIR) L2TP_SRC=$(abspath $(L2TP_SRC)) \
		L2TPSS_VERSION=$(VERSION) modules_install
	depmod -a $(shell sed -n 's/.*"\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

# The CLI, its man pages, bash completion, the systemd units and, if there
# is none yet, the example /etc/l2tpss/l2tpss.conf (never overwritten).
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONSDIR ?= $(PREFIX)/share/bash-completion/completions
UNITS := l2tpss.service l2tpss-prometheus.service
install-cli: cli $(addprefix build/dist/,$(UNITS))
	install -D -m 0755 tools/l2tpss-ctl $(DESTDIR)$(PREFIX)/sbin/l2tpss-ctl
	install -D -m 0644 tools/l2tpss-ctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/l2tpss-ctl.8
	install -D -m 0644 tools/l2tpss.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/l2tpss.conf.5
	install -D -m 0644 dist/l2tpss-ctl.bash-completion $(DESTDIR)$(COMPLETIONSDIR)/l2tpss-ctl
	install -D -m 0644 -t $(DESTDIR)$(UNITDIR) $(addprefix build/dist/,$(UNITS)) \
		dist/l2tpss-prometheus.timer
	test -e $(DESTDIR)$(SYSCONFDIR)/l2tpss/l2tpss.conf || \
		install -D -m 0644 dist/l2tpss.conf $(DESTDIR)$(SYSCONFDIR)/l2tpss/l2tpss.conf

build/dist/%.service: dist/%.service.in
	@mkdir -p $(@D)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $< > $@

clean:
	rm -rf build
	$(MAKE) -C tools clean
	rm -f kmod/*.o kmod/.*.cmd kmod/*.mod kmod/*.mod.c kmod/*.ko \
		.*.cmd Module.symvers modules.order kmod/modules.order
