#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every attribute check of the netlink family (nlpolicy.c), in a netns of
# its own so that its settings touch nothing else.

source "$(dirname "$0")/lib.sh"

l2tp_modules_load
module_load
netns_add nlp
ip netns exec nlp "$L2TPSS_BIN/nlpolicy"
