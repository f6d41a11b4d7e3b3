#!/bin/sh
# The exporter scraped by a real Prometheus server on loopback: its HTTP API
# must return the simulator's per-tenant counts; promtool accepts the text;
# every query of the Grafana dashboard (contrib/grafana-dashboard.json) and of
# its template variables parses and returns series for this population.
# A second exporter behind --web-config (TLS with a self-signed certificate,
# basic auth with a bcrypt hash) is scraped by the same Prometheus over
# HTTPS with the password; curl: no password 401, wrong 401, right 200.
set -u
B=${BUILD:-build}
command -v prometheus >/dev/null 2>&1 || { echo "prometheus is missing (Debian package prometheus)"; exit 77; }
command -v curl >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || { echo "no HTTP client"; exit 77; }
T=$(mktemp -d /tmp/tt-prom.XXXXXX)
. tests/integration/lib.sh
SIMPORT=$(free_ports 5) || exit 1; EXP=$((SIMPORT + 1)); PROM=$((SIMPORT + 2)); TLSEXP=$((SIMPORT + 3)); IDLE=$((SIMPORT + 4))
SIM= TT= PR= TT2=
trap 'kill $SIM $TT $TT2 $PR 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
tls=1
for c in openssl htpasswd curl; do command -v $c >/dev/null 2>&1 || { echo "  (no $c: the TLS scrape is skipped)"; tls=0; }; done
get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
cat > "$T/tenantop.conf" <<X
[general]
ports = $SIMPORT
[rule]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
[rule]
kind = user
[detect]
min_leaks = 1
limit = $SIMPORT=400
X
# gamma cycles connections (TIME_WAIT) and leaks one a second (a pool forecast)
"$B/tenantop-sim" --port $SIMPORT --duration 600 --ready-file "$T/ready" --quiet \
	--tenant "-:estab=4,cw=3,name=alpha" --tenant "-:estab=6,name=beta" \
	--tenant "-:estab=2,churn=5,leak=60,name=gamma" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
"$B/tenantop" --batch --listen 127.0.0.1:$EXP --delay 1 --config "$T/tenantop.conf" 2>"$T/tt.err" &
TT=$!
cat > "$T/prometheus.yml" <<X
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$PWD/contrib/prometheus-rules.yml"]
scrape_configs:
  - job_name: tenantop
    static_configs: [{targets: ["127.0.0.1:$EXP"]}]
X
if [ $tls = 1 ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 || { echo "openssl failed"; exit 1; }
	hash=$(htpasswd -nbBC 10 scraper 'pa ss:w0rd' | cut -d: -f2)
	cat > "$T/web.yml" <<X
# exporter-toolkit's format
tls_server_config:
  cert_file: cert.pem       # relative to this file
  key_file: "$T/key.pem"
basic_auth_users:
  scraper: '$hash'
X
	printf 'pa ss:w0rd' > "$T/password"
	# it watches a port nobody uses: the dashboard's and the rules' queries
	# above then see one instance with tenants, as without it
	"$B/tenantop" --batch --listen 127.0.0.1:$TLSEXP --web-config "$T/web.yml" --delay 1 --config "$T/tenantop.conf" \
		--ports $IDLE 2>"$T/tt2.err" &
	TT2=$!
	cat >> "$T/prometheus.yml" <<X
  - job_name: tenantop_tls
    scheme: https
    tls_config: {ca_file: "$T/cert.pem"}
    basic_auth: {username: scraper, password_file: "$T/password"}
    static_configs: [{targets: ["127.0.0.1:$TLSEXP"]}]
X
fi
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
if command -v promtool >/dev/null 2>&1; then
	if promtool check rules contrib/prometheus-rules.yml > "$T/rules.out" 2>&1; then echo "  ok   promtool check rules: $(grep -o 'SUCCESS.*' "$T/rules.out")"
	else echo "  FAIL promtool check rules: $(cat "$T/rules.out")"; fails=$((fails+1)); fi
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
# (gamma's leaks grow meanwhile: at least alpha's 3)
want "series of the recording rule tenantop:leaked_sockets:sum_by_instance >= 3" 'count(tenantop%3Aleaked_sockets%3Asum_by_instance%20%3E%3D%203)' 1
# the rules loaded and evaluated without an error
python3 -c '
import json, sys, time, urllib.request
for _ in range(40):  # health is "unknown" until a rule is first evaluated
    g = json.load(urllib.request.urlopen(sys.argv[1], timeout=5))["data"]["groups"]
    rules = [r for x in g for r in x["rules"]]
    bad = [r["name"] for r in rules if r.get("health") != "ok"]
    if rules and not bad:
        break
    time.sleep(0.5)
print(f"  ok   {len(rules)} rules of contrib/prometheus-rules.yml loaded and evaluated" if rules and not bad else f"  FAIL rules: {len(rules)} loaded, unhealthy: {bad}")
sys.exit(1 if bad or not rules else 0)' "http://127.0.0.1:$PROM/api/v1/rules" || fails=$((fails+1))
# the dashboard's queries, with its variables at All (.*), then at this
# instance and tenant alpha
python3 - contrib/grafana-dashboard.json "http://127.0.0.1:$PROM" "127.0.0.1:$EXP" <<'X' || fails=$((fails+1))
import json, re, sys, time, urllib.parse, urllib.request
dash, base, inst = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(dash))
def query(q):
    u = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        r = json.load(urllib.request.urlopen(u, timeout=5))
    except urllib.error.HTTPError as e:
        r = json.load(e)
    return r
def subst(e, v):
    for k, x in v.items():
        e = e.replace("${%s}" % k, x).replace("$" + k, x)
    return e
