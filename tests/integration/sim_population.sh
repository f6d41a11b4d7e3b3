#!/bin/sh
# The simulator makes a known population on loopback (IPv4, IPv6 and
# v4-mapped); tenantop --batch --format json must report exactly those counts
# per tenant and state, give the same sockets from netlink and from /proc
# text, and agree with ss -tanp on every socket ss lists.
set -u
B=${BUILD:-build}
command -v ss >/dev/null 2>&1 || { echo "ss (iproute2) is missing"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-pop.XXXXXX)
# ports outside the ephemeral range, new each run (TIME_WAIT of a previous run lingers 60 s)
. tests/integration/lib.sh
P1=$(free_ports 2) || exit 1; P2=$((P1 + 1))
cleanup() { kill $S1 $S2 2>/dev/null; wait $S1 $S2 2>/dev/null; rm -rf "$T"; }
S1= S2=
trap cleanup EXIT INT TERM

if [ "$(id -u)" = 0 ]; then
	A=2001 Bu=2002 C=2003 SRV=root
	cat > "$T/expected" <<X
2001 ESTABLISHED=6 CLOSE_WAIT=4 CLOSE=3 procs=2
2002 ESTABLISHED=3 CLOSE_WAIT=2 procs=2 holders=2
2003 ESTABLISHED=2 CLOSE_WAIT=1 procs=1
root ESTABLISHED=11 LISTEN=2 procs=2
unattributed TIME_WAIT=5 FIN_WAIT2=7
X
else
	echo "not root: every simulated tenant runs as $(id -un)"
	A=- Bu=- C=- SRV=$(id -un)
	cat > "$T/expected" <<X
$SRV ESTABLISHED=22 CLOSE_WAIT=7 CLOSE=3 LISTEN=2
unattributed TIME_WAIT=5 FIN_WAIT2=7
X
fi
# dual stack on port 1: the server's ends are v4-mapped IPv6 sockets
"$B/tenantop-sim" --addr :: --port $P1 --duration 600 --ready-file "$T/r1" --quiet \
	--tenant "$A:estab=6,cw=4,reset=3,tw=5,procs=2,name=alice" \
	--tenant "$Bu:estab=3,cw=2,procs=1,share,name=bob" 2>"$T/sim1.err" &
S1=$!
"$B/tenantop-sim" --addr ::1 --port $P2 --duration 600 --ready-file "$T/r2" --quiet \
	--tenant "$C:estab=2,cw=1,name=carol" 2>"$T/sim2.err" &
S2=$!
i=0
while [ ! -f "$T/r1" ] || [ ! -f "$T/r2" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 $S1 2>/dev/null || ! kill -0 $S2 2>/dev/null; then
		echo "the simulator did not get ready:"; cat "$T/sim1.err" "$T/sim2.err"; exit 1
	fi
	sleep 0.1
done
"$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none > "$T/nl.json" || exit 1
"$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none --source proc > "$T/proc.json" || exit 1
ss -tanpH "( sport = :$P1 or dport = :$P1 or sport = :$P2 or dport = :$P2 )" > "$T/ss.txt" || exit 1
echo "--- tenantop --batch --ports $P1,$P2 --unix-paths none"
"$B/tenantop" --batch --ports $P1,$P2 --unix-paths none | sed -n '1,12p'
echo "--- ss -tanp"
head -n 8 "$T/ss.txt"
python3 "$(dirname "$0")/check_population.py" "$T/expected" "$T/nl.json" "$T/proc.json" "$T/ss.txt"
rc=$?
[ $rc = 0 ] || exit $rc
# with the eBPF source the owners come from the descriptor iterator, without it
# from /proc/PID/fd: each must give exactly the population and ss's holders
if "$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none --source bpf > "$T/bpf.json" 2>"$T/bpf.err"; then
	"$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none --source netlink > "$T/nlonly.json" || exit 1
	ss -tanpH "( sport = :$P1 or dport = :$P1 or sport = :$P2 or dport = :$P2 )" > "$T/ss2.txt" || exit 1
	for s in bpf nlonly; do
		echo "--- owners with --source $(echo $s | sed 's/nlonly/netlink/')"
		python3 "$(dirname "$0")/check_population.py" "$T/expected" "$T/$s.json" "$T/proc.json" "$T/ss2.txt" || exit 1
	done
else
	echo "  (no eBPF source here: $(cat "$T/bpf.err"))"
fi

# tcp_info is asked every 10 s by default; the refreshes between carry each
# socket's last sample, its idle time grown by the time since.  The
# simulator's connections are quiet, so a carried idle time must match a
# fresh sample taken at the same moment.
"$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none --iterations 3 --delay 1 > "$T/carry.json" || exit 1
"$B/tenantop" --batch --format json --ports $P1,$P2 --unix-paths none --tcp-info-every 0 > "$T/sample.json" || exit 1
python3 - "$T/carry.json" "$T/sample.json" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fresh = json.loads(open(sys.argv[2]).read())
def idle(doc):
    out = {}
    for t in doc["tenants"]:
        for p in t["processes"]:
            for s in p["sockets"]:
                if s["state"] == "ESTABLISHED" and s["family"] != "unix":
                    out[s["inode"]] = s.get("idle_s")
    return out
first, last, now = idle(runs[0]), idle(runs[-1]), idle(fresh)
bad = [i for i, v in first.items() if v is None]
missing = [i for i in first if i in last and last[i] is None]
off = [(i, last[i], now[i]) for i in last if i in now and last[i] is not None and now[i] is not None
       and abs((now[i] - last[i]) - (fresh["time"] - runs[-1]["time"])) > 1.5]
print("  tcp_info carried: %d ESTABLISHED sockets, %d without a first sample, %d without a carried one, "
      "%d carried idle times off by more than 1.5 s from a fresh sample" % (len(first), len(bad), len(missing), len(off)))
sys.exit(1 if not first or bad or missing or off else 0)
PY
