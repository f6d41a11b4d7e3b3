#!/bin/sh
# Not root: tenantop run as an unprivileged user attributes that user's own
# processes, counts the rest as unattributed, and says attribution is
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
"$B/tenantop-sim" --port $PORT --duration 30 --ready-file "$T/ready" --quiet \
	--tenant "65534:estab=3,cw=2,name=mine" --tenant "2301:estab=4,cw=1,name=theirs" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
TT=$(readlink -f "$B/tenantop")
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --format json --ports $PORT > "$T/out.json" 2>"$T/err" || { cat "$T/err"; exit 1; }
setpriv --reuid=65534 --regid=65534 --clear-groups "$TT" --batch --ports $PORT > "$T/out.txt" 2>&1
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
check("2301" not in t, "other users' sockets are not guessed")
un = doc["unattributed"]["states"]
check(un.get("ESTABLISHED", 0) >= 4 and un.get("CLOSE_WAIT", 0) >= 1, "the rest is unattributed: %s" % un)
txt = open(d + "/out.txt").read()
check("attribution PARTIAL: not root" in txt, "the text header says so")
sys.exit(1 if fails else 0)
PY
