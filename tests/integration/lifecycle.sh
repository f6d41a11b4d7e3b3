#!/bin/sh
# Connection lifecycle from kernel events, against clients of known timings
# that measure themselves (CLOCK_MONOTONIC, the clock the kernel's event
# times differ from only across a suspend):
#   tt-lcheld  holds 5 connections exactly 2 s each (lifetime);
#   tt-lcwait  3 connections to a server that closes after 1 s, each closed
#              3 s after it saw the server's close (CLOSE_WAIT), against a
#              baseline where its CLOSE_WAIT p90 is 0.1 s: the lifecycle alert;
#   tt-lcycle  opens and closes 200 connections at once, each living well
#              under 50 ms (unless the machine stalls it), the client end left
#              in TIME_WAIT (cycling).
# All start after tenantop has attached its program (its first refresh is
# out), and the checks read a refresh that began after the last of them had
# finished: no clock decides which refresh saw what.  tenantop's figures must
# lie within the bounds each client measured around its own calls, the counts
# equal what the clients counted, the TIME_WAIT what ss lists.  Then the same
# host under --source netlink: lifecycle null, the reason said, and the
# cycler's TIME_WAIT unattributed as before events.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (BPF, users)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "setpriv is missing"; exit 77; }
"$B/tenantop" --version | grep -q "eBPF events built in" || { echo "built without eBPF"; exit 77; }
T=$(mktemp -d /tmp/tt-life.XXXXXX)
chmod 1777 "$T" # the clients write their own measurements
. tests/integration/lib.sh
P=$(free_ports 2) || exit 1
P2=$((P + 1))
PIDS=
USERS="tt-lcheld tt-lcwait tt-lcycle"
cleanup() {
	kill $PIDS 2>/dev/null
	wait 2>/dev/null
	for u in $USERS; do pkill -u $u 2>/dev/null; userdel $u 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
for u in $USERS; do useradd -M -N -s /usr/sbin/nologin $u 2>/dev/null; done
as() { u=$1; shift; setpriv --reuid=$u --regid=nogroup --clear-groups "$@"; }

# P: reads until the client closes, then closes (the client end goes to
# TIME_WAIT); P2: closes 1 s after accepting, writing when it called close()
/usr/bin/python3 - $P $P2 "$T" <<'PY' &
import socket, sys, threading, time
port, port2, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def listen(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p)); s.listen(512); return s
a, b = listen(port), listen(port2)
def serve(c):
    while c.recv(64):
        pass
    c.close()
def later(c):
    time.sleep(1)
    with open(d + "/srv_close.txt", "a") as f:  # before close(): before the FIN
        f.write("%d %.6f\n" % (c.getpeername()[1], time.monotonic()))
    c.close()
def loop(s, fn):
    while True:
        c, _ = s.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()
threading.Thread(target=loop, args=(b, later), daemon=True).start()
loop(a, serve)
PY
PIDS="$PIDS $!"
i=0; while ! ss -tlnH "sport = :$P2" | grep -q LISTEN; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done

cat > "$T/held.py" <<'PY'
import socket, sys, threading, time
port, out = int(sys.argv[1]), sys.argv[2]
res = []
def one():
    t0 = time.monotonic()
    c = socket.create_connection(("127.0.0.1", port))
    t1 = time.monotonic()
    time.sleep(2)
    t2 = time.monotonic()
    c.close()
    t3 = time.monotonic()
    res.append((t2 - t1, t3 - t0))  # the lifetime lies between these
th = [threading.Thread(target=one) for _ in range(5)]
for t in th: t.start()
for t in th: t.join()
with open(out, "w") as f:
    f.write("\n".join("%.6f %.6f" % r for r in res) + "\n")
PY
cat > "$T/wait.py" <<'PY'
import socket, sys, threading, time
port, port_anchor, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
anchor = socket.create_connection(("127.0.0.1", port_anchor))  # keeps the tenant listed
res = []
def one():
    c = socket.create_connection(("127.0.0.1", port))
    me = c.getsockname()[1]
    c.recv(1)                  # b"": the server's FIN is here, the socket is in CLOSE_WAIT
    t_eof = time.monotonic()   # CLOSE_WAIT began before this
    time.sleep(3)
    t1 = time.monotonic()
    c.close()                  # CLOSE_WAIT ends within close()
    t2 = time.monotonic()
    res.append("%d %.6f %.6f %.6f" % (me, t_eof, t1, t2))
th = [threading.Thread(target=one) for _ in range(3)]
for t in th: t.start()
for t in th: t.join()
with open(d + "/wait.tmp", "w") as f:
    f.write("\n".join(res) + "\n")
