#!/bin/sh
# Not root: tenantop run as an unprivileged user attributes that user's own
# processes from their descriptors, other users' sockets by the sockets' own
# uid (owner "socket-uid", the process unknown), and says attribution is
# partial and why (header, JSON).
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root to switch users"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "setpriv is missing"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-nonroot.XXXXXX)
chmod 755 "$T"
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
"$B/tenantop-sim" --port $PORT --duration 600 --ready-file "$T/ready" --quiet \
	--tenant "65534:estab=3,cw=2,name=mine" --tenant "2301:estab=4,cw=1,name=theirs" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
TT=$(readlink -f "$B/tenantop")
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --format json --ports $PORT > "$T/out.json" 2>"$T/err" || { cat "$T/err"; exit 1; }
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --ports $PORT > "$T/out.txt" 2>&1
ss -tanpeH "( sport = :$PORT or dport = :$PORT )" > "$T/ss.txt"
python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
doc = json.load(open(d + "/out.json"))
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
att = doc["attribution"]
check(att["complete"] is False, "attribution is marked partial")
check("not root" in att.get("reason", ""), "the reason says why: %s" % att.get("reason"))
check(att["fd_denied"] > 0, "%d processes could not be read, and are counted" % att["fd_denied"])
t = {x["name"]: x["states"] for x in doc["tenants"]}
mine = t.get("nobody") or t.get("65534") or {}
check(mine == {"ESTABLISHED": 3, "CLOSE_WAIT": 2}, "its own processes are attributed: %s" % mine)
theirs = next((x for x in doc["tenants"] if x["name"] == "2301"), None)
check(theirs is not None and theirs["states"] == {"ESTABLISHED": 4, "CLOSE_WAIT": 1},
      "another user's sockets, by their uid: %s" % (theirs["states"] if theirs else None))
procs = theirs["processes"] if theirs else []
check(len(procs) == 1 and procs[0]["pid"] == 0 and procs[0].get("unknown") is True and
      all(s.get("owner") == "socket-uid" for s in procs[0]["sockets"]),
      "... marked as such: one stand-in process (pid 0, unknown), every socket owner socket-uid")
ss_uid = {}
for l in open(d + "/ss.txt"):
    f = l.split()
    u = [x for x in f if x.startswith("uid:")]
    if f and f[0] in ("ESTAB", "CLOSE-WAIT") and u and u[0] == "uid:2301":
        ss_uid[f[0]] = ss_uid.get(f[0], 0) + 1
check(ss_uid == {"ESTAB": 4, "CLOSE-WAIT": 1}, "ss -tanpe says the same of uid 2301: %s" % ss_uid)
mine_procs = [p for x in doc["tenants"] if x["name"] in ("nobody", "65534") for p in x["processes"]]
check(mine_procs and all(p["pid"] > 0 for p in mine_procs), "its own processes are real processes")
txt = open(d + "/out.txt").read()
check("attribution PARTIAL: not root" in txt, "the text header says so")
sys.exit(1 if fails else 0)
PY
