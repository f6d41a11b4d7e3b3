#!/bin/sh
# The event-driven refresh: with the eBPF source, a steady refresh applies
# the kernel's state changes to the table it read last instead of reading
# every socket.  Under churn (300 connections a second cycled, CLOSE_WAIT
# and FIN_WAIT2 piling up, resets held), each such refresh must list what
# the kernel has, socket by socket: compared with ss read just before and
# just after it (a background loop reads ss all along; for each refresh the
# last read that ended before it began and the first that began after it):
# - a socket in state S in both reads, the same socket (its cookie, ss -e
#   "sk:"), was in S when the refresh began: tenantop must list it in S,
#   whatever connections opened, closed or were reused meanwhile and
#   whether its TIME_WAIT is near its end (the kernel's tick wheel);
# - a socket tenantop lists in S existed when the refresh began, so ss saw
#   it, or its connection's other end (which outlives it a minute in
#   TIME_WAIT), in one of the reads.
# TIME_WAIT and FIN_WAIT2 sockets that began before tenantop started are
# left out: their end can only be placed from the timer a read gives (to
# the read's length), until they are gone a minute later.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (BPF)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing"; exit 77; }
"$B/tenantop" --version | grep -q "eBPF events built in" || { echo "built without eBPF"; exit 77; }
T=$(mktemp -d /tmp/tt-btab.XXXXXX)
. tests/integration/lib.sh
P=$(free_ports 1) || exit 1
PIDS=
trap 'kill $PIDS 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
"$B/tenantop-sim" --port $P --src-addrs 4 --duration 3600 --ready-file "$T/ready" --quiet \
	--tenant "-:estab=40,cw=20,reset=5,churn=300,procs=3,name=cycler" \
	--tenant "-:estab=20,cw=5,leak=100,procs=2,name=leaker" 2>"$T/sim.err" &
PIDS=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 300 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
"$B/tenantop" --batch --format json --iterations 30 --delay 1 --tcp-info-every 3600 --source bpf --ports $P \
	--unix-paths none > "$T/out.jsonl" 2>"$T/err" &
TT=$!
PIDS="$PIDS $TT"
# ss all along, each read with when it began and ended
( n=0; while kill -0 $TT 2>/dev/null; do
	t0=$(date +%s.%N)
	ss -tanHe "( sport = :$P or dport = :$P )" > "$T/ss.$n.txt"
	echo "$t0 $(date +%s.%N)" > "$T/ss.$n.time"
	n=$((n+1)); sleep 0.2
done ) &
PIDS="$PIDS $!"
wait $TT
rc=$?
python3 - "$T" $rc <<'PY'
import collections, glob, json, sys
T, rc = sys.argv[1], int(sys.argv[2])
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
check(rc == 0, "30 refreshes: exit status %d" % rc)
docs = [json.loads(l) for l in open(T + "/out.jsonl") if l.strip()]
M = {"ESTAB": "ESTABLISHED", "CLOSE-WAIT": "CLOSE_WAIT", "TIME-WAIT": "TIME_WAIT", "FIN-WAIT-2": "FIN_WAIT2",
     "FIN-WAIT-1": "FIN_WAIT1", "LAST-ACK": "LAST_ACK", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV"}
reads = []
for tf in glob.glob(T + "/ss.*.time"):
    t0, t1 = map(float, open(tf).read().split())
    tab, ck = {}, {}
    for l in open(tf[:-5] + ".txt"):
        f = l.split()
        if len(f) >= 5:
            tab[(f[3], f[4])] = M.get(f[0], f[0])
            ck[(f[3], f[4])] = next((x[3:] for x in f if x.startswith("sk:")), None)
    reads.append((t0, t1, tab, ck))
reads.sort(key=lambda r: r[0])
def listed(doc):
    tt = collections.defaultdict(set)
    for t in doc["tenants"]:
        for p in t["processes"]:
            for s in p["sockets"]:
                tt[(s["local"], s["remote"])].add(s["state"])
    for s in doc["unattributed"]["sockets"]:
        tt[(s["local"], s["remote"])].add(s["state"])
    return tt
check(docs and docs[0].get("tcp_table") == {"from": "read", "why": "first read"},
      "the first refresh reads every socket: %s" % (docs[0].get("tcp_table") if docs else None))
first = listed(docs[0]) if docs else {}
before = set(k for k, v in first.items() if v & {"TIME_WAIT", "FIN_WAIT2"})
from_events = [d for d in docs[1:] if d.get("tcp_table", {}).get("from") == "events"]
read_whys = collections.Counter(d.get("tcp_table", {}).get("why") for d in docs[1:]
                                if d.get("tcp_table", {}).get("from") != "events")
check(len(from_events) == len(docs) - 1, "the steady refreshes apply the kernel's changes: %d of %d%s"
      % (len(from_events), len(docs) - 1, " (the others read every socket: %s)" % dict(read_whys) if read_whys else ""))
compared = bad = changes = 0
worst = ""
for doc in from_events:
    pre = [r for r in reads if r[1] < doc["time"]]
    post = [r for r in reads if r[0] > doc["time"]]
    if not pre or not post:
        continue
    (_, _, a, ca), (_, _, b, cb) = pre[-1], post[0]
    tt = listed(doc)
    compared += 1
    changes += doc["tcp_table"]["changes"]
    for st in ("ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT", "FIN_WAIT2", "LAST_ACK"):
        skip = before if st in ("TIME_WAIT", "FIN_WAIT2") else set()
        both = [k for k, v in a.items() if v == st and b.get(k) == st and ca.get(k) and ca.get(k) == cb.get(k)
                and k not in skip]
        mine = [k for k, v in tt.items() if st in v and k not in skip]
        missed = [k for k in both if st not in tt.get(k, ())]
        invented = [k for k in mine if k not in a and k not in b and k[::-1] not in a and k[::-1] not in b]
        if missed or invented:
            bad += 1
            # each example: tenantop's states, ss's before and after, tenantop's in its first refresh
            worst = worst or "%s: %d missed, %d not seen by ss, e.g. %s" % (
                st, len(missed), len(invented), [(k, sorted(tt.get(k, ())), a.get(k), b.get(k),
                                                  sorted(first.get(k, ())) or "not in the first refresh")
                                                 for k in (missed + invented)[:2]])
check(compared >= 10, "%d refreshes from events compared with ss read around them (%d changes applied)"
      % (compared, changes))
check(bad == 0, "each lists what the kernel had, socket by socket, in every state%s"
      % ("" if not bad else ": %d differ, %s" % (bad, worst)))
tot = docs[-1]["totals"] if docs else {}
check(tot.get("TIME_WAIT", 0) > 100 and tot.get("CLOSE_WAIT", 0) > 0 and tot.get("FIN_WAIT2", 0) > 0,
      "the churn is there: %s" % tot)
sys.exit(1 if fails else 0)
PY
