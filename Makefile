# SPDX-License-Identifier: GPL-2.0
#
# make              module for the running kernel, and the CLI
# make module       the module only (KDIR=, L2TP_SRC=, MODULE_OUT=)
# make cli          tools/l2tpss-ctl
# make check        everything, in VMs on every kernel of the matrix
# make install      module into /lib/modules, CLI into $(PREFIX)/sbin

VERSION := $(shell cat $(CURDIR)/VERSION)
L2TPSS_CACHE ?= $(HOME)/.cache/l2tpss

# The kernel to build for: its headers (build dir) ...
KDIR ?= /lib/modules/$(shell uname -r)/build
# ... and the net/l2tp directory of its source, for the internal l2tp_core.h.
KERNEL_XY = $(shell sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' \
		$(KDIR)/include/config/kernel.release 2>/dev/null)
L2TP_SRC ?= $(firstword $(wildcard \
		$(L2TPSS_CACHE)/src/$(KERNEL_XY)/net/l2tp/l2tp_core.h \
		/usr/src/linux-source-$(KERNEL_XY)/net/l2tp/l2tp_core.h \
		$(KDIR)/source/net/l2tp/l2tp_core.h))
L2TP_SRC_DIR = $(patsubst %/,%,$(dir $(L2TP_SRC)))

# Where the module is built; a directory per kernel keeps builds apart.
MODULE_OUT ?= $(CURDIR)
MODULE_SOURCES := Kbuild $(wildcard kmod/*.[ch] kmod/uapi/linux/*.h)

PREFIX ?= /usr/local

.PHONY: all module cli check install clean

all: module cli

module:
	@test -f "$(KDIR)/Makefile" || { echo "error: no kernel build dir at KDIR=$(KDIR)" \
		"(Debian: apt install linux-headers-$$(uname -r), or pass KDIR=)" >&2; exit 1; }
	@test -n "$(L2TP_SRC)" || { echo "error: l2tp_core.h of kernel $(KERNEL_XY) not found;" \
		"pass L2TP_SRC=<linux source>/net/l2tp (Debian: apt install linux-source-$(KERNEL_XY)," \
		"then tar -xf /usr/src/linux-source-$(KERNEL_XY).tar.xz linux-source-$(KERNEL_XY)/net/l2tp)" >&2; exit 1; }
ifneq ($(MODULE_OUT),$(CURDIR))
	@mkdir -p $(MODULE_OUT)
	@tar -cf - $(MODULE_SOURCES) VERSION | tar -C $(MODULE_OUT) -xf -
endif
	$(MAKE) -C $(KDIR) M=$(abspath $(MODULE_OUT)) L2TP_SRC=$(abspath $(L2TP_SRC_DIR)) \
		L2TPSS_VERSION=$(VERSION) modules

cli:
	$(MAKE) -C tools L2TPSS_VERSION=$(VERSION)

check:
	selftests/check.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) L2TP_SRC=$(abspath $(L2TP_SRC_DIR)) \
		L2TPSS_VERSION=$(VERSION) modules_install
	depmod -a $(shell sed -n 's/.*"\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
	install -D -m 0755 tools/l2tpss-ctl $(DESTDIR)$(PREFIX)/sbin/l2tpss-ctl

clean:
	rm -rf build
	$(MAKE) -C tools clean
	rm -f kmod/*.o kmod/.*.cmd kmod/*.mod kmod/*.mod.c kmod/*.ko \
		.*.cmd Module.symvers modules.order kmod/modules.order
