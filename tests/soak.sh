#!/bin/sh
# make soak: tenantop (built with AddressSanitizer + UBSan) in batch mode for
# SOAK_SECONDS against a simulator that cycles connections, leaks, and
# starts and ends processes, with its RSS sampled every 10 s.  Passes when
# tenantop exits cleanly with no leak report and its RSS stays flat: after
# a warm-up (the first fifth of the samples: caches, ASan's quarantine),
# the second half's peak within 10 % + 2 MiB of the first half's.
set -u
B=${BUILD:-build-san}
S=${SOAK_SECONDS:-600}
. tests/integration/lib.sh
T=$(mktemp -d /tmp/tt-soak.XXXXXX)
PORT=$(free_ports 1) || exit 1
SIM= TT=
trap 'kill $SIM $TT 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
"$B/tenantop-sim" --port $PORT --duration $((S + 60)) --ready-file "$T/ready" --quiet \
	--tenant -:estab=40,cw=10,churn=200,name=cycler --tenant -:estab=20,cw=15,reset=5,procs=4,share,name=leaker \
	--tenant -:estab=30,procs=6,name=steady 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
n=$((S * 5))
ASAN_OPTIONS=detect_leaks=1:exitcode=23:quarantine_size_mb=16 "$B/tenantop" --batch --format json --ports $PORT --delay 0.2 \
	--iterations $n > "$T/out.jsonl" 2>"$T/tt.err" &
TT=$!
echo "soak: $S s, $n refreshes at 0.2 s over a cycling, leaking population (port $PORT)"
: > "$T/rss"
t=0
while kill -0 $TT 2>/dev/null; do
	sleep 10; t=$((t + 10))
	r=$(awk '/^VmRSS/ {print $2}' /proc/$TT/status 2>/dev/null) || break
	[ -n "$r" ] && echo "$t $r" >> "$T/rss"
done
wait $TT; rc=$?
TT=
lines=$(wc -l < "$T/out.jsonl")
echo "tenantop exit status $rc, $lines snapshots"
[ -s "$T/tt.err" ] && { echo "--- stderr:"; tail -20 "$T/tt.err"; }
python3 - "$T/rss" "$rc" "$lines" "$n" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
rc, lines, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok = rc == 0 and lines == n
warm = rows[len(rows) // 5:]
if len(warm) >= 2:
    half = len(warm) // 2
    first = max(r for _, r in warm[:half]); last = max(r for _, r in warm[half:])
    flat = last <= first * 1.10 + 2048
    print("RSS (KiB) after warm-up: first half peak %d, second half peak %d, samples %d: %s" % (first, last, len(rows), "flat" if flat else "GROWING"))
    print("RSS samples: " + " ".join("%ds:%d" % r for r in rows))
    ok = ok and flat
print("soak: %s" % ("passed (no leak report, RSS flat)" if ok else "FAILED"))
sys.exit(0 if ok else 1)
PY
