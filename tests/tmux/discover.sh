#!/bin/sh
# What an operator sees when a database listens where no default says: a
# server named mariadbd on a free port, whose client's connections were
# reset before tenantop starts.  With default options the header says the
# port was found and on whom, and the client's tenant shows its dead
# connections at once.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (a user, other processes' descriptors)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-disc.XXXXXX)
chmod 777 "$T"
. tests/integration/lib.sh
P=$(free_ports 1) || exit 1
PIDS=
trap 'cleanup_tmux; touch "$T/stop"; kill $PIDS 2>/dev/null; wait 2>/dev/null; pkill -u tt-disc 2>/dev/null; userdel tt-disc 2>/dev/null; rm -rf "$T"' EXIT INT TERM
useradd -M -N -s /usr/sbin/nologin tt-disc 2>/dev/null
# the server: its process name is mariadbd; it resets every connection it accepts
/usr/bin/python3 - $P "$T" <<'PY' &
import ctypes, os, socket, struct, sys, time
ctypes.CDLL(None).prctl(15, b"mariadbd", 0, 0, 0)  # PR_SET_NAME
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
open(sys.argv[2] + "/listening", "w").close()
# the resets once the client's four connects have returned (a reset before
# that would fail the connect itself, not leave a held dead connection)
end = time.time() + 120
while not os.path.exists(sys.argv[2] + "/connected") and time.time() < end:
    time.sleep(0.05)
s.settimeout(0.2)
while time.time() < end and not os.path.exists(sys.argv[2] + "/stop"):
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
PY
PIDS="$PIDS $!"
i=0; while [ ! -f "$T/listening" ]; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
# the client, as its own user: four connections, all reset, all still held
setpriv --reuid=tt-disc --regid=nogroup --clear-groups /usr/bin/python3 - $P "$T" <<'PY' &
import os, select, socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(4)]
open(sys.argv[2] + "/connected", "w").close()
end = time.time() + 120
# each reset arrived: the socket turns readable (its error pending, left unread)
waiting = list(held)
while waiting and time.time() < end:
    r, _, _ = select.select(waiting, [], [], 1)
    waiting = [x for x in waiting if x not in r]
open(sys.argv[2] + "/held", "w").close()
while time.time() < end and not os.path.exists(sys.argv[2] + "/stop"):
    time.sleep(0.2)
PY
PIDS="$PIDS $!"
i=0; while [ ! -f "$T/held" ]; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
TT="$B/tenantop --delay 0.5 --no-netns"

name_for_dump=wide
start wide 220 30 "$TT"
check "the header says the port was found, on whom" wait_for wide "$P mariadbd"
check "the client's tenant is listed" wait_for wide "tt-disc "
cap wide | grep "^tt-disc " | grep -q " 4 " && ok "its row counts the 4 reset connections" || bad "the row counts 4"
keys wide / t t - d i s c Enter
sleep 0.4
check "search finds the tenant" selected wide "tt-disc "
keys wide Enter
sleep 0.4
keys wide Enter
check "its process holds them, to the server's port" wait_for wide "127.0.0.1:$P"
name_for_dump=small
start small 80 24 "$TT"
check "at 80x24 the tenant is there" wait_for small "tt-disc "
check "at 80x24 the header keeps a sign of it" sh -c "tmux -L $SOCK capture-pane -p -t small | head -1 | grep -qE 'found|[+]watch'"
cap small > "${TT_SHOT:-/dev/null}"
[ $fails -eq 0 ] && echo "all checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
