#!/bin/sh
# Recordings as evidence: a recording carries its rules, thresholds and
# interval, so --replay FILE alone shows the tenants and alerts of the live
# run (--config at replay time re-attributes, and says so); an older
# recording without settings still replays; a damaged record costs only the
# stretch up to the next whole record, said on stderr, exit status 1.
set -u
B=${BUILD:-build}
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-replay.XXXXXX)
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }

# --- the same incident on the receiver's side -------------------------
cat > "$T/rules.conf" <<X
[rule sim clients]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
[rule sim server]
kind = cmdline
pattern = tenantop-sim --port
tenant = db-server
[detect]
leak_age = 1s
min_leaks = 2
limit = $PORT=20
X
start_sim --port $PORT --tenant "-:estab=6,cw=4,procs=2,name=alice" --tenant "-:estab=3,cw=3,reset=2,name=bob" \
	--tenant "-:estab=10,name=carol" || exit 1
# (no database probes: what the servers say is not recorded, so a replay
# could not show the alerts it raises; other tests' servers may be up)
"$B/tenantop" --batch --format json -n 4 -d 0.5 --ports $PORT --config "$T/rules.conf" --record "$T/inc.ttrec" --no-db \
	> "$T/live.jsonl" 2>"$T/live.err" || { cat "$T/live.err"; exit 1; }
kill $SIM; wait $SIM 2>/dev/null; SIM=
# the receiver has a config of its own at the default place: not used
mkdir -p "$T/home/.config/tenantop"
printf '[rule]\nkind = user\n' > "$T/home/.config/tenantop/tenantop.conf"
HOME="$T/home" XDG_CONFIG_HOME= "$B/tenantop" --batch --format json --replay "$T/inc.ttrec" > "$T/rep.jsonl" 2>"$T/rep.err"
rc=$?
[ $rc -eq 0 ] && ok "replay without --config -> 0" || bad "replay without --config -> $rc: $(cat "$T/rep.err")"
HOME="$T/home" XDG_CONFIG_HOME= "$B/tenantop" --batch --replay "$T/inc.ttrec" > "$T/rep.txt" 2>&1
grep -q "^replay: rules as recorded ($T/rules.conf), recorded every 0.5s" "$T/rep.txt" &&
	ok "text header: rules as recorded, recorded every 0.5s" || bad "text header: $(head -3 "$T/rep.txt")"
"$B/tenantop" --batch --format json --replay "$T/inc.ttrec" --config "$T/home/.config/tenantop/tenantop.conf" \
	> "$T/reattr.jsonl" 2>"$T/reattr.err"
grep -q "re-attributed with --config" "$T/reattr.err" && ok "--config at replay: said on stderr" ||
	bad "--config at replay: $(cat "$T/reattr.err")"
# an older recording (no settings record): strip it
python3 - "$T/inc.ttrec" "$T/old.ttrec" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
out, off = bytearray(d[:32]), 32
while off < len(d):
    clen = struct.unpack_from('<I', d, off + 4)[0]
    if d[off:off + 4] != b'TTRM':
        out += d[off:off + 16 + clen]
    off += 16 + clen
open(sys.argv[2], 'wb').write(out)
PY
"$B/tenantop" --batch --format json --replay "$T/old.ttrec" > "$T/old.jsonl" 2>"$T/old.err"
rc=$?
[ $rc -eq 0 ] && grep -q "the recording has no settings" "$T/old.err" && ok "older recording replays, said -> 0" ||
	bad "older recording -> $rc: $(cat "$T/old.err")"
python3 - "$T/live.jsonl" "$T/rep.jsonl" "$T/reattr.jsonl" "$T/old.jsonl" "$T/rules.conf" <<'PY' || fails=$((fails + 1))
import json, sys
load = lambda p: [json.loads(l) for l in open(p) if l.strip()]
live, rep, reattr, old = (load(p) for p in sys.argv[1:5])
def tenants(o): return sorted((t['name'], tuple(sorted(t['states'].items()))) for t in o['tenants'])
def alerts(o): return sorted((a['tenant'], a['kind'], a['severity'], a['message']) for a in o['alerts'])
bad = 0
def check(cond, what):
    global bad
    print(('  ok   ' if cond else '  FAIL ') + what)
    bad += not cond
check(len(live) == 4 and len(rep) == 4 and len(old) == 4, f"4 refreshes live, replayed, and from the older file ({len(live)}, {len(rep)}, {len(old)})")
names = {t['name'] for t in live[-1]['tenants']}
check({'alice', 'bob', 'carol'} <= names, f"live tenants by the config's rules: {sorted(names)}")
check(any(a['kind'] == 'leak_age' for a in live[-1]['alerts']), "live: leak_age alerts (leak_age = 1s from the config)")
for i, (a, b) in enumerate(zip(live, rep)):
    check(tenants(a) == tenants(b), f"refresh {i + 1}: same tenants and states as live ({len(a['tenants'])})")
    check(alerts(a) == alerts(b), f"refresh {i + 1}: same alerts as live ({len(a['alerts'])})")
r = rep[0].get('replay', {})
check(r.get('settings') == 'recorded' and r.get('config') == sys.argv[5] and r.get('interval_s') == 0.5,
      f"JSON replay: {r}")
r = reattr[0].get('replay', {})
check(r.get('settings') == 're-attributed' and 'recorded with ' + sys.argv[5] in r.get('note', ''), f"JSON re-attributed: {r}")
check(tenants(reattr[-1]) != tenants(live[-1]), "re-attributed: other tenants (the user rule)")
check(old[0].get('replay', {}).get('settings') == 'unrecorded', "older file: settings unrecorded")
sys.exit(1 if bad else 0)
PY

