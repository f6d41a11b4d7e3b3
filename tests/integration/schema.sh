#!/bin/sh
# The batch JSON against contrib/tenantop.schema.json (python3-jsonschema):
# every fixture proc tree (with and without the example config), the
# simulator's population (IPv4 and IPv6, leaks, resets, TIME_WAIT, a shared
# socket, alerts with a pool forecast, a baseline), Unix sockets (live and
# dead), a recording replayed, and
# live runs on this host (default ports, and every TCP and Unix socket).
set -u
B=${BUILD:-build}
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-schema.XXXXXX)
. tests/integration/lib.sh
SIM= SIM6= UNIXP=
trap 'kill $SIM $SIM6 $UNIXP 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fails=0
run() { # run NAME TENANTOP-ARGS...: its JSON lines into $T/NAME.json
	n=$1; shift
	if ! "$B/tenantop" --batch --format json "$@" > "$T/$n.json" 2> "$T/$n.err"; then
		echo "  FAIL tenantop $* exited $?: $(head -3 "$T/$n.err")"; fails=$((fails + 1))
	fi
	scen="$scen $n $T/$n.json"
}
scen=""
for d in tests/fixtures/proc-*/; do
	d=${d%/}
	[ -d "$d" ] || continue
	run "fixture-${d##*/}" --proc "$d" --ports 3306,3307,5432,6379
	run "fixture-${d##*/}-example-config" --proc "$d" --config tenantop.conf.example
done
PORT=$(free_ports 2) || exit 1
cat > "$T/tt.conf" <<X
[general]
ports = $PORT, $((PORT + 1))
[rule]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
[detect]
min_leaks = 1
leak_age = 1s
limit = $PORT=100
X
start_sim --port $PORT --tenant "-:estab=5,cw=3,reset=2,tw=4,procs=2,name=alpha" \
	--tenant "-:estab=3,cw=1,share,leak=120,name=beta" || exit 1
"$B/tenantop-sim" --addr ::1 --port $((PORT + 1)) --duration 600 --ready-file "$T/ready6" --quiet \
	--tenant "-:estab=2,cw=1,name=gamma" 2>"$T/sim6.err" &
SIM6=$!
i=0; while [ ! -f "$T/ready6" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
run simulator --config "$T/tt.conf" -n 4 -d 0.5 --record "$T/rec.ttrec"
run simulator-replayed --replay "$T/rec.ttrec" --config "$T/tt.conf"
"$B/tenantop" --batch --config "$T/tt.conf" --baseline "$T/base" --baseline-learn 1 --delay 0.4 >/dev/null 2>&1
run simulator-baseline --config "$T/tt.conf" --baseline "$T/base"
# Unix sockets: a server socket file watched by name, a client connected to
# it and one whose server end was closed (dead, still held)
mkdir -p "$T/run"
python3 -c '
import os, socket, sys, time
path, ready = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX); srv.bind(path); srv.listen()
c1 = socket.socket(socket.AF_UNIX); c1.connect(path); s1, _ = srv.accept()
c2 = socket.socket(socket.AF_UNIX); c2.connect(path); s2, _ = srv.accept()
s2.close()
open(ready, "w").close()
time.sleep(60)' "$T/run/mysqld.sock" "$T/unix-ready" &
UNIXP=$!
i=0; while [ ! -f "$T/unix-ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
run unix-sockets --ports 1 --unix-paths "$T/run/*.sock" -n 2 -d 0.3
kill $UNIXP 2>/dev/null
run live-default-ports
run live-all-ports --all-ports
run live-proc-source --all-ports --source proc
# kernel events (root, a BPF build): a lifecycle object per tenant, from
# connections that open and close while it runs
if [ "$(id -u)" = 0 ] && "$B/tenantop" --version | grep -q "eBPF events built in"; then
	LP=$(free_ports 1) || exit 1
	python3 -c '
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
def serve():
    while True:
        c, _ = s.accept(); c.close()
threading.Thread(target=serve, daemon=True).start()
for _ in range(300):
    socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()
    time.sleep(0.02)' $LP &
	UNIXP=$!
	run live-bpf --ports $LP --source bpf -n 3 -d 1
	kill $UNIXP 2>/dev/null
	bpfscen="$T/live-bpf.json"
else
	bpfscen=""
fi
python3 tests/integration/validate_json.py contrib/tenantop.schema.json $scen || fails=$((fails + 1))
# the scenarios did cover what the schema describes
python3 - "$T/simulator.json" "$T/simulator-baseline.json" "$T/unix-sockets.json" "$T/live-proc-source.json" $bpfscen <<'X' || fails=$((fails + 1))
import json, sys
docs = [json.loads(l) for f in sys.argv[1:4] for l in open(f) if l.strip()]
socks = [s for d in docs for t in d["tenants"] for p in t["processes"] for s in p["sockets"]]
seen = {"tcp6": any(s["family"] == "tcp6" for s in socks),
        "held": any(s.get("held") for s in socks),
        "alert with eta_s": any("eta_s" in a for d in docs for a in d["alerts"]),
        "baseline": any("baseline" in t for d in docs for t in d["tenants"]),
        "CLOSE_WAIT": any(s["state"] == "CLOSE_WAIT" for s in socks),
        "pools": any(d.get("pools") for d in docs),
        "watched": any(d.get("watched") for d in docs),
        "unix": any(s["family"] == "unix" for s in socks),
        "a dead unix connection": any(s["family"] == "unix" and s["state"] == "CLOSE_WAIT" for s in socks),
        "lifecycle null": any("lifecycle" in t and t["lifecycle"] is None
                              for l in open(sys.argv[4]) if l.strip() for t in json.loads(l)["tenants"])}
if len(sys.argv) > 5:
    bd = [json.loads(l) for l in open(sys.argv[5]) if l.strip()]
    seen["lifecycle with a lifetime"] = any((t.get("lifecycle") or {}).get("lifetime_s", {}).get("p50") is not None
                                            for d in bd for t in d["tenants"])
missing = [k for k, v in seen.items() if not v]
print("  ok   covered: " + ", ".join(seen) if not missing else "  FAIL not covered: " + ", ".join(missing))
sys.exit(1 if missing else 0)
X
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
