#!/bin/sh
# The Lifecycle pane (L) over the demo: its cycling tenant (bob, a new
# connection per request) is there by name, first by closes per second, with
# its rates and a short lifetime; the detail line says what it counted; L
# again goes back to where it was.  Without kernel events (--source
# netlink) the pane says why it is empty.
set -u
. tests/tmux/lib.sh
[ "$(id -u)" = 0 ] || { echo "needs root (kernel events)"; exit 77; }
"$B/tenantop" --version | grep -q "eBPF events built in" || { echo "built without eBPF"; exit 77; }
trap cleanup_tmux EXIT INT TERM
name_for_dump=life
start life 120 30 "$B/tenantop --demo --delay 1"
wait_for life "F10Quit" 20 || { bad "the demo dashboard did not start"; exit 1; }
keys life L
check "L opens the lifecycle pane" wait_for life "tenants › lifecycle" 5
# the cycling tenant's row once a refresh has counted its closes: bob, first
# (sorted by CLOSE/s), with a rate above 0 (bounded wait: 30 s)
i=0
while [ $i -lt 300 ]; do
	row=$(cap life | awk '$1 == "TENANT" { getline; print; exit }')
	set -- $row
	[ "${1:-}" = bob ] && [ "${3:-0}" != 0 ] && [ "${3:-0}" != "0.0" ] && [ "${3:-}" != "-" ] && break
	sleep 0.1; i=$((i + 1))
done
check "the cycling tenant first, by name, closing connections: '$row'" [ "${1:-}" = bob ] && [ $i -lt 300 ]
check "its TIME_WAIT/s is shown: ${9:-?}" [ "${9:--}" != "-" ]
keys life Home
check "the detail line of its row counts its connections" wait_for life "bob: since the events began" 5
keys life L
check "L again goes back to the tenants pane" wait_gone life "tenants › lifecycle" 5
keys life q
wait_for life "EXIT=" 5
# the demo's usual port held by another program: the demo takes the next free one
python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 23306)); s.listen(); time.sleep(40)' 2>/dev/null &
blocker=$!
i=0; while [ $i -lt 50 ] && ! ss -Htln "sport = :23306" | grep -q .; do sleep 0.1; i=$((i + 1)); done
start nolife 120 30 "$B/tenantop --demo --delay 1 --source netlink"
name_for_dump=nolife
wait_for nolife "F10Quit" 20 || { kill $blocker 2>/dev/null; bad "the netlink dashboard did not start"; exit 1; }
simport=$(ss -Htlnp | grep '"tenantop-sim"' | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ')
check "with port 23306 taken the demo listens on another: '$simport'" sh -c "[ -n '$simport' ] && ! echo '$simport' | grep -qw 23306"
kill $blocker 2>/dev/null
keys nolife L
check "without kernel events the pane says why" wait_for nolife "no kernel events" 5
keys nolife q
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
