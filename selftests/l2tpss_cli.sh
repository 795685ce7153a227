#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2tpss-ctl's errors: each gives one clear line on stderr and a non-zero
# exit; range errors carry the kernel's extack text and the valid range.
# Also the netns defaults (show and set) through the CLI.

source "$(dirname "$0")/lib.sh"

# expect_error CODE PATTERN CMD...: CMD exits CODE with one stderr line
# matching PATTERN, and prints nothing on stdout.
expect_error() {
	local code=$1 pattern=$2 out err rc
	shift 2

	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	out=$("$@" 2>/dev/null)
	if [ $rc -ne "$code" ] || [ -n "$out" ] ||
	   [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -Eq -- "$pattern" <<<"$err"; then
		echo "exit $rc (want $code), stderr: $err, stdout: $out"
		return 1
	fi
}

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

ktap_print_header
ktap_set_plan 31
l2tp_modules_load

check "module not loaded" expect_error 1 \
	'^l2tpss-ctl: the l2tpss module is not loaded' ctl show
module_load
netns_add cli-a

check "unknown object" expect_error 2 '^l2tpss-ctl: unknown object "bogus"' \
	ctl bogus
check "unknown keyword" expect_error 2 '^l2tpss-ctl: unknown keyword "bogus"' \
	ctl defaults set bogus 1
check "bad number" expect_error 2 'idle-timeout: "12x" is not a number' \
	ctl defaults set idle-timeout 12x
check "bad on/off" expect_error 2 'single-shot: expected on or off, not "yes"' \
	ctl defaults set single-shot yes
check "missing value" expect_error 2 'destruct-timeout: missing value' \
	ctl defaults set destruct-timeout
check "unknown tunnel" expect_error 1 \
	'^l2tpss-ctl: show: tunnel 4242: no such tunnel$' ctl -n cli-a show tunnel 4242
check "idle-timeout above range (kernel check)" expect_error 1 \
	'^l2tpss-ctl: defaults set: idle-timeout 86401: integer out of range, valid 0..86400$' \
	ctl -n cli-a defaults set idle-timeout 86401
check "destruct-timeout below range (kernel check)" expect_error 1 \
	'^l2tpss-ctl: defaults set: destruct-timeout 9: integer out of range, valid 10..3600$' \
	ctl -n cli-a defaults set destruct-timeout 9
check "destruct-timeout above range (kernel check)" expect_error 1 \
	'destruct-timeout 3601: integer out of range, valid 10..3600$' \
	ctl -n cli-a defaults set destruct-timeout 3601
check "missing privilege" expect_error 1 \
	'^l2tpss-ctl: defaults set: Operation not permitted \(needs CAP_NET_ADMIN' \
	nobody "$L2TPSS_CTL" defaults set idle-timeout 5
check "unknown netns" expect_error 1 'cannot open network namespace "nope"' \
	ctl -n nope show

check "set: unknown tunnel" expect_error 1 \
	'^l2tpss-ctl: set: tunnel 4242: no such connected tunnel$' \
	ctl -n cli-a set tunnel 4242 idle-timeout 5
check "set: nothing to set" expect_error 2 '^l2tpss-ctl: usage: set tunnel ID' \
	ctl -n cli-a set tunnel 1
check "disconnect: unknown tunnel" expect_error 1 \
	'^l2tpss-ctl: disconnect: tunnel 4242: no such connected tunnel$' \
	ctl -n cli-a disconnect tunnel 4242
check "profile add: peer missing" expect_error 2 'peer PREFIX is required' \
	ctl -n cli-a profile add p idle-timeout 5
check "profile add: bad prefix" expect_error 2 'peer: "192.0.2.0/33"|prefix length 33 is too long' \
	ctl -n cli-a profile add p peer 192.0.2.0/33
check "profile add: bad address" expect_error 2 'local: "x" is not an IPv4 or IPv6 address' \
	ctl -n cli-a profile add p peer 192.0.2.0/24 local x
ctl -n cli-a profile add p peer 192.0.2.0/24
check "profile add: name taken" expect_error 1 \
	'^l2tpss-ctl: profile add: a profile of that name exists$' \
	ctl -n cli-a profile add p peer 198.51.100.0/24
check "profile add: out of range (kernel check)" expect_error 1 \
	'^l2tpss-ctl: profile add: destruct-timeout 1: integer out of range, valid 10..3600$' \
	ctl -n cli-a profile add q peer 198.51.100.0/24 destruct-timeout 1
check "profile del: unknown profile" expect_error 1 \
	'^l2tpss-ctl: profile del: profile nope: no such profile$' \
	ctl -n cli-a profile del nope
check "stats: unknown keyword" expect_error 2 'unknown keyword "clear" after stats' \
	ctl stats clear
check "missing privilege: stats reset" expect_error 1 'Operation not permitted' \
	nobody "$L2TPSS_CTL" stats reset
# Reads need the capability too, as ip l2tp and ip xfrm state do.
check "missing privilege: show" expect_error 1 \
	'^l2tpss-ctl: show: Operation not permitted \(needs CAP_NET_ADMIN' \
	nobody "$L2TPSS_CTL" show
check "missing privilege: conn show" expect_error 1 \
	'^l2tpss-ctl: conn show: Operation not permitted \(needs CAP_NET_ADMIN' \
	nobody "$L2TPSS_CTL" -j conn show
check "missing privilege: monitor" expect_error 1 \
	'^l2tpss-ctl: monitor: cannot join the events group: Operation not permitted \(needs CAP_NET_ADMIN' \
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$L2TPSS_CTL" monitor
check "as is ip l2tp show for that user" \
	sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ip l2tp show tunnel 2>&1 |
	       grep -q 'Operation not permitted'"

check_eq "defaults start as SPEC.md says" \
	'{"single_shot":false,"idle_timeout":60,"destruct_timeout":600,"require_ipsec":false,"max_records":65536}' \
	"$(ctl -n cli-a -j defaults show)"
ctl -n cli-a defaults set idle-timeout 0 destruct-timeout 10 single-shot on
check_eq "defaults set changes only what it names; bounds are valid" \
	'{"single_shot":true,"idle_timeout":0,"destruct_timeout":10,"require_ipsec":false,"max_records":65536}' \
	"$(ctl -n cli-a -j defaults)"
check_eq "a rejected set changes nothing" \
	'{"single_shot":true,"idle_timeout":0,"destruct_timeout":10,"require_ipsec":false,"max_records":65536}' \
	"$(ctl -n cli-a defaults set require-ipsec on idle-timeout 86401 2>/dev/null
	   ctl -n cli-a -j defaults)"
check_eq "defaults are per netns" \
	'{"single_shot":false,"idle_timeout":60,"destruct_timeout":600,"require_ipsec":false,"max_records":65536}' \
	"$(ctl -j defaults)"

ktap_finished
