#!/bin/sh
# Exact from the first refresh: the dead connections exist before tenantop
# starts (reset by the server over IPv4, IPv6 and v4-mapped IPv6; Unix
# connections whose server ended them or exited), beside reset connections
# to a port that is not a database's.  One --batch refresh must show every
# dead database connection with its real endpoint, and nothing else: checked
# against what the script that made them knows, /proc/PID/fd, ss -tanpe and
# ss -xp.
set -u
B=${BUILD:-build}
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root (pidfd_getfd on other processes)"; exit 77; }
T=$(mktemp -d /tmp/tt-first.XXXXXX)
. tests/integration/lib.sh
P=$(free_ports 3) || exit 1
PDB=$P PDB6=$((P + 1)) POTHER=$((P + 2))
MAKER=
trap 'touch "$T/stop"; [ -n "$MAKER" ] && wait $MAKER 2>/dev/null; rm -rf "$T"' EXIT INT TERM
python3 tests/integration/deadconn.py "$T" $PDB $PDB6 $POTHER 2>"$T/maker.err" &
MAKER=$!
i=0; while [ ! -f "$T/facts.json" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/maker.err"; exit 1; }; sleep 0.1; done
# ground truth, read before tenantop runs
ss -tanpeH > "$T/ss-tan.txt"
ss -xpH > "$T/ss-x.txt"
for pid in $(python3 -c "import json;print(' '.join(str(c['pid']) for c in json.load(open('$T/facts.json'))['children']))"); do
	for f in /proc/$pid/fd/*; do printf '%s %s %s\n' "$pid" "${f##*/}" "$(readlink "$f")"; done
done > "$T/fds.txt"
# the situation is made: now tenantop, once
"$B/tenantop" --batch --format json --ports $PDB,$PDB6 --unix-paths "$T/*/mysqld.sock,$T/mysqld.sock" > "$T/out.json" 2>"$T/err"
rc=$?
python3 - "$T" "$rc" $PDB $PDB6 $POTHER <<'PY'
import json, sys
d, rc, pdb, pdb6, pother = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
check(rc == 0, "one refresh: exit status %d" % rc)
facts = {c["name"]: c for c in json.load(open(d + "/facts.json"))["children"]}
for c in facts.values():
    if "error" in c:
        check(False, "%s: %s" % (c["name"], c["error"]))
doc = json.load(open(d + "/out.json"))
procs, where = {}, {}
for t in doc["tenants"]:
    for p in t["processes"]:
        procs[p["pid"]] = p
        for s in p["sockets"]:
            where.setdefault(s["inode"], []).append((p["pid"], s))
for s in doc["unattributed"]["sockets"]:
    where.setdefault(s["inode"], []).append((None, s))
held = {}  # inode -> pid, from /proc/PID/fd as read before tenantop ran
for l in open(d + "/fds.txt"):
    pid, fd, link = l.split(" ", 2)
    if link.startswith("socket:["):
        held[int(link.strip()[8:-1])] = int(pid)
ss_inodes = set()
for l in open(d + "/ss-tan.txt"):
    for f in l.split():
        if f.startswith("ino:"):
            ss_inodes.add(int(f[4:]))

# 1. every connection reset by the server, seen at once with its real peer
ra = facts["resetall"]
got = {s["inode"]: s for pid, s in sum((where.get(r["inode"], []) for r in ra["reset"]), [])}
ok = all(r["inode"] in got and got[r["inode"]]["state"] == "CLOSE" and got[r["inode"]]["remote"] == r["remote"]
         for r in ra["reset"])
check(ok, "resetall: %d connections reset before tenantop started, %d shown as CLOSE with their peer (%s)"
      % (len(ra["reset"]), sum(1 for r in ra["reset"] if r["inode"] in got and got[r["inode"]]["state"] == "CLOSE"),
         ", ".join(sorted(set(s["remote"] for s in got.values())))))
check(all(held.get(r["inode"]) == ra["pid"] for r in ra["reset"]) and not any(r["inode"] in ss_inodes for r in ra["reset"]),
      "resetall: /proc/%d/fd holds all of them, ss -tanpe lists none" % ra["pid"])
p = procs.get(ra["pid"], {})
check(p.get("states", {}).get("CLOSE") == len(ra["reset"]) and "endpoint_unknown" not in p,
      "resetall: its process counts CLOSE %s" % p.get("states", {}).get("CLOSE"))
# 2. a live database connection and reset calls elsewhere: only the first
mx = facts["mixed"]
p = procs.get(mx["pid"], {})
check(any(s["inode"] == mx["live"] and s["state"] == "ESTABLISHED" for s in p.get("sockets", [])),
      "mixed: its live database connection is shown")
check(not any(i in where for i in mx["other_reset"]) and p.get("states", {}).get("CLOSE", 0) == 0
      and "endpoint_unknown" not in p,
      "mixed: its %d reset connections to port %s are not counted (states %s)" % (len(mx["other_reset"]), pother, p.get("states")))
check(all(held.get(i) == mx["pid"] for i in mx["other_reset"]), "mixed: /proc/%d/fd does hold them" % mx["pid"])
# 3./4. Unix connections whose server ended them, or exited
for name in ("unixdead", "unixgone"):
    u = facts[name]
    got = [s for i in u["dead"] for pid, s in where.get(i, []) if pid == u["pid"]]
    check(len(got) == len(u["dead"]) and all(s["state"] == "CLOSE_WAIT" and s["remote"] == u["path"] for s in got),
          "%s: %d connections whose server end is gone, %d shown as CLOSE_WAIT to %s"
          % (name, len(u["dead"]), len(got), u["path"][len(d):]))
    ssx = [l for l in open(d + "/ss-x.txt") if any(" %d " % i in l for i in u["dead"])]
    check(len(ssx) == len(u["dead"]) and all(l.split()[7] == "0" or l.split()[6] == "*" for l in ssx),
          "%s: ss -xp shows them with no peer" % name)
# nothing invented: every CLOSE and every socket of the makers is one of theirs
mine = set(r["inode"] for r in ra["reset"]) | set(facts["unixdead"]["dead"]) | set(facts["unixgone"]["dead"]) | {mx["live"], mx["live_server"]}
closes = [i for i, v in where.items() if any(s["state"] == "CLOSE" for _, s in v)]
check(doc["totals"].get("CLOSE", 0) == len(ra["reset"]) and set(closes) <= mine,
      "totals: CLOSE %d, every one of them made by the test" % doc["totals"].get("CLOSE", 0))
check(doc["attribution"].get("endpoint_unknown", 0) == 0, "no socket of unknown endpoint (root asks every one)")
# every live socket ss lists on the ports is there, in its state and process
m = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN"}
bad = 0
n = 0
for l in open(d + "/ss-tan.txt"):
    f = l.split()
    if len(f) < 5 or not any(f[3].endswith(":" + q) or f[4].endswith(":" + q) for q in (pdb, pdb6)):
        continue
    ino = [int(x[4:]) for x in f if x.startswith("ino:")]
    if not ino or ino[0] == 0:
        continue
    n += 1
    v = where.get(ino[0], [])
    if not v or v[0][1]["state"] != m.get(f[0], f[0]):
        bad += 1
check(n > 0 and bad == 0, "%d sockets from ss -tanpe on the database ports, %d wrong or missing" % (n, bad))
sys.exit(1 if fails else 0)
PY