import os
os.rename(d + "/wait.tmp", d + "/wait.txt")
time.sleep(120)
PY
# a baseline in which tt-lcwait's CLOSE_WAIT p90 is 0.1 s: 3 s is 30 times it
/usr/bin/python3 - "$T/base" <<'PY'
import sys, zlib
body = ("tenantop-baseline 1\nlearned 1.000 2.000 10\n"
        "tenant 1.000 0.000 0.000 0.000 0.000 1 0 0 0 0 tt-lcwait\n"
        "life 0.100000 -1.000000 tt-lcwait\n")
open(sys.argv[1], "w").write(body + "end 1 %08x\n" % zlib.crc32(body.encode()))
PY
cat > "$T/cycle.py" <<'PY'
import socket, sys, time
port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ports, longest = [], 0.0
for _ in range(n):
    t0 = time.monotonic()
    c = socket.create_connection(("127.0.0.1", port))
    ports.append(c.getsockname()[1])
    c.close()
    longest = max(longest, time.monotonic() - t0)
with open(out, "w") as f:
    f.write("%d %.6f %s\n" % (n, longest, " ".join(map(str, ports))))
PY

"$B/tenantop" --batch --format json --iterations 600 --delay 1 --source bpf --ports $P,$P2 --baseline "$T/base" \
	> "$T/out.jsonl" 2>"$T/err" &
TTPID=$!
PIDS="$PIDS $TTPID"
lines() { _l=$(grep -c . "$T/out.jsonl" 2>/dev/null); echo ${_l:-0}; }
# the program is attached before the first refresh is printed
i=0; while [ "$(lines)" -lt 1 ]; do
	i=$((i+1)); kill -0 $TTPID 2>/dev/null && [ $i -lt 600 ] || { echo "FAIL tenantop did not start:"; cat "$T/err"; exit 1; }
	sleep 0.1
done
# a TIME_WAIT a reset reaches is ended (see bpf_events.sh): counted
RST0=$(tcp_mib OutRsts)
as tt-lcwait /usr/bin/python3 "$T/wait.py" $P2 $P "$T" &
PIDS="$PIDS $!"
as tt-lcheld /usr/bin/python3 "$T/held.py" $P "$T/held.txt" &
H=$!
as tt-lcycle /usr/bin/python3 "$T/cycle.py" $P 200 "$T/cycle.txt" &
C=$!
wait $H $C
# the server has closed its ends too (a client's close into TIME_WAIT
# completes on the server's FIN): every close is an event by now
i=0; while [ -n "$(ss -tanH state close-wait state last-ack "( sport = :$P )")" ]; do
	i=$((i+1)); [ $i -lt 600 ] || { echo "FAIL the server did not close"; exit 1; }
	sleep 0.1
done
i=0; while [ ! -s "$T/wait.txt" ]; do i=$((i+1)); [ $i -gt 600 ] && { echo "FAIL the CLOSE_WAIT client did not finish"; exit 1; }; sleep 0.1; done
# the refresh after the next one began after every client had finished
n=$(lines)
i=0; while [ "$(lines)" -lt $((n + 2)) ]; do
	i=$((i+1)); kill -0 $TTPID 2>/dev/null && [ $i -lt 600 ] || { echo "FAIL tenantop stopped:"; cat "$T/err"; exit 1; }
	sleep 0.1
done
kill $TTPID 2>/dev/null
ss -tanH "( dport = :$P )" > "$T/ss.txt"
RST1=$(tcp_mib OutRsts)
"$B/tenantop" --batch --format json --source netlink --ports $P,$P2 > "$T/netlink.json" 2>"$T/nerr"
nrc=$?

/usr/bin/python3 - "$T" $n $nrc $((RST1 - RST0)) <<'PY'
import json, sys
d, n, nrc, resets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
docs = [json.loads(l) for l in open(d + "/out.jsonl") if l.strip()]
last = docs[n + 1]
check(last["source"] == "netlink+bpf", "source %s" % last["source"])
lc = {t["name"]: t.get("lifecycle") for t in last["tenants"]}
def near(v, lo, hi):  # JSON rounds to the ms
    return v is not None and lo - 0.0006 <= v <= hi + 0.0006

# held exactly 2 s
held = [tuple(map(float, l.split())) for l in open(d + "/held.txt")]
lo, hi = min(h[0] for h in held), max(h[1] for h in held)
h = lc.get("tt-lcheld")
check(h is not None and h["closed_total"] == 5 and h["opened_total"] == 5,
      "tt-lcheld: 5 connections opened and closed, tenantop says %s / %s" % (h and h["opened_total"], h and h["closed_total"]))
for q in ("p50", "p90", "p99"):
    v = h and h["lifetime_s"][q]
    check(near(v, lo, hi), "tt-lcheld lifetime %s %s s, the client measured %.4f..%.4f s" % (q, v, lo, hi))

