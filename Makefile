# SPDX-License-Identifier: GPL-2.0
#
# make              module for the running kernel, and the CLI
# make module       the module only (KDIR=, L2TP_SRC=, MODULE_OUT=)
# make cli          tools/l2tpss-ctl
# make check        everything, in VMs on every kernel of the matrix
# make check-debug  the selftests on a KASAN/lockdep/kmemleak/UBSAN kernel,
#                   built here once, with a 10-minute stress and 1M fuzzed messages
# make demo         set up, build, and show the module at work in a VM
# make bench        the benchmark (selftests/bench/): per-packet cost, memory,
#                   dumps and teardown delays in VMs of each kernel of the
#                   matrix, the parser on the host; report, JSON and plot
#                   in build/bench/ (BENCH_OUT=)
# make fuzz         libFuzzer on the L2TP parser for FUZZ_SECONDS (600)
# make uapi         kmod/uapi/linux/l2tpss.h from the YNL spec
#                   (Documentation/netlink/specs/l2tpss.yaml)
# make install      module into /lib/modules, CLI into $(PREFIX)/sbin, with
#                   its man pages, completion, systemd units, example config
# make install-cli  the same without the module
# make dkms-install  the module's source into /usr/src, built and installed
#                   by DKMS for every kernel from now on
# make deb          Debian packages l2tpss-dkms and l2tpss into build/deb/,
#                   checked by lintian

VERSION := $(shell cat $(CURDIR)/VERSION)
L2TPSS_CACHE ?= $(HOME)/.cache/l2tpss
BENCH_OUT ?= build/bench
# Tunnels of the scale part. 6.12's l2tp_core takes time linear in their
# number to create one (0.9 ms at 6,000, 2 ms at 14,000, emulated), so
# 100,000 would take over half an hour there. 7.2, whose l2tp_core keeps
# that code, is given 6.12's number too (not measured there yet).
BENCH_TUNNELS ?= 100000
BENCH_TUNNELS_6.12 ?= 20000

# The kernel to build for: its headers (build dir).
KDIR ?= /lib/modules/$(shell uname -r)/build
# l2tp_core.h is internal and not in the headers: kmod/l2tp/X.Y/ has the one
# of each supported series; L2TP_SRC= (a source tree's net/l2tp) for another.
L2TP_SRC ?=
# The layout of l2tp_core.h is checked against the target kernel's BTF (see
# kmod/btf-layout.sh): L2TPSS_BTF_L2TP= and L2TPSS_BTF_BASE= name it for a
# kernel that is neither running nor installed; L2TPSS_BTF_CHECK=0 skips
# the check (the module still checks at load).
L2TPSS_BTF_L2TP ?=
L2TPSS_BTF_BASE ?=
L2TPSS_BTF_CHECK ?=
MODULE_ARGS = L2TPSS_VERSION=$(VERSION) \
	$(if $(L2TP_SRC),L2TP_SRC=$(abspath $(L2TP_SRC))) \
	$(if $(L2TPSS_BTF_L2TP),L2TPSS_BTF_L2TP=$(abspath $(L2TPSS_BTF_L2TP))) \
	$(if $(L2TPSS_BTF_BASE),L2TPSS_BTF_BASE=$(abspath $(L2TPSS_BTF_BASE))) \
	$(if $(L2TPSS_BTF_CHECK),L2TPSS_BTF_CHECK=$(L2TPSS_BTF_CHECK))

# Where the module is built; a directory per kernel keeps builds apart.
MODULE_OUT ?= $(CURDIR)
MODULE_SOURCES := Kbuild kmod/Kbuild kmod/btf-layout.sh kmod/layout.fields \
	$(filter-out kmod/layout-btf.h kmod/%.mod.c,$(wildcard kmod/*.[ch] \
		kmod/uapi/linux/*.h kmod/l2tp/*/l2tp_core.h))

PREFIX ?= /usr/local

.PHONY: all module cli check check-debug demo bench fuzz uapi install install-cli \
	dkms-src dkms-install deb clean

all: module cli

module:
	@test -f "$(KDIR)/Makefile" || { echo "error: no kernel build dir at KDIR=$(KDIR)" \
		"(Debian: apt install linux-headers-$$(uname -r), or pass KDIR=)" >&2; exit 1; }
ifneq ($(MODULE_OUT),$(CURDIR))
	@mkdir -p $(MODULE_OUT)
	@tar -cf - $(MODULE_SOURCES) VERSION | tar -C $(MODULE_OUT) -xf -
endif
	$(MAKE) -C $(KDIR) M=$(abspath $(MODULE_OUT)) $(MODULE_ARGS) modules

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

uapi:
	scripts/ynl-regen.sh

FUZZ_SECONDS ?= 600
fuzz:
	$(MAKE) -C selftests/parse fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) OUT=$(CURDIR)/build/parse

# For a kernel of the cache (its .env sourced): the BTF of its l2tp_core,
# and the chroot a kernel of another suite is built in (selftests/vm/kernels).
CACHED_BTF = L2TPSS_BTF_BASE=$$VMLINUX \
	L2TPSS_BTF_L2TP=$$(ls $$MODDIR/kernel/net/l2tp/l2tp_core.ko* | head -1)