def until_series(q, tries=60):
    for _ in range(tries):
        r = query(q)
        if r.get("status") != "success":
            return r, []
        if r["data"]["result"]:
            return r, r["data"]["result"]
        time.sleep(0.5)
    return r, []
fails = 0
# a dashboard Grafana can lay out: unique ids, panels inside 24 columns, none overlapping
ids = [p["id"] for p in d["panels"]]
cells = {}
for p in d["panels"]:
    g = p["gridPos"]
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            cells.setdefault((x, y), []).append(p["title"])
over = {tuple(v) for v in cells.values() if len(v) > 1}
wide = [p["title"] for p in d["panels"] if p["gridPos"]["x"] + p["gridPos"]["w"] > 24]
if len(set(ids)) == len(ids) and not over and not wide:
    print(f"  ok   dashboard layout: {len(ids)} panels, unique ids, within 24 columns, no overlap")
else:
    print(f"  FAIL dashboard layout: ids {ids}, overlapping {over}, too wide {wide}")
    fails += 1
# template variables: label_values(SELECTOR, LABEL)
for var in d["templating"]["list"]:
    if var["type"] != "query":
        continue
    m = re.fullmatch(r"label_values\((.*), *(\w+)\)", var["query"]["query"])
    sel, lab = subst(m.group(1), {"instance": ".*"}), m.group(2)
    r, res = until_series(sel)
    vals = sorted({x["metric"].get(lab, "") for x in res})
    want = {"instance": [inst], "tenant": ["alpha", "beta", "gamma"]}[var["name"]]
    if all(w in vals for w in want):
        print(f"  ok   variable {var['name']}: {sel} -> {vals}")
    else:
        print(f"  FAIL variable {var['name']}: {sel} -> {vals} (want {want}) {r.get('error', '')}")
        fails += 1
targets = [(p["title"], t["expr"]) for p in d["panels"] for t in p.get("targets", [])]
for title, expr in targets:
    q = subst(expr, {"instance": ".*", "tenant": ".*"})
    r, res = until_series(q)
    if res:
        print(f"  ok   panel '{title}': {len(res)} series, e.g. {res[0]['metric']} = {res[0]['value'][1]}")
    else:
        print(f"  FAIL panel '{title}': {q}: {r.get('status')} {r.get('error', 'no series')}")
        fails += 1
one = {"instance": inst, "tenant": "alpha"}
for title, expr in targets:
    r = query(subst(expr, one))
    if r.get("status") != "success":
        print(f"  FAIL panel '{title}' at instance {inst}, tenant alpha: {r.get('error')}")
        fails += 1
r = query(subst(targets[0][1], one))["data"]["result"]
if len(r) == 1 and r[0]["value"][1] == "3" and r[0]["metric"] == {"instance": inst, "tenant": "alpha"}:
    print(f"  ok   at instance {inst}, tenant alpha: every panel's query parses; leaked = 3 (the simulator's CLOSE_WAIT)")
else:
    print(f"  FAIL leaked sockets for alpha: {r}")
    fails += 1
sys.exit(1 if fails else 0)
X
if [ $tls = 1 ]; then
	code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" "$@"; }
	i=0; while [ "$(code -u "scraper:pa ss:w0rd" "https://127.0.0.1:$TLSEXP/metrics")" != 200 ]; do
		i=$((i+1)); [ $i -gt 50 ] && { echo "  FAIL the TLS exporter did not answer: $(cat "$T/tt2.err")"; fails=$((fails+1)); break; }
		sleep 0.2; done
	c=$(code "https://127.0.0.1:$TLSEXP/metrics"); [ "$c" = 401 ] && echo "  ok   TLS, no password: $c" || { echo "  FAIL TLS, no password: $c"; fails=$((fails+1)); }
	c=$(code -u scraper:wrong "https://127.0.0.1:$TLSEXP/metrics"); [ "$c" = 401 ] && echo "  ok   TLS, wrong password: $c" || { echo "  FAIL TLS, wrong password: $c"; fails=$((fails+1)); }
	c=$(code -u "nobody:pa ss:w0rd" "https://127.0.0.1:$TLSEXP/metrics"); [ "$c" = 401 ] && echo "  ok   TLS, unknown user: $c" || { echo "  FAIL TLS, unknown user: $c"; fails=$((fails+1)); }
	c=$(code -u "scraper:pa ss:w0rd" "https://127.0.0.1:$TLSEXP/metrics"); [ "$c" = 200 ] && echo "  ok   TLS, right password: $c" || { echo "  FAIL TLS, right password: $c"; fails=$((fails+1)); }
	c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TLSEXP/metrics"); [ "$c" != 200 ] && echo "  ok   plain HTTP to the TLS port: not served ($c)" || { echo "  FAIL plain HTTP served"; fails=$((fails+1)); }
	c=$(curl -s -o /dev/null -w '%{http_code}' -u "scraper:pa ss:w0rd" "https://127.0.0.1:$TLSEXP/metrics"); [ "$c" = 000 ] && echo "  ok   an unknown certificate is refused by a verifying client" || { echo "  FAIL unverified certificate accepted ($c)"; fails=$((fails+1)); }
	want "TLS scrape: target up" 'up%7Bjob%3D%22tenantop_tls%22%7D' 1
	want "TLS scrape: attribution complete" 'tenantop_attribution_complete%7Bjob%3D%22tenantop_tls%22%7D' 1
	want "TLS scrape: tenants (none on its idle port)" 'tenantop_tenants%7Bjob%3D%22tenantop_tls%22%7D' 0
fi
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; tail -5 "$T/prom.log"; exit 1; }
