#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What an operator installs, checked on the host where the module is not
# loaded: --help and -V, a batch file's checking pass (every mistake found,
# with its line, before anything needs the kernel), bash completion of the
# static words, the systemd units (systemd-analyze verify), the man pages
# (man --warnings) and make install-cli into a staging directory.

cd "$(dirname "$0")/../.." || exit 1
CTL=${L2TPSS_CTL:-tools/l2tpss-ctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=lib.bash
source selftests/host/lib.bash

# batch_error CODE PATTERN TEXT: -b of TEXT exits CODE with one stderr line
# matching PATTERN, which says nothing was applied.
batch_error() {
	local code=$1 pattern=$2 err rc
	printf '%b' "$3" >"$tmp/batch.conf"
	err=$("$CTL" -b "$tmp/batch.conf" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$code" ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
	   grep -Eq -- "$pattern" <<<"$err" &&
	   grep -q '; nothing was applied$' <<<"$err"; then
		return 0
	fi
	echo "exit $rc (want $code), stderr: $err"
	return 1
}

# completes WORDS... -- EXPECTED...: completing the last word (may be "")
# offers exactly EXPECTED.
completes() {
	local words=() want=()

	while [ "$1" != -- ]; do
		words+=("$1")
		shift
	done
	shift
	want=("$@")
	local got
	got=$(bash -c '
		source dist/l2tpss-ctl.bash-completion
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_l2tpss_ctl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "${words[@]}")
	[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
		{ echo "completing \"${words[*]}\": got" $got; return 1; }
}

echo "TAP version 13"
echo "1..27"

version=$(cat VERSION)
check "-V and --version print the version without the module" \
	test "$("$CTL" -V)/$("$CTL" --version)" = "l2tpss-ctl $version/l2tpss-ctl $version"
check "--help and -h: usage on stdout, exit 0" \
	sh -c "'$CTL' --help | grep -q '^Usage: l2tpss-ctl' && '$CTL' -h | grep -q -- '-b, --batch FILE'"
check "help at the object's level: profile help, profile add -h, help stats" \
	sh -c "'$CTL' profile help | grep -q 'profile replace NAME' &&
	       '$CTL' profile add --help | grep -q '^Usage: l2tpss-ctl profile add' &&
	       ! '$CTL' profile add --help | grep -q 'conn show' &&
	       '$CTL' help stats | grep -q 'stats \[reset | prometheus\]'"
check "help of an unknown object: exit 2" \
	sh -c "'$CTL' help frob 2>&1 >/dev/null | grep -q 'unknown object \"frob\"'; [ \$? = 0 ] && ! '$CTL' help frob 2>/dev/null"

check "batch: an unknown keyword, with its line" batch_error 2 \
	"^l2tpss-ctl: $tmp/batch.conf:3: unknown keyword \"idle\"" \
	'# c\ndefaults set idle-timeout 5\nprofile replace p peer 10.0.0.0/8 idle 5\n'
check "batch: a bad value after a joined line names the first line" batch_error 2 \
	"batch.conf:2: destruct-timeout: \"x\" is not a number" \
	'\ndefaults set idle-timeout 5 \\\n  destruct-timeout x\nversion\n'
check "batch: a quote not closed" batch_error 2 "batch.conf:1: a quote is not closed" \
	'profile replace "p peer 10.0.0.0/8\n'
check "batch: a line ending in a backslash at the end" batch_error 2 \
	'batch.conf:2: a "\\" at the end of the file joins no line' 'version\ndefaults set idle-timeout 5 \\\n'
check "batch: an unknown netns" batch_error 1 \
	'batch.conf:2: cannot open network namespace "l2tpss-nope"' \
	'defaults set idle-timeout 5\n-n l2tpss-nope defaults set idle-timeout 5\n'
check "batch: an option other than -n" batch_error 2 \
	'batch.conf:1: "-j": a line may start with -n NETNS' '-j show\n'
check "batch: monitor is refused" batch_error 2 'batch.conf:1: monitor does not end' \
	'monitor\n'
check "batch: a NUL byte" batch_error 2 'batch.conf:2: a NUL byte in the line' \
	'version\nver\0sion\n'
check "batch: a prefix too long for IPv6" batch_error 2 \
	'batch.conf:1: peer: prefix length 129' 'profile replace p peer 2001:db8::/129\n'
check "batch: a comment ending in a backslash joins nothing" batch_error 2 \
	'batch.conf:2: unknown keyword "bogus"' 'version # c \\\nstats bogus\n'
check "batch: a profile name with a control character" batch_error 2 \
	'batch.conf:1: profile name: no control characters' 'profile replace "a\tb" peer 10.0.0.0/8\n'
check "batch: help in a value is a value, not a request for usage" batch_error 2 \
	'batch.conf:1: unknown keyword "help"' 'defaults set help 5\n'
check "batch: all lines good, then the missing module stops it" batch_error 1 \
	'batch.conf:2: the l2tpss module is not loaded' \
	'# nothing\ndefaults set idle-timeout 5\n  "profile" replace "a b" peer 10.0.0.0/8 # x\n'

check "completion: objects" completes l2tpss-ctl "" -- \
	show set disconnect defaults profile conn stats monitor save version help
check "completion: profile commands" completes l2tpss-ctl -j profile "" -- \
	add replace del show
check "completion: profile add keywords" completes l2tpss-ctl profile add p peer 10.0.0.0/8 "" -- \
	peer local single-shot idle-timeout destruct-timeout require-ipsec
check "completion: on/off" completes l2tpss-ctl defaults set single-shot "" -- on off
check "completion: stats" completes l2tpss-ctl -n x stats "" -- reset prometheus
check "completion: options" completes l2tpss-ctl --p -- --pretty

# The units as make install-cli writes them, pointing at this tree's CLI.
sed "s|@SBINDIR@|$PWD/tools|" dist/l2tpss.service.in >"$tmp/l2tpss.service"
sed "s|@SBINDIR@|$PWD/tools|" dist/l2tpss-prometheus.service.in \
	>"$tmp/l2tpss-prometheus.service"
cp dist/l2tpss-prometheus.timer "$tmp/"
check "systemd-analyze verify: the units" \
	env SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
	"$tmp/l2tpss.service" "$tmp/l2tpss-prometheus.service" \
	"$tmp/l2tpss-prometheus.timer"
check "the service applies the file at start and reload" \
	sh -c "grep -q '^ExecStart=$PWD/tools/l2tpss-ctl -b /etc/l2tpss/l2tpss.conf\$' '$tmp/l2tpss.service' &&
	       grep -q '^ExecReload=$PWD/tools/l2tpss-ctl -b /etc/l2tpss/l2tpss.conf\$' '$tmp/l2tpss.service' &&
	       grep -q '^Before=.*xl2tpd.service' '$tmp/l2tpss.service'"

check "man pages: no groff warning" \
	sh -c "for m in tools/l2tpss-ctl.8 tools/l2tpss.conf.5; do
		out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l \"\$m\" 2>&1 >/dev/null)
		[ -z \"\$out\" ] || { echo \"\$m: \$out\"; exit 1; }
	done"

make -s install-cli DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/install.log" 2>&1
check "make install-cli: the CLI, man pages, completion, units, example config" \
	sh -c "cd '$tmp/root' && test -x usr/sbin/l2tpss-ctl &&
	       test -f usr/share/man/man8/l2tpss-ctl.8 &&
	       test -f usr/share/man/man5/l2tpss.conf.5 &&
	       test -f usr/share/bash-completion/completions/l2tpss-ctl &&
	       test -f usr/lib/systemd/system/l2tpss.service &&
	       test -f usr/lib/systemd/system/l2tpss-prometheus.timer &&
	       grep -q '^ExecStart=/usr/sbin/l2tpss-ctl -b' usr/lib/systemd/system/l2tpss.service &&
	       test -f etc/l2tpss/l2tpss.conf || { cat '$tmp/install.log'; exit 1; }"
exit $failed
