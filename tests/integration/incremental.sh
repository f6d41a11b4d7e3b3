#!/bin/sh
# Incremental attribution stays exact: a process that replaces a watched
# socket by another on the same descriptor number (same descriptor count),
# a process that forks a holder, and a process that exits are all seen on
# the next refresh, as ss -tanp sees them.
set -u
B=${BUILD:-build}
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-incr.XXXXXX)
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
"$B/tenantop-sim" --port $PORT --duration 40 --ready-file "$T/ready" --quiet --tenant "-:estab=1" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
# the client under test: one held connection, swapped at 2.5 s, a forked holder at 5 s
python3 - "$PORT" "$T" <<'PY' &
import os, socket, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
def conn():
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"E"); s.recv(1); return s
a = conn()
open(d + "/first", "w").write("%d %d\n" % (os.getpid(), os.fstat(a.fileno()).st_ino))
time.sleep(2.5)
b = conn()
os.dup2(b.fileno(), a.fileno()); b.close()      # same descriptor number, same count
open(d + "/second", "w").write("%d %d\n" % (os.getpid(), os.fstat(a.fileno()).st_ino))
time.sleep(2.5)
pid = os.fork()
if pid == 0:
    time.sleep(6); os._exit(0)
open(d + "/child", "w").write("%d\n" % pid)
time.sleep(6)
PY
PY_PID=$!
i=0; while [ ! -s "$T/first" ]; do i=$((i+1)); [ $i -gt 100 ] && { echo "the client did not start"; exit 1; }; sleep 0.05; done
"$B/tenantop" --batch --format json --iterations 9 --delay 1 --ports $PORT > "$T/out.jsonl" || exit 1
wait $PY_PID
python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
docs = [json.loads(l) for l in open(d + "/out.jsonl") if l.strip()]
pid, first = map(int, open(d + "/first").read().split())
_, second = map(int, open(d + "/second").read().split())
child = int(open(d + "/child").read())
def holders(doc, inode):
    return sorted(p["pid"] for t in doc["tenants"] for p in t["processes"] for s in p["sockets"] if s["inode"] == inode)
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
check(holders(docs[0], first) == [pid], "refresh 1: the first socket is held by the client")
check(holders(docs[4], second) == [pid] and not holders(docs[4], first),
      "after the swap on the same descriptor: the new socket, the old one gone (%s)" % holders(docs[4], second))
check(holders(docs[-1], second) == sorted([pid, child]), "after the fork: both processes hold it (%s)" % holders(docs[-1], second))
sys.exit(1 if fails else 0)
PY
