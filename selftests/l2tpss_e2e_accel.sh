#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2tpss_e2e.sh's scenarios with accel-ppp as the LNS's L2TP daemon (its
# own PPP and CHAP; strongSwan for IPsec; the client stays xl2tpd + pppd).
E2E_LNS=accel-ppp exec "$(dirname "$0")/l2tpss_e2e.sh"