# CLOSE_WAIT: from the server's close() (before its FIN) or the client's
# wake-up (after it), to the client's close()
srv = {l.split()[0]: float(l.split()[1]) for l in open(d + "/srv_close.txt")}
waits = [l.split() for l in open(d + "/wait.txt")]
lo = min(float(t1) - float(t_eof) for _, t_eof, t1, _ in waits)
hi = max(float(t2) - srv[me] for me, _, _, t2 in waits)
w = lc.get("tt-lcwait")
for q in ("p50", "p90", "max"):
    v = w and w["close_wait_s"][q]
    check(near(v, lo, hi), "tt-lcwait CLOSE_WAIT %s %s s, the clients measured %.4f..%.4f s" % (q, v, lo, hi))
check(w is not None and w["closed_total"] == 3, "tt-lcwait: 3 connections closed (%s)" % (w and w["closed_total"]))
# its usual CLOSE_WAIT (the baseline's 0.1 s) is 30 times shorter: the lifecycle alert
base = {t["name"]: t.get("baseline") for t in last["tenants"]}.get("tt-lcwait") or {}
al = [a for a in last["alerts"] if a["kind"] == "lifecycle"]
check(base.get("close_wait_p90_s") == 0.1, "tt-lcwait's baseline: close_wait_p90_s %s" % base.get("close_wait_p90_s"))
check([a["tenant"] for a in al] == ["tt-lcwait"], "lifecycle alert for tt-lcwait only: %s" % [(a["tenant"], a["message"]) for a in al])

# the cycler
f = open(d + "/cycle.txt").read().split()
made, longest, ports = int(f[0]), float(f[1]), set(f[2:])
c = lc.get("tt-lcycle")
check(c is not None, "tt-lcycle is a tenant with a lifecycle: %s" % c)
c = c or {"opened_total": None, "closed_total": None, "time_wait_total": None, "lifetime_s": {"p99": None}}
check(c["opened_total"] == made and c["closed_total"] == made,
      "tt-lcycle opened %s and closed %s connections; it made %d" % (c["opened_total"], c["closed_total"], made))
tw = [l.split()[3].rsplit(":", 1)[1] for l in open(d + "/ss.txt") if l.split()[0] == "TIME-WAIT"]
mine = sum(1 for p in tw if p in ports)
check(c["time_wait_total"] == made and made - min(resets, made) <= mine <= made,
      "tt-lcycle: %s connections closed into TIME_WAIT; ss lists %d of its %d in TIME_WAIT (%d resets sent meanwhile)"
      % (c["time_wait_total"], mine, made, resets))
# each lifetime lies within the client's own measure of its connection
# (connect() to close() returned), so the longest bounds them all
check(near(c["lifetime_s"]["p99"], 0, longest),
      "tt-lcycle lifetime p99 %s s, its longest connection by its own clock %.4f s" % (c["lifetime_s"]["p99"], longest))
# the rates add up to the counts: sum of per-second rate x interval
tot_o = tot_t = 0.0
prev = None
for doc in docs[: n + 2]:
    x = {t["name"]: t.get("lifecycle") for t in doc["tenants"]}.get("tt-lcycle")
    if x and prev is not None:
        tot_o += x["opened_per_s"] * (doc["time"] - prev)
        tot_t += x["time_wait_per_s"] * (doc["time"] - prev)
    prev = doc["time"]
check(abs(tot_o - made) <= 2 and abs(tot_t - made) <= 2,
      "opened/s and TIME_WAIT/s over the refreshes add up to %.1f and %.1f connections (%d made)" % (tot_o, tot_t, made))
check(all(t["lifecycle"] and t["lifecycle"]["events_dropped"] == 0 for doc in docs for t in doc["tenants"]),
      "no event dropped")

# --source netlink: the old behaviour
check(nrc == 0, "--source netlink: exit status %d" % nrc)
nd = json.load(open(d + "/netlink.json"))
check(all(t["lifecycle"] is None for t in nd["tenants"]) and len(nd["tenants"]) > 0,
      "--source netlink: lifecycle null for all %d tenants" % len(nd["tenants"]))
check("no connection lifecycle" in nd.get("source_note", ""), "source_note: %s" % nd.get("source_note"))
un = [s for s in nd["unattributed"]["sockets"] if s["state"] == "TIME_WAIT" and s["local"].rsplit(":", 1)[1] in ports]
check(len(un) == mine and "tt-lcycle" not in [t["name"] for t in nd["tenants"]],
      "--source netlink: the cycler's %d TIME_WAIT unattributed, no tt-lcycle tenant" % len(un))
sys.exit(1 if fails else 0)
PY