IN_KCHROOT = $${KCHROOT:+selftests/vm/chroot.sh $$KCHROOT}
KERNELS = $(shell awk '$$1 !~ /^\#/ && NF { print $$1 }' selftests/vm/kernels)
# The newest kernel of the host's own suite (its kselftest headers).
HOST_KERNEL = $(shell awk '$$1 !~ /^\#/ && NF == 3 { k = $$1 } END { print k }' selftests/vm/kernels)
bench:
	L2TPSS_BENCH=1 selftests/vm/setup.sh $(KERNELS)
	set -e; for k in $(KERNELS); do \
		. $(L2TPSS_CACHE)/kernels/$$k.env; \
		$(IN_KCHROOT) $(MAKE) -s module KDIR=$$KDIR MODULE_OUT=build/$$k $(CACHED_BTF); \
	done
	. $(L2TPSS_CACHE)/kernels/$(HOST_KERNEL).env && \
	$(MAKE) -s -C selftests KSELFTEST_DIR=$$KSELFTEST_DIR
	$(MAKE) -s cli
	mkdir -p $(BENCH_OUT)
	selftests/bench/host-parse.sh $(BENCH_OUT)/parse.json
	set -e; for k in $(KERNELS); do \
		n=$(BENCH_TUNNELS); [ $$k = 6.1 ] || n=$(BENCH_TUNNELS_6.12); \
		echo "bench: $$k, cost (instruction-counting VM), $$n tunnels"; \
		L2TPSS_BENCH_TUNNELS=$$n selftests/vm/run.sh -c -m 2048 -t 3600 \
			-k $$k -- selftests/bench/cost.sh $$k \
			>$(BENCH_OUT)/cost-$$k.txt; \
		echo "bench: $$k, delays and dumps (wall-clock VM)"; \
		L2TPSS_BENCH_TUNNELS=$$n selftests/vm/run.sh -m 2048 -t 3600 \
			-k $$k -- selftests/bench/latency.sh $$k \
			>$(BENCH_OUT)/latency-$$k.txt; \
	done
	/usr/bin/python3 selftests/bench/report.py $(BENCH_OUT)

# The newest kernel of the matrix, or DEMO_KERNEL=.
DEMO_KERNEL ?= $(lastword $(KERNELS))
demo:
	selftests/vm/setup.sh $(DEMO_KERNEL)
	. $(L2TPSS_CACHE)/kernels/$(DEMO_KERNEL).env && \
	$(IN_KCHROOT) $(MAKE) module KDIR=$$KDIR MODULE_OUT=build/$(DEMO_KERNEL) $(CACHED_BTF)
	$(MAKE) cli
	selftests/vm/run.sh -k $(DEMO_KERNEL) -- selftests/demo.sh $(DEMO_KERNEL)

install: all install-cli
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(MODULE_ARGS) modules_install
	depmod -a $(shell sed -n 's/.*"\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

# The CLI, its man pages, bash completion, the systemd units and, if there
# is none yet, the example /etc/l2tpss/l2tpss.conf (never overwritten).
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONSDIR ?= $(PREFIX)/share/bash-completion/completions
UNITS := l2tpss.service l2tpss-prometheus.service
install-cli: cli
	install -D -m 0755 tools/l2tpss-ctl $(DESTDIR)$(PREFIX)/sbin/l2tpss-ctl
	install -D -m 0644 tools/l2tpss-ctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/l2tpss-ctl.8
	install -D -m 0644 tools/l2tpss.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/l2tpss.conf.5
	install -D -m 0644 dist/l2tpss-ctl.bash-completion $(DESTDIR)$(COMPLETIONSDIR)/l2tpss-ctl
	install -D -m 0644 dist/l2tpss-prometheus.timer $(DESTDIR)$(UNITDIR)/l2tpss-prometheus.timer
	for u in $(UNITS); do \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' dist/$$u.in >$(DESTDIR)$(UNITDIR)/$$u || exit; \
	done
	test -e $(DESTDIR)$(SYSCONFDIR)/l2tpss/l2tpss.conf || \
		install -D -m 0644 dist/l2tpss.conf $(DESTDIR)$(SYSCONFDIR)/l2tpss/l2tpss.conf

# DKMS: the module's source tree as /usr/src/l2tpss-VERSION (DESTDIR= for a
# package), then dkms add, build and install for the running kernel.
DKMS_SRC = /usr/src/l2tpss-$(VERSION)
dkms-src:
	install -d $(DESTDIR)$(DKMS_SRC)
	tar -cf - $(MODULE_SOURCES) VERSION | tar -C $(DESTDIR)$(DKMS_SRC) -xf -
	sed 's/@VERSION@/$(VERSION)/' dkms.conf.in > $(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install: dkms-src
	dkms add -m l2tpss -v $(VERSION)
	dkms build -m l2tpss -v $(VERSION)
	dkms install -m l2tpss -v $(VERSION)

# The packages, built from a copy of the tree (dpkg-buildpackage writes
# next to it: the files git tracks, or outside git all but build/ and
# what an in-tree build leaves), then lintian on them; debian/ says what
# goes where.
DEB_DIR = build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/l2tpss-$(VERSION)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z | tar --null -T - -cf -; \
	else \
		tar --exclude=./build --exclude=./.git --exclude='*.o' \
			--exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
			--exclude=./kmod/layout-btf.h --exclude=./tools/l2tpss-ctl -cf - .; \
	fi | tar -C $(DEB_DIR)/l2tpss-$(VERSION) -xf -
	cd $(DEB_DIR)/l2tpss-$(VERSION) && dpkg-buildpackage -b -us -uc
	lintian --fail-on warning\
		$(DEB_DIR)/l2tpss_$(VERSION)_*.changes

clean:
	rm -rf build
	$(MAKE) -C tools clean
	rm -f kmod/*.o kmod/.*.cmd kmod/*.mod kmod/*.mod.c kmod/*.ko \
		.*.cmd Module.symvers modules.order kmod/modules.order