# --- discovered servers: their ports are in the recording too ------------
# (no --ports: tenantop watches what the servers listen on; the simulator
# is named a server by the config's servers =)
cat > "$T/disc.conf" <<X
[general]
servers = tenantop-sim
[rule sim clients]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
X
start_sim --port $PORT --tenant "-:estab=5,cw=2,name=disc-alice" --tenant "-:estab=4,name=disc-bob" || exit 1
"$B/tenantop" --batch --format json -n 2 -d 0.5 --config "$T/disc.conf" --record "$T/disc.ttrec" \
	> "$T/dlive.jsonl" 2>"$T/dlive.err" || { cat "$T/dlive.err"; exit 1; }
kill $SIM; wait $SIM 2>/dev/null; SIM=
HOME="$T/home" XDG_CONFIG_HOME= "$B/tenantop" --batch --format json --replay "$T/disc.ttrec" > "$T/drep.jsonl" 2>"$T/drep.err" ||
	{ cat "$T/drep.err"; fails=$((fails + 1)); }
python3 - "$T/dlive.jsonl" "$T/drep.jsonl" "$PORT" <<'PY' || fails=$((fails + 1))
import json, sys
live, rep = ([json.loads(l) for l in open(p) if l.strip()] for p in sys.argv[1:3])
port = sys.argv[3]
def ours(o):
    # tenants, states and each socket's role and port: the roles come from
    # the watched (discovered) ports, which the recording must carry
    return sorted((t['name'], tuple(sorted(t['states'].items())),
                   tuple(sorted((k['state'], k['role'], k['remote']) for p in t['processes'] for k in p['sockets'])))
                  for t in o['tenants'] if t['name'].startswith('disc-'))
bad = 0
w = [x for x in live[0].get('watched', []) if x.get('endpoint') == 'tcp:' + port]
print(('  ok   ' if w and w[0].get('why') == 'discovered' else '  FAIL ') + f"live: port {port} watched as discovered: {w}")
bad += not (w and w[0].get('why') == 'discovered')
for i, (a, b) in enumerate(zip(live, rep)):
    ok = ours(a) == ours(b) and len(ours(a)) == 2
    print(('  ok   ' if ok else '  FAIL ') + f"discovered port, refresh {i + 1}: same tenants, states and socket roles as live"
          + ("" if ok else f": replay {ours(b)}, live {ours(a)}"))
    bad += not ok
ok = [x.get('endpoint') for x in rep[0].get('watched', [])] == [x.get('endpoint') for x in live[0].get('watched', [])]
print(('  ok   ' if ok else '  FAIL ') + "the replay says what was watched, as live")
bad += not ok
sys.exit(1 if bad else 0)
PY

# --- a damaged record costs only up to the next whole one ---------------
"$B/tenantop" --batch --format json -n 73 -d 0.01 --proc tests/fixtures/proc-basic --record "$T/long.ttrec" \
	>/dev/null 2>"$T/long.err" || { cat "$T/long.err"; exit 1; }
"$B/tenantop" --batch --format json --replay "$T/long.ttrec" > "$T/whole.jsonl" 2>"$T/whole.err"
rc=$?
n=$(wc -l < "$T/whole.jsonl")
[ $rc -eq 0 ] && [ "$n" -eq 73 ] && ok "undamaged: 73 records -> 0" || bad "undamaged: $n records -> $rc"
# damage FILE REC WHERE: flip one byte of record REC (1-based; settings
# records not counted) in its data or its header's magic or length
damage() {
	python3 - "$T/long.ttrec" "$1" "$2" "$3" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
want, where, off, n = int(sys.argv[3]), sys.argv[4], 32, 0
while off < len(d):
    clen = struct.unpack_from('<I', d, off + 4)[0]
    if d[off:off + 4] != b'TTRM':
        n += 1
        if n == want:
            pos = {'data': off + 16 + clen // 2, 'magic': off + 2, 'length': off + 7}[where]
            d[pos] ^= 0x5a
            break
    off += 16 + clen
open(sys.argv[2], 'wb').write(d)
PY
}
check_damaged() { # NAME REC WHERE EXPECTED-RECORDS MESSAGE
	damage "$T/$1.ttrec" "$2" "$3"
	"$B/tenantop" --batch --format json --replay "$T/$1.ttrec" > "$T/$1.jsonl" 2>"$T/$1.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$5" "$T/$1.err" &&
		python3 - "$T/whole.jsonl" "$T/$1.jsonl" "$4" <<'PY'
import json, sys
whole = [json.loads(l)['time'] for l in open(sys.argv[1])]
got = [json.loads(l)['time'] for l in open(sys.argv[2])]
want = []
for part in sys.argv[3].split(','):
    a, b = map(int, part.split('-'))
    want += whole[a - 1:b]
sys.exit(0 if got == want else 1)
PY
	then ok "$1: records $4 printed, '$5' -> 1"
	else bad "$1: -> $rc, $(wc -l < "$T/$1.jsonl") records, stderr: $(cat "$T/$1.err")"; fi
}
check_damaged mid 24 data "1-23,61-73" "record 24 is damaged (checksum mismatch); records 24-60 lost, going on from record 61"
check_damaged first 1 data "61-73" "record 1 is damaged (checksum mismatch); records 1-60 lost, going on from record 61"
check_damaged magic 24 magic "1-23,61-73" "record 24 is damaged (its header); records 24-60 lost, going on from record 61"
check_damaged length 30 length "1-29,61-73" "record 30 is damaged (its header); records 30-60 lost, going on from record 61"
check_damaged tail 65 data "1-64" "record 65 is damaged (checksum mismatch); records 65-73 lost (to the end of the recording)"
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
