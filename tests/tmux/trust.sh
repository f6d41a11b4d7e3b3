#!/bin/sh
# The dashboard never shows an all-clear it did not read: over a socket
# table of random bytes the header says attribution PARTIAL and why; a
# replay shows the recorded interval and says whose rules attribute it.
set -u
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/tt-uitrust.XXXXXX)
trap 'cleanup_tmux; rm -rf "$T"' EXIT INT TERM
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state" HOME="$T"
cp -r tests/fixtures/proc-basic "$T/garbled"
head -c 4000 /dev/urandom | tr '\n' 'x' | fold -w 150 > "$T/garbled/net/tcp"
: > "$T/garbled/net/tcp6"

name_for_dump=garbled
start garbled 120 24 "$B/tenantop --proc $T/garbled --delay 0.5"
check "unreadable socket table: the header says attribution PARTIAL" wait_for garbled "PARTIAL"
check "and why: socket table unreadable" wait_for garbled "socket table unreadable"
keys garbled q

printf '[rule]\nkind = cmdline\npattern = ^(\\S+)\n' > "$T/rules.conf"
"$B/tenantop" --batch -n 3 -d 0.7 --proc tests/fixtures/proc-basic --config "$T/rules.conf" --record "$T/rec" >/dev/null 2>&1 ||
	bad "recording for the replay"
# the viewer's own saved dashboard settings do not change the recorded interval
mkdir -p "$T/.config/tenantop"
printf 'delay = 3\n' > "$T/.config/tenantop/tenantoprc"
name_for_dump=replay
start replay 120 24 "XDG_CONFIG_HOME= $B/tenantop --replay $T/rec"
check "replay: the header gives the recorded interval" wait_for replay "every 0.7s"
check "replay: the message line says the rules are the recorded ones" wait_for replay "rules as recorded ($T/rules.conf)"
check "replay: tenants named by the recorded cmdline rule" wait_for replay "cmdline"
keys replay q
finish
