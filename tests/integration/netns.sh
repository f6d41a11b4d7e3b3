#!/bin/sh
# A network namespace made by the test (ip netns, loopback inside) holding a
# server and leaking clients on the same port as a population on the host:
# tenantop counts the namespace's sockets apart (their own tables, read
# through a member process), names the tenant by the netns rule, and agrees
# with ss run inside the namespace.
set -u
B=${BUILD:-build}
. tests/integration/lib.sh
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns)"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "ip (iproute2) is missing"; exit 77; }
NS=tt-ns-$$
T=$(mktemp -d /tmp/tt-netns.XXXXXX)
PIDS=
cleanup() { kill $PIDS 2>/dev/null; wait 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
ip netns add "$NS" || { echo "cannot create a network namespace"; exit 77; }
ip netns exec "$NS" ip link set lo up
PORT=$(free_ports 1) || exit 1
ip netns exec "$NS" "$B/tenantop-sim" --port $PORT --duration 600 --ready-file "$T/ready1" --quiet \
	--tenant "2301:estab=3,cw=2,name=contained" 2>"$T/sim1.err" &
PIDS="$PIDS $!"
"$B/tenantop-sim" --port $PORT --duration 600 --ready-file "$T/ready2" --quiet \
	--tenant "2302:estab=2,name=outside" 2>"$T/sim2.err" &
PIDS="$PIDS $!"
i=0; while [ ! -f "$T/ready1" ] || [ ! -f "$T/ready2" ]; do
	i=$((i+1)); [ $i -gt 100 ] && { cat "$T"/sim*.err; exit 1; }; sleep 0.1; done
cat > "$T/tt.conf" <<X
[rule namespaces]
kind = netns
[rule users]
kind = user
X
"$B/tenantop" --batch --format json --ports $PORT --config "$T/tt.conf" > "$T/ns.json" || exit 1
"$B/tenantop" --batch --format json --ports $PORT --config "$T/tt.conf" --no-netns > "$T/nonet.json" || exit 1
ip netns exec "$NS" ss -tanH "( sport = :$PORT or dport = :$PORT )" > "$T/ss-ns.txt"
ss -tanH "( sport = :$PORT or dport = :$PORT )" > "$T/ss-host.txt"
"$B/tenantop" --batch --ports $PORT --config "$T/tt.conf" | sed -n '1,9p'
python3 - "$T" "$NS" <<'PY'
import json, sys
d, ns = sys.argv[1], sys.argv[2]
doc = json.load(open(d + "/ns.json"))
nonet = json.load(open(d + "/nonet.json"))
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
ten = {t["name"]: t for t in doc["tenants"]}
t = ten.get(ns)
check(t is not None and t["rule"] == "netns", "the namespace's processes are tenant %s by the netns rule (%s)" % (ns, t and t["rule_detail"]))
want = {"ESTABLISHED": 6, "CLOSE_WAIT": 2, "LISTEN": 1}  # the server's FIN_WAIT2 ends are orphans
check(t is not None and t["states"] == want, "its sockets counted: %s (want %s)" % (t and t["states"], want))
socks = [s for t2 in doc["tenants"] for p in t2["processes"] for s in p["sockets"]]
socks += doc["unattributed"].get("sockets", [])
nss = [s for s in socks if s.get("netns")]
nss_ss = sum(1 for l in open(d + "/ss-ns.txt") if l.strip())
check(len(nss) == nss_ss, "as many namespace sockets as ss inside the namespace lists (%d, ss %d)" % (len(nss), nss_ss))
check(all(p.get("netns_name") == ns for p in t["processes"]) if t else False, "its processes carry the netns and its name")
out = ten.get("2302")
check(out is not None and out["states"] == {"ESTABLISHED": 2}, "the host's tenant on the same port is apart: %s" % (out and out["states"]))
check(doc["attribution"].get("netns_read", 0) >= 1 and doc["attribution"].get("netns_failed") == 0,
      "attribution says %s namespace(s) read, %s unreadable" % (doc["attribution"].get("netns_read"), doc["attribution"].get("netns_failed")))
check(ns not in {t["name"] for t in nonet["tenants"]}, "--no-netns reads the host's tables only")
sys.exit(1 if fails else 0)
PY
