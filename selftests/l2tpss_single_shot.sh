#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Single-shot tunnels (SPEC.md items 6 and 7): one session in a whole life; a
# second session create fails in l2tp_core with an error its creator sees;
# when the session goes, the tunnel is disconnected at once, whatever the
# idle timeout, and enters destruct.

source "$(dirname "$0")/lib.sh"

NS=ss
L=192.0.2.1

ktap_print_header
ktap_set_plan 24
l2tp_modules_load
module_load
netns_dummy $NS $L/24

ctl -n $NS defaults set single-shot on idle-timeout 3600
tunnel_add $NS 1 1 $L 192.0.2.11
check_eq "a tunnel registering under single-shot defaults is single-shot" \
	"true default" "$(field $NS 1 single_shot) $(field $NS 1 source.single_shot)"

check "its first session is accepted" session_add $NS 1 1 1
err=$(session_add $NS 1 2 2 2>&1)
check "a second session create fails in l2tp_core" test $? -ne 0
check "with an error its creator sees" grep -q "No such device" <<<"$err"
check_eq "l2tp_core has the first session only" 1 \
	"$(ip -n $NS l2tp show session tunnel_id 1 | grep -c '^Session')"
check_eq "and so does the record, which counts the refusal" "1 1 1" \
	"$(field $NS 1 sessions) $(field $NS 1 sessions_total) $(field $NS 1 sessions_refused)"
check_eq "and so do the netns counters" 1 "$(ctl -n $NS stats -j | jq .sessions_refused)"

ip -n $NS l2tp del session tunnel_id 1 session_id 1
# l2tp_core unlists a deleted tunnel from its own work item, a moment later
# (6.1 takes about 40 ms under emulation; the benchmark measures it).
check "removing it disconnects the tunnel at once, idle timeout ignored" \
	wait_for 2 gone $NS 1
check_eq "which enters destruct, reason single-shot" "destructing single-shot" \
	"$(field $NS 1 state) $(field $NS 1 reason)"

# Standard tunnels beside it are not affected.
ctl -n $NS defaults set single-shot off
tunnel_add $NS 2 2 $L 192.0.2.12
session_add $NS 2 1 1
check "a standard tunnel takes a second session" session_add $NS 2 2 2
ip -n $NS l2tp del session tunnel_id 2 session_id 1
ip -n $NS l2tp del session tunnel_id 2 session_id 2
check "and survives losing them" stays $QUIET in_core $NS 2

# single-shot set on a live tunnel that has had its session.
tunnel_add $NS 3 3 $L 192.0.2.13
session_add $NS 3 1 1
ctl -n $NS set tunnel 3 single-shot on
check "single-shot set on a live tunnel refuses further sessions" \
	sh -c "ip -n $NS l2tp add session name x3 tunnel_id 3 session_id 2 peer_session_id 2 2>&1 |
	       grep -q 'No such device'"
ip -n $NS l2tp del session tunnel_id 3 session_id 1
check_eq "and disconnects it when its session goes" "destructing single-shot" \
	"$(field $NS 3 state) $(field $NS 3 reason)"

# ... and one that is idle after its sessions: disconnected there and then.
ctl -n $NS set tunnel 2 single-shot on
check_eq "single-shot set on a tunnel that has had sessions and has none disconnects it" \
	"destructing single-shot" "$(field $NS 2 state) $(field $NS 2 reason)"

# Turned off again, a tunnel takes sessions again.
tunnel_add $NS 4 4 $L 192.0.2.14
ctl -n $NS set tunnel 4 single-shot on
session_add $NS 4 1 1
ctl -n $NS set tunnel 4 single-shot off
check "single-shot off reopens the tunnel to sessions" session_add $NS 4 2 2

# Creates racing each other: exactly one may stay, whichever wins.
sessions_of() {
	ip -n "$1" -j l2tp show session | jq "[.[] | select(.tunnel_id == $2)] | length"
}
one_session() { test "$(sessions_of $NS 5)" -eq 1; }
ctl -n $NS defaults set single-shot on
tunnel_add $NS 5 5 $L 192.0.2.15
for sid in $(seq 1 16); do
	ip -n $NS l2tp add session name "r$sid" tunnel_id 5 session_id "$sid" \
		peer_session_id "$sid" 2>/dev/null &
done
wait
# (A create that slipped in before the first one closed the tunnel is
# deleted by a work item: the count falls to one, then stays there.)
check "16 concurrent session creates leave exactly one" wait_for 5 one_session
check "and it stays the only one" stays $QUIET one_session
check_eq "the record agrees, and counts 15 refused" "1 1 15" \
	"$(field $NS 5 sessions) $(field $NS 5 sessions_total) $(field $NS 5 sessions_refused)"

# L2TPv2 over PPPoL2TP, as xl2tpd makes the tunnel and pppd its sessions:
# the second session's connect fails with the error pppd would see. (Session
# 0 is the tunnel's own socket, not a session.)
modprobe -a l2tp_ppp ppp_generic
TMP=$(mktemp -d)
mkfifo "$TMP/in"
ip netns exec $NS "$L2TPSS_BIN/pppol2tp" $L 1750 192.0.2.50 1701 40 41 \
	<"$TMP/in" >"$TMP/out" 2>&1 &
exec {ppp}>"$TMP/in"
said() { grep -qx "$1" "$TMP/out"; }
check "a PPPoL2TP tunnel registers single-shot" \
	wait_for 5 said "tunnel ok"
echo "session 1" >&$ppp
check "its first PPP session connects" wait_for 5 said "session 1 ok"
echo "session 2" >&$ppp
check "a second PPP session's connect fails with ENODEV" \
	wait_for 5 sh -c "grep -q '^session 2 error ENODEV' $TMP/out"
check_eq "l2tp_core has the first one only; the record counts the refusal" \
	"1 2 true 1 1" \
	"$(ip -n $NS -j l2tp show session | jq '[.[] | select(.tunnel_id == 40 and .session_id != 0)] | length') \
$(field $NS 40 version) $(field $NS 40 single_shot) $(field $NS 40 sessions) \
$(field $NS 40 sessions_refused)"
echo "close 1" >&$ppp
check "closing the PPP session disconnects the tunnel" wait_for 2 gone $NS 40
check_eq "reason single-shot" "destructing single-shot" \
	"$(field $NS 40 state) $(field $NS 40 reason)"
exec {ppp}>&-
wait
rm -rf "$TMP"

ktap_finished
