#!/bin/sh
# F2 Setup: a column hidden and one moved are written at once (0600) to
# $XDG_CONFIG_HOME/tenantop/tenantoprc, before any clean exit; the delay and
# the sort too; a new start reads them; a damaged file is reported and
# ignored; --delay on the command line wins over the file.
set -u
. "$(dirname "$0")/lib.sh"
. tests/integration/lib.sh
T=$(mktemp -d /tmp/tt-setup.XXXXXX)
PORT=$(free_ports 1) || exit 1
SIM=
trap 'cleanup_tmux; [ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
start_sim --port $PORT --tenant "-:estab=3,cw=4,name=alice" || exit 1
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
RC="$XDG_CONFIG_HOME/tenantop/tenantoprc"
TT="$B/tenantop --ports $PORT"
hdr() { tmux -L $SOCK capture-pane -p -t "$1" | grep '^TENANT' | head -1; }

name_for_dump=s
start s 100 30 "$TT"
check "the tenants are listed" wait_for s "TENANT "
check "F2 is on the function bar" wait_for s "F2Setup"
keys s F2
check "F2 opens Setup, naming the file" wait_for s "saved as it changes to $RC"
check "Setup lists the tenants pane's columns" wait_for s "[x] ESTAB"
# down to ESTAB: delay, colours, space, ports, pane, sort, TENANT, RULE, PROCS, ESTAB
keys s Down Down Down Down Down Down Down Down Down Space
check "Space hides ESTAB" wait_for s "[ ] ESTAB"
check "the file is written at once" grep -q -- "-estab" "$RC"
check "the file is 0600" sh -c "[ \"\$(stat -c %a '$RC')\" = 600 ]"
keys s Up Up Up Up Up Up Up Up Up Right
check "Right lengthens the delay" wait_for s "3 s"
check "the delay is saved" grep -qx "delay = 3" "$RC"
keys s Escape
check "Esc returns" wait_for s "F10Quit"
sleep 0.5
h=$(hdr s)
case "$h" in *ESTAB*) bad "ESTAB is hidden in the pane ($h)";; *) ok "ESTAB is hidden in the pane";; esac
keys s '>'
check "> changes the sort" wait_gone s "sort LEAKED desc"
sort_now=$(tmux -L $SOCK capture-pane -p -t s | grep -o 'sort [A-Z_%]* [a-z]*' | head -1)
check "the sort is saved ($sort_now)" grep -q '^tenants.sort = oldest desc' "$RC"
# kill it: nothing waits for a clean exit
kill -KILL $(pgrep -P "$(tm list-panes -t s -F '#{pane_pid}')" -x tenantop) 2>/dev/null
sleep 0.3

name_for_dump=s2
start s2 100 30 "$TT"
check "a new start: the tenants" wait_for s2 "TENANT "
sleep 0.5
h=$(hdr s2)
case "$h" in *ESTAB*) bad "a new start keeps ESTAB hidden ($h)";; *) ok "a new start keeps ESTAB hidden";; esac
check "a new start keeps the sort" wait_for s2 "sort OLDEST desc"
check "a new start keeps the delay" wait_for s2 "every 3s"
keys s2 q

name_for_dump=s3
start s3 100 30 "$TT --delay 0.5"
check "--delay wins over the file" wait_for s3 "every 0.5s"
keys s3 q

printf 'delay = 3\ncolour = pink\n' > "$RC"
name_for_dump=s4
start s4 100 30 "$TT"
check "a damaged file is reported, with its line" wait_for s4 "line 2: unknown setting 'colour'"
check "and ignored: the defaults" wait_for s4 "every 2s"
h=$(hdr s4)
case "$h" in *ESTAB*) ok "ignored: ESTAB is back";; *) bad "ignored: ESTAB is back ($h)";; esac
keys s4 q
finish
