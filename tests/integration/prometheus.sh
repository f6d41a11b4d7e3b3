#!/bin/sh
# The exporter scraped by a real Prometheus server on loopback: its HTTP API
# must return the simulator's per-tenant counts; promtool accepts the text.
set -u
B=${BUILD:-build}
command -v prometheus >/dev/null 2>&1 || { echo "prometheus is missing (Debian package prometheus)"; exit 77; }
command -v curl >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || { echo "no HTTP client"; exit 77; }
T=$(mktemp -d /tmp/tt-prom.XXXXXX)
. tests/integration/lib.sh
SIMPORT=$(free_ports 3) || exit 1; EXP=$((SIMPORT + 1)); PROM=$((SIMPORT + 2))
SIM= TT= PR=
trap 'kill $SIM $TT $PR 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
cat > "$T/tenantop.conf" <<X
[general]
ports = $SIMPORT
[rule]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
[rule]
kind = user
X
"$B/tenantop-sim" --port $SIMPORT --duration 90 --ready-file "$T/ready" --quiet \
	--tenant "-:estab=4,cw=3,name=alpha" --tenant "-:estab=6,name=beta" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
"$B/tenantop" --batch --listen 127.0.0.1:$EXP --delay 1 --config "$T/tenantop.conf" 2>"$T/tt.err" &
TT=$!
cat > "$T/prometheus.yml" <<X
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: tenantop
    static_configs: [{targets: ["127.0.0.1:$EXP"]}]
X
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" \
	--web.listen-address=127.0.0.1:$PROM > "$T/prom.log" 2>&1 &
PR=$!
fails=0
i=0; while ! get "http://127.0.0.1:$EXP/metrics" > "$T/metrics" 2>/dev/null || [ ! -s "$T/metrics" ]; do
	i=$((i+1)); [ $i -gt 50 ] && { echo "the exporter did not answer:"; cat "$T/tt.err"; exit 1; }; sleep 0.2; done
if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics < "$T/metrics" > "$T/promtool.out" 2>&1; then echo "  ok   promtool check metrics accepts the exposition"
	else echo "  FAIL promtool: $(cat "$T/promtool.out")"; fails=$((fails+1)); fi
fi
query() { get "http://127.0.0.1:$PROM/api/v1/query?query=$1" 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null; }
want() { # want DESCRIPTION QUERY VALUE
	i=0; v=""
	while [ $i -lt 60 ]; do v=$(query "$2"); [ "$v" = "$3" ] && break; sleep 0.5; i=$((i+1)); done
	if [ "$v" = "$3" ]; then echo "  ok   $1 = $v (from Prometheus's API)"; else echo "  FAIL $1: got '$v', want $3"; fails=$((fails+1)); fi
}
want "alpha CLOSE_WAIT" 'tenantop_sockets%7Btenant%3D%22alpha%22%2Cstate%3D%22CLOSE_WAIT%22%7D' 3
want "alpha ESTABLISHED" 'tenantop_sockets%7Btenant%3D%22alpha%22%2Cstate%3D%22ESTABLISHED%22%7D' 4
want "beta ESTABLISHED" 'tenantop_sockets%7Btenant%3D%22beta%22%2Cstate%3D%22ESTABLISHED%22%7D' 6
want "alpha leaked" 'tenantop_leaked_sockets%7Btenant%3D%22alpha%22%7D' 3
want "attribution complete" 'tenantop_attribution_complete' 1
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; tail -5 "$T/prom.log"; exit 1; }
