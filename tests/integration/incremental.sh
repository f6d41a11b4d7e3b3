#!/bin/sh
# Incremental attribution stays exact: a process that replaces a watched
# socket by another on the same descriptor number (same descriptor count),
# a process that forks a holder, and a process that exits are all seen on
# the next refresh, as ss -tanp sees them.  The client takes each step only
# after tenantop has printed more refreshes (no clock decides which refresh
# sees what).
set -u
B=${BUILD:-build}
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-incr.XXXXXX)
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM= TT_PID=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; [ -n "$TT_PID" ] && kill $TT_PID 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
"$B/tenantop-sim" --port $PORT --duration 600 --ready-file "$T/ready" --quiet --tenant "-:estab=1" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
# the client under test: one held connection; it swaps it for another on
# the same descriptor, then forks a holder, each step only after tenantop
# has printed refreshes since the one before (it counts tenantop's output
# lines), so which refresh saw what is known without any clock
python3 - "$PORT" "$T" <<'PY' &
import os, socket, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
out = d + "/out.jsonl"
def lines():
    try:
        with open(out) as f:
            return sum(1 for l in f if l.endswith("\n"))
    except OSError:
        return 0
def wait_lines(n):
    for _ in range(1200):                    # 60 s at most
        if lines() >= n:
            return True
        time.sleep(0.05)
    return False
def conn():
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"E"); s.recv(1); return s
a = conn()
open(d + "/first", "w").write("%d %d\n" % (os.getpid(), os.fstat(a.fileno()).st_ino))
wait_lines(2)
b = conn()
os.dup2(b.fileno(), a.fileno()); b.close()      # same descriptor number, same count
done = lines()                                   # refreshes printed before the swap was whole
open(d + "/second", "w").write("%d %d %d\n" % (os.getpid(), os.fstat(a.fileno()).st_ino, done))
wait_lines(done + 3)
pid = os.fork()
if pid == 0:
    wait_lines(done + 3 + 4); os._exit(0)
done = lines()
open(d + "/child", "w").write("%d %d\n" % (pid, done))
wait_lines(done + 4)
os.waitpid(pid, 0)
PY
PY_PID=$!
i=0; while [ ! -s "$T/first" ]; do i=$((i+1)); [ $i -gt 100 ] && { echo "the client did not start"; exit 1; }; sleep 0.05; done
# tenantop refreshes until the client has made every step (SIGTERM: it
# finishes the refresh it is in and exits 0)
"$B/tenantop" --batch --format json --iterations 600 --delay 0.3 --ports $PORT > "$T/out.jsonl" &
TT_PID=$!
wait $PY_PID
kill -TERM $TT_PID 2>/dev/null
wait $TT_PID || { echo "tenantop failed"; exit 1; }
python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
docs = [json.loads(l) for l in open(d + "/out.jsonl") if l.strip()]
pid, first = map(int, open(d + "/first").read().split())
_, second, swapped = map(int, open(d + "/second").read().split())
child, forked = map(int, open(d + "/child").read().split())
def holders(doc, inode):
    return sorted(p["pid"] for t in doc["tenants"] for p in t["processes"] for s in p["sockets"] if s["inode"] == inode)
# docs[swapped] may have started before the swap; docs[swapped + 1] began after it
after_swap, after_fork = docs[swapped + 1], docs[forked + 1]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
check(holders(docs[0], first) == [pid], "refresh 1: the first socket is held by the client")
check(holders(after_swap, second) == [pid] and not holders(after_swap, first),
      "the refresh after the swap on the same descriptor (%d): the new socket, the old one gone (%s)"
      % (swapped + 2, holders(after_swap, second)))
check(holders(after_fork, second) == sorted([pid, child]),
      "the refresh after the fork (%d): both processes hold it (%s)" % (forked + 2, holders(after_fork, second)))
sys.exit(1 if fails else 0)
PY
