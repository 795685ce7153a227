#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real daemons in the test VM, sourced after lib.sh: each "side" is a netns
# of that name with a mount namespace of its own (a private /run, so that
# daemons keep their usual pid files and control sockets), its files in
# $TMP/SIDE; strongSwan's charon through starter (stroke). The caller sets
# TMP and kills every process of its netns on exit.

declare -A HOLDER

# on SIDE CMD...: run CMD in SIDE's netns and mount namespace.
on() {
	local side=$1

	shift
	nsenter -t "${HOLDER[$side]}" -m -n -- "$@"
}

# side_start SIDE: a mount namespace with a private /run for SIDE's
# daemons (pid files and control sockets at their usual paths).
side_start() {
	mkdir -p "$TMP/$1"
	ip netns exec "$1" unshare -m --propagation private \
		sh -c 'mount -t tmpfs none /run && mkdir -p /run/lock && exec sleep 100000' &
	HOLDER[$1]=$!
	disown
	wait_for 5 sh -c "grep -q ' /run tmpfs' /proc/${HOLDER[$1]}/mounts"
}

# strongswan SIDE LEFT RIGHT [LEFTPROTO RIGHTPROTO]: charon through
# starter, IKEv1 with a pre-shared key, transport mode for L2TP (UDP/1701
# by default), as Windows and macOS clients use it. The LNS (RIGHT %any)
# takes clients from any port; the client, from any of its ports to the
# LNS's 1701. STRONGSWAN_REKEY=yes: the CHILD_SA and IKE SA rekey as by
# default (pluto expires at once an IKE SA proposed with rekey=no's
# lifetime).
strongswan() {
	local d=$TMP/$1 right=$3 leftproto=17/1701 rightproto=17/%any

	[ "$right" != %any ] && leftproto=17/%any rightproto=17/1701
	[ -n "$4" ] && leftproto=$4 rightproto=$5
	cat >"$d/strongswan.conf" <<-END
	charon {
		load = random nonce aes sha1 sha2 hmac gmp kdf pem pkcs1 x509 pubkey openssl kernel-netlink socket-default stroke updown
		install_routes = no
		plugins {
			stroke {
				secrets_file = $d/ipsec.secrets
			}
		}
		filelog {
			charon {
				path = $d/charon.log
				default = 1
				flush_line = yes
			}
		}
	}
	starter {
		config_file = $d/ipsec.conf
	}
	END
	# (Its parameters must be indented: no <<- here.)
	{
		echo "conn l2tp"
		printf '\t%s\n' keyexchange=ikev1 authby=secret type=transport \
			"left=$2" "leftprotoport=$leftproto" "right=$right" \
			"rightprotoport=$rightproto" ike=aes128-sha256-modp2048! \
			esp=aes128-sha256! "rekey=${STRONGSWAN_REKEY:-no}" auto=add
	} >"$d/ipsec.conf"
	echo ": PSK \"l2tpss-selftest\"" >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
	STRONGSWAN_CONF=$d/strongswan.conf on "$1" /usr/lib/ipsec/starter --nofork \
		>"$d/starter.log" 2>&1 &
	wait_for 10 on "$1" test -S /run/charon.ctl ||
		ktap_print_msg "$1: charon did not start: $(cat "$d/starter.log")"
}

stroke() { STRONGSWAN_CONF=$TMP/$1/strongswan.conf on "$1" /usr/lib/ipsec/stroke "${@:2}"; }

# libreswan SIDE LEFT: pluto (libreswan, Debian's package unpacked into
# $L2TPSS_LIBRESWAN, as it conflicts with strongSwan's) as the LNS: IKEv1
# with the pre-shared key, transport mode for UDP/1701 from any client
# port, as strongswan's LNS. pluto runs /usr/libexec/ipsec/addconn, which
# an overlay in SIDE's mount namespace provides; its NSS database, secrets
# and log are in $TMP/SIDE, its control socket in SIDE's /run/pluto.
libreswan() {
	local d=$TMP/$1 root=${L2TPSS_LIBRESWAN:-}

	[ -x "$root/usr/libexec/ipsec/pluto" ] || return 1
	on "$1" mount -t overlay overlay \
		-o "lowerdir=$root/usr/libexec:/usr/libexec" /usr/libexec || return 1
	mkdir -p "$d/nss"
	certutil -N -d "sql:$d/nss" --empty-password || return 1
	# 4.10 refuses IKEv1 unless told; no PFS, as Windows clients propose
	# none; an updown of its own (the default one would find strongSwan's).
	{
		echo "config setup"
		printf '\t%s\n' ikev1-policy=accept "logfile=$d/pluto.log" \
			plutodebug=none
		echo "conn l2tp"
		printf '\t%s\n' ikev2=no authby=secret type=transport \
			"left=$2" leftprotoport=17/1701 right=%any \
			rightprotoport=17/%any ike=aes128-sha2_256-modp2048 \
			esp=aes128-sha2_256 pfs=no leftupdown=/bin/true auto=add
	} >"$d/ipsec.conf"
	echo "%any %any : PSK \"l2tpss-selftest\"" >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
	on "$1" "$root/usr/libexec/ipsec/pluto" --nofork --config "$d/ipsec.conf" \
		--secretsfile "$d/ipsec.secrets" --nssdir "$d/nss" \
		--rundir /run/pluto >"$d/pluto.out" 2>&1 &
	wait_for 10 on "$1" test -S /run/pluto/pluto.ctl &&
		wait_for 10 sh -c "grep -q 'added IKEv1 connection' $d/pluto.log" || {
		ktap_print_msg "$1: pluto did not start: $(tail -n 5 "$d/pluto.out" "$d/pluto.log")"
		return 1
	}
}
