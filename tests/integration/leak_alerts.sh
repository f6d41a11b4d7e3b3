#!/bin/sh
# A growing leak on loopback is flagged (leak_growth, close_wait_ratio) with
# a finite ETA before the configured limit is hit; a healthy tenant raises
# nothing; alerts reach the log file and the --on-alert hook.
set -u
B=${BUILD:-build}
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-leak.XXXXXX)
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
cat > "$T/tenantop.conf" <<X
[rule]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
[rule]
kind = user
[detect]
growth_window = 20s
growth_per_min = 10
leak_ratio = 50%
limit = leaky:$PORT=200
limit = steady:$PORT=200
X
"$B/tenantop-sim" --port $PORT --duration 600 --ready-file "$T/ready" --quiet \
	--tenant "-:estab=10,cw=2,leak=120,name=leaky" --tenant "-:estab=15,name=steady" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
export HOOK_LOG="$T/hook.log"
# the hook runs without a shell line: a script of the operator's own
printf '#!/bin/sh\n[ "$1" = --from-tenantop ] || exit 1\nprintf "%%s|%%s|%%s|%%s\\n" "$TENANTOP_EVENT" "$TENANTOP_TENANT" "$TENANTOP_KIND" "$TENANTOP_ETA_S" >> "$HOOK_LOG"\n' > "$T/hook.sh"
chmod +x "$T/hook.sh"
"$B/tenantop" --batch --format json --iterations 16 --delay 1 --ports $PORT --config "$T/tenantop.conf" \
	--alert-log "$T/alerts.jsonl" \
	--on-alert "$T/hook.sh --from-tenantop" \
	> "$T/out.jsonl" 2>"$T/err" || { cat "$T/err"; exit 1; }
python3 - "$T/out.jsonl" "$T/alerts.jsonl" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
last = docs[-1]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what))
    fails += not ok
t = {x["name"]: x for x in last["tenants"]}
leaky = t.get("leaky", {}).get("states", {})
check(leaky.get("CLOSE_WAIT", 0) >= 20, "the leak grew: leaky holds %s CLOSE_WAIT" % leaky.get("CLOSE_WAIT"))
kinds = {(a["tenant"], a["kind"]): a for a in last["alerts"]}
check(("leaky", "leak_growth") in kinds, "leak_growth raised for leaky")
check(("leaky", "close_wait_ratio") in kinds, "close_wait_ratio raised for leaky")
pool = kinds.get(("leaky", "pool"))
check(pool is not None and 0 < pool.get("eta_s", -1) < 1200, "pool alert with a finite ETA: %s" % (pool and pool.get("eta_s")))
if pool:
    used = sum(v for k, v in t["leaky"]["states"].items() if k not in ("TIME_WAIT", "LISTEN"))
    check(used < 200, "raised before the limit was hit (%d of 200 in use)" % used)
    print("  message:", pool["message"])
check(not any(a["tenant"] == "steady" for a in last["alerts"]), "the healthy tenant raises nothing")
log = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
check(any(e["event"] == "raised" and e["kind"] == "leak_growth" for e in log), "the alert log has the raised leak_growth")
check(len(log) < 12, "the log is not repeated every refresh (%d events)" % len(log))
sys.exit(1 if fails else 0)
PY
rc=$?
# the hook saw the alert in its environment
grep -q '^raised|leaky|pool|[0-9]' "$T/hook.log" 2>/dev/null && echo "  ok   the --on-alert hook got the pool alert with its ETA" || { echo "  FAIL the hook log: $(cat "$T/hook.log" 2>/dev/null)"; rc=1; }
exit $rc
