#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2tpss_e2e.sh's scenarios with libreswan's pluto as the LNS's IKE daemon
# (xl2tpd and pppd as the L2TP daemon; the client stays strongSwan).
E2E_IKE=libreswan exec "$(dirname "$0")/l2tpss_e2e.sh"
