#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writes need CAP_NET_ADMIN over the netns (perm.c checks every command).

source "$(dirname "$0")/lib.sh"

l2tp_modules_load
module_load
"$L2TPSS_BIN/perm"
