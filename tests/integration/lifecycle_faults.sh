#!/bin/sh
# Lifecycle events when things go wrong:
#   - BPF unavailable: not root (setpriv), and a build without BPF (BPF=0,
#     built here in a temporary folder): --source bpf says why and exits 1;
#     auto falls back to netlink with the reason in source_note, lifecycle null;
#   - the build's CO-RE facts of its kernel: --version says the programs are
#     prepared for this kernel, and relocated at each start when
#     TENANTOP_BPF_CORE=kernel asks for it;
#   - a full ring buffer (TENANTOP_RINGBUF_BYTES=16384: a connection's two
#     ends write some 1 250 bytes of openings, closes and state changes, so a
#     burst of 150 connections overflows it): the refresh that read the burst
#     counts the lost events in events_dropped and reads every socket again
#     instead of trusting its table ("events lost"); the next connections (5,
#     well within the ring) are all counted again, nothing more is dropped,
#     the refreshes go back to the kernel's changes, and their table is
#     ss's, socket for socket.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (BPF, users)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "setpriv is missing"; exit 77; }
"$B/tenantop" --version | grep -q "eBPF events built in" || { echo "built without eBPF"; exit 77; }
T=$(mktemp -d /tmp/tt-lifef.XXXXXX)
chmod 1777 "$T"
. tests/integration/lib.sh
P=$(free_ports 1) || exit 1
PIDS=
cleanup() { kill $PIDS 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fails=0
check() { if [ "$1" = 0 ]; then echo "  ok   $2"; else echo "  FAIL $2"; fails=$((fails+1)); fi; }
TT=$(readlink -f "$B/tenantop")

# not root
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --source bpf --ports $P >"$T/nr.out" 2>"$T/nr.err"
rc=$?
[ $rc = 1 ] && grep -q -- "--source bpf: needs root" "$T/nr.err"
check $? "not root, --source bpf: exit status $rc, says: $(head -c 160 "$T/nr.err")"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --format json --ports $P >"$T/nr.json" 2>"$T/nr2.err"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["source"] == "netlink" and "BPF" in d.get("source_note", "") and all(t["lifecycle"] is None for t in d["tenants"])
print(d["source"], d.get("source_note")); sys.exit(0 if ok else 1)' "$T/nr.json" > "$T/nr.why"
check $? "not root, --source auto: netlink, lifecycle null, source_note: $(cat "$T/nr.why")"

# the build's CO-RE facts: this build ran on this kernel, so its programs
# are prepared for it; asked not to use them, it says so
"$TT" --version | grep -q "eBPF events built in; prepared for this kernel"
check $? "--version: $("$TT" --version)"
TENANTOP_BPF_CORE=kernel "$TT" --version | grep -q "eBPF events built in; relocated at each start (TENANTOP_BPF_CORE=kernel)"
check $? "TENANTOP_BPF_CORE=kernel --version: $(TENANTOP_BPF_CORE=kernel "$TT" --version)"

# a build without BPF: the same sources, BPF=0, in a folder of its own
if make -s BUILD="$T/nobpf" BPF=0 "$T/nobpf/tenantop" >"$T/build.log" 2>&1; then
	"$T/nobpf/tenantop" --version | grep -q "built without eBPF events"
	check $? "BPF=0 build: --version says $("$T/nobpf/tenantop" --version | grep -o 'built without eBPF events\|eBPF events built in')"
	"$T/nobpf/tenantop" --batch --source bpf --ports $P >/dev/null 2>"$T/nb.err"
	rc=$?
	[ $rc = 1 ] && grep -q "built without BPF" "$T/nb.err"
	check $? "BPF=0 build, --source bpf: exit status $rc, says: $(head -c 160 "$T/nb.err")"
else
	tail -5 "$T/build.log"
	check 1 "a BPF=0 build"
fi

# a full ring buffer
/usr/bin/python3 - $P <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(512)
def serve(c):
    while c.recv(64):
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
PIDS="$PIDS $!"
i=0; while ! ss -tlnH "sport = :$P" | grep -q LISTEN; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
cat > "$T/cycle.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    c.close()
PY
TENANTOP_RINGBUF_BYTES=16384 TENANTOP_RING_PUMP_MS=0 "$B/tenantop" --batch --format json --iterations 600 --delay 1 --source bpf --ports $P \
	--tcp-info-every 3600 \
	> "$T/out.jsonl" 2>"$T/err" &
TTPID=$!
PIDS="$PIDS $TTPID"
lines() { _l=$(grep -c . "$T/out.jsonl" 2>/dev/null); echo ${_l:-0}; }
wait_lines() {
	_i=0; while [ "$(lines)" -lt "$1" ]; do
		_i=$((_i+1)); kill -0 $TTPID 2>/dev/null && [ $_i -lt 600 ] || { echo "FAIL tenantop stopped:"; cat "$T/err"; exit 1; }
		sleep 0.1
	done
}
# the server has closed its ends too: every event of a batch is in the ring
closed() {
	_i=0; while [ -n "$(ss -tanH state close-wait state last-ack "( sport = :$P )")" ]; do
		_i=$((_i+1)); [ $_i -lt 600 ] || { echo "FAIL the server did not close"; exit 1; }
		sleep 0.1
	done
}
wait_lines 1
/usr/bin/python3 "$T/cycle.py" $P 150
closed
n1=$(lines)
wait_lines $((n1 + 2))   # a refresh that began after the burst
/usr/bin/python3 "$T/cycle.py" $P 5
closed
n2=$(lines)
wait_lines $((n2 + 2))
# nothing moves now (the TIME_WAITs last a minute): the last refresh and ss
# read the same table
n3=$(lines)
ss -tanHe "( sport = :$P or dport = :$P )" > "$T/ss1.txt"
wait_lines $((n3 + 1))
ss -tanHe "( sport = :$P or dport = :$P )" > "$T/ss2.txt"
kill $TTPID
/usr/bin/python3 - "$T/out.jsonl" $n1 $n2 $n3 "$T" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n1, n2, n3, T = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
def lc(doc):
    return {t["name"]: t["lifecycle"] for t in doc["tenants"]}.get("root") or {}
drops = [lc(d).get("events_dropped", 0) for d in docs]
burst = sum(drops[: n1 + 2])
check(burst > 0, "the burst of 150 connections into a 16 KiB ring: %d events dropped, shown in events_dropped" % burst)
lossy = [d.get("tcp_table") for d, n in zip(docs, drops) if n]
check(lossy and all(t == {"from": "read", "why": "events lost"} for t in lossy),
      "the refreshes that lost events read every socket again: %s" % lossy)
check(sum(drops[n1 + 2:]) == 0, "no drop in the refreshes after it: %s" % drops[n1 + 2:])
before, after = lc(docs[n1 + 1]).get("opened_total"), lc(docs[n2 + 1]).get("opened_total")
# the 5 connections' two ends, both root's: 10 openings
check(before is not None and after == before + 10,
      "the next 5 connections are all counted again: opened_total %s -> %s" % (before, after))
last = docs[n3]
check(last.get("tcp_table", {}).get("from") == "events",
      "the refreshes went back to the kernel's changes: %s" % last.get("tcp_table"))
M = {"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "LISTEN": "LISTEN", "CLOSE-WAIT": "CLOSE_WAIT"}
def ss(path):
    # (a listening socket's peer: ss "0.0.0.0:*", tenantop "0.0.0.0:0")
    return sorted((M.get(l.split()[0], l.split()[0]), l.split()[3], l.split()[4].replace(":*", ":0"))
                  for l in open(path) if l.strip())
socks = [s for t in last["tenants"] for p in t["processes"] for s in p["sockets"]] + last["unattributed"]["sockets"]
mine = sorted((s["state"], s["local"], s["remote"]) for s in socks if s["family"] != "unix")
a, b = ss(T + "/ss1.txt"), ss(T + "/ss2.txt")
check(a == b and mine == a,
      "its table is ss's: %d sockets (%d TIME_WAIT), ss %d then %d; differ: %s"
      % (len(mine), sum(1 for m in mine if m[0] == "TIME_WAIT"), len(a), len(b),
         sorted(set(mine) ^ set(a))[:4]))
sys.exit(1 if fails else 0)
PY
[ $? = 0 ] || fails=$((fails+1))
[ $fails = 0 ]
