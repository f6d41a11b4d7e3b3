#!/bin/sh
# Acting on a leak from the dashboard, on processes and sockets this test
# made: tag with Space, k (or F9), a signal menu, a confirmation naming the
# targets; No does nothing, yes does it; a socket is closed with
# SOCK_DESTROY; every action is in the alert log; --read-only refuses.
set -u
. "$(dirname "$0")/lib.sh"
. tests/integration/lib.sh
T=$(mktemp -d /tmp/tt-act.XXXXXX)
PORT=$(free_ports 1) || exit 1
SIM=
trap 'cleanup_tmux; [ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "closing sockets needs root"; exit 77; }
start_sim --port $PORT --tenant "2201:estab=1,cw=3,procs=2,name=alice" --tenant "2202:estab=2,name=bob" \
	--tenant "2203:estab=1,cw=4,procs=2,name=carol" || exit 1
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
TT="$B/tenantop --ports $PORT --delay 0.5 --alert-log $T/alerts.log"
sel_pid() { capc "$1" | grep "$(printf '^\033\\[\\(30m\033\\[\\)\\{0,1\\}46m')" | sed 's/\x1b\[[0-9;]*m//g' | awk '{print $1}'; }

name_for_dump=main
start main 110 30 "$TT"
check "the leaking tenant is listed" wait_for main "2201 "
keys main '/' 2 2 0 1 Enter
keys main k
check "k on a tenant signals all its processes: the menu says how many" wait_for main "Signal to 2 processes of 2201"
keys main Escape
check "Esc cancels" wait_for main "cancelled"
keys main Enter
check "its processes are shown" wait_for main "tenantop-sim: client alice"
sleep 0.3
victim=$(sel_pid main)
keys main Space
sleep 0.4
check "Space tags the process (yellow)" sh -c "tmux -L $SOCK capture-pane -e -p -t main | grep -q \"\$(printf '\\033\\[33m')$victim\""
check "Space moved the cursor down" sh -c "[ \"\$(tmux -L $SOCK capture-pane -e -p -t main | grep \"\$(printf '^\\033\\[30m\\033\\[46m')\" | sed 's/\\x1b\\[[0-9;]*m//g' | awk '{print \$1}')\" != $victim ]"
keys main k
check "k opens the signal menu naming the tagged process" wait_for main "Signal to $victim tenantop-sim"
keys main Enter
check "Enter picks SIGTERM and asks to confirm, naming it" wait_for main "Send SIGTERM to 1 process: $victim"
keys main n
check "n cancels" wait_for main "cancelled: nothing was done"
check "the process is still there" kill -0 "$victim"
keys main Home
sleep 0.2
victim=$(sel_pid main)
keys main F9
check "F9 opens the signal menu for the cursor row" wait_for main "Signal to $victim"
keys main Enter
check "asks to confirm" wait_for main "Send SIGTERM to 1 process: $victim"
keys main y
check "y sends it and says so" wait_for main "SIGTERM: done for 1 process"
i=0; while kill -0 "$victim" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
check "the process has exited" sh -c "! kill -0 $victim 2>/dev/null"

# a socket: bob's ESTABLISHED connection, closed by the kernel
keys main Escape
check "back to the tenants" wait_for main "TENANT "
keys main '/' 2 2 0 2 Enter Enter
check "bob's processes" wait_for main "tenantop-sim: client bob"
keys main Enter
check "bob's sockets" wait_for main "ESTABLISHED"
sleep 0.3
keys main k
check "k on a socket asks to close it, naming it" wait_for main "Close 1 socket: ESTABLISHED"
lport=$(cap main | grep -o 'Close 1 socket: ESTABLISHED 127.0.0.1:[0-9]*' | sed 's/.*://')
keys main y
check "y closes it and says the descriptor is still held" wait_for main "close: done for 1 of 1 socket; the process still holds the descriptor"
sleep 0.3
listed=$(ss -tanH "( sport = :$lport and dport = :$PORT )")
check "the kernel no longer lists that connection (ss: '$listed')" test -z "$listed"
check "its holder now holds it reset, marked closed here (CLOSE*)" wait_for main "CLOSE*      client  127.0.0.1:$lport"
cap main | grep -q "(remem" && bad "REMOTE never shows a cut (remem" || ok "REMOTE never shows a cut (remem"
keys main Home
check "the detail line says the descriptor is still held, to signal the process" wait_for main "closed here: the connection is gone but the process still holds the descriptor"
check "the alert log holds both actions" sh -c "grep -c '\"event\":\"action\"' $T/alerts.log | grep -qx 2"
check "the log names the signal and its result" grep -q '"action":"signal SIGTERM","tenant":"2201".*"ok":true' "$T/alerts.log"
check "the log names the closed socket" grep -q "\"action\":\"close socket\",\"tenant\":\"2202\",\"target\":\"ESTABLISHED 127.0.0.1:$lport" "$T/alerts.log"
# in bulk: every CLOSE_WAIT of a tenant, one confirmation
keys main Escape Escape
check "back to the tenants for the bulk close" wait_for main "TENANT "
keys main '/' 2 2 0 3 Enter
sleep 0.3
cw_before=$(ss -tanH state close-wait "( dport = :$PORT )" | wc -l)
keys main x
check "x asks to close every CLOSE_WAIT of the tenant, saying how many" wait_for main "Close 4 CLOSE_WAIT sockets of 2203:"
check "the confirmation keeps y/N" wait_for main "y/N"
keys main y
check "y closes them all and says they are still held" wait_for main "close: done for 4 of 4 sockets; the process still holds the descriptors"
sleep 0.3
cw_after=$(ss -tanH state close-wait "( dport = :$PORT )" | wc -l)
check "the kernel lists 4 CLOSE_WAIT fewer (ss: $cw_before -> $cw_after)" test $((cw_before - cw_after)) -eq 4
check "the tenant's row now counts them CLOSE (held), LEAKED unchanged" sh -c "i=0; while [ \$i -lt 40 ]; do tmux -L $SOCK capture-pane -p -t main | grep '^2203 ' | awk '\$5 == 0 && \$6 == 4 && \$9 == 4 { f = 1 } END { exit !f }' && exit 0; sleep 0.1; i=\$((i+1)); done; exit 1"
keys main Space k
check "a tagged tenant: the signal menu for its 2 processes" wait_for main "Signal to 2 processes of 2203"
keys main Enter
check "the confirmation says how many and whose" wait_for main "Send SIGTERM to 2 processes of 2203:"
keys main n
keys main q

name_for_dump=ro
start ro 110 30 "$B/tenantop --ports $PORT --delay 0.5 --read-only"
check "read-only: the tenants are listed" wait_for ro "2202 "
keys ro Enter
sleep 0.3
keys ro k
check "read-only: k is refused" wait_for ro "read-only (--read-only): actions are disabled"
check "read-only: the function bar offers no F9" sh -c "! tmux -L $SOCK capture-pane -p -t ro | grep -q 'F9Signal'"
keys ro q
finish
