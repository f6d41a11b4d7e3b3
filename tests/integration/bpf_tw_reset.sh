#!/bin/sh
# A TIME_WAIT a reset ends, between two full reads.  No state change tells
# it (the kernel kills a TIME_WAIT socket that a reset in its window
# reaches, unless tcp_rfc1337), so the event-driven table learns it from the
# reset the kernel sends.  The situation first: a server on 127.0.0.1 and
# [::1], four connections its clients closed first, each client end left in
# TIME_WAIT, the server's gone.  Then tenantop (steady refreshes from events
# only: --tcp-info-every 3600).  Then, for one TIME_WAIT of each family, a
# stray segment from the server's address: the TIME_WAIT answers it with an
# ACK, the server's listener answers that with a reset, and the TIME_WAIT is
# gone (ss, read after).  tenantop's next refresh, begun after ss no longer
# listed them, must list the two TIME_WAITs ss lists and not the two it
# does not.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (BPF, raw sockets)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 is missing"; exit 77; }
"$B/tenantop" --version | grep -q "eBPF events built in" || { echo "built without eBPF"; exit 77; }
[ "$(cat /proc/sys/net/ipv4/tcp_rfc1337)" = 0 ] || { echo "tcp_rfc1337 is set: a reset leaves a TIME_WAIT alone"; exit 77; }
T=$(mktemp -d /tmp/tt-twrst.XXXXXX)
. tests/integration/lib.sh
P=$(free_ports 1) || exit 1
PIDS=
trap 'kill $PIDS 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
python3 - $P <<'PY' &
import select, socket, sys, threading
port = int(sys.argv[1])
ls = []
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port)); s.listen(16); ls.append(s)
def serve(c):
    while c.recv(64):  # until the client's FIN, then close: the client end is the TIME_WAIT
        pass
    c.close()
while True:
    for s in select.select(ls, [], [])[0]:
        threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
PIDS=$!
i=0; while [ "$(ss -tlnH "sport = :$P" | grep -c LISTEN)" -lt 2 ]; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
# two connections of each family, closed by the client
python3 - $P > "$T/tw.txt" <<'PY'
import socket, sys
port = int(sys.argv[1])
for host in ("127.0.0.1", "127.0.0.1", "::1", "::1"):
    c = socket.create_connection((host, port), source_address=(host, 0))
    print(host, c.getsockname()[1])
    c.sendall(b"q")
    c.close()
PY
tws() { ss -tanH state time-wait "( dport = :$P )" | awk '{ print $3 }' | sort; }
i=0; while [ "$(tws | wc -l)" -lt 4 ] || [ -n "$(ss -tanH state last-ack "( sport = :$P )")" ]; do
	i=$((i+1)); [ $i -gt 100 ] && { echo "FAIL the four TIME_WAITs did not appear"; ss -tanH "( sport = :$P or dport = :$P )"; exit 1; }
	sleep 0.1
done
"$B/tenantop" --batch --format json --iterations 600 --delay 0.5 --tcp-info-every 3600 --source bpf --ports $P \
	--unix-paths none > "$T/out.jsonl" 2>"$T/err" &
TT=$!
PIDS="$PIDS $TT"
lines() { wc -l 2>/dev/null < "$T/out.jsonl" || echo 0; }
i=0; while [ "$(lines)" -lt 1 ]; do
	i=$((i+1)); kill -0 $TT 2>/dev/null && [ $i -lt 600 ] || { echo "FAIL tenantop did not start:"; cat "$T/err"; exit 1; }
	sleep 0.1
done
tws > "$T/before.txt"
# a stray segment to the first TIME_WAIT of each family, from the server's
# address and port: an ACK far outside its window
python3 - $P "$T/tw.txt" <<'PY'
import random, socket, struct, sys
port = int(sys.argv[1])
first = {}
for l in open(sys.argv[2]):
    host, p = l.split()
    first.setdefault(host, int(p))
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
for host, dport in first.items():
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    src, dst = socket.inet_pton(fam, host), socket.inet_pton(fam, host)
    tcp = struct.pack("!HHIIBBHHH", port, dport, random.getrandbits(32), random.getrandbits(32), 5 << 4, 0x10, 1024, 0, 0)
    pseudo = src + dst + (struct.pack("!BBH", 0, 6, len(tcp)) if fam == socket.AF_INET else struct.pack("!I3xB", len(tcp), 6))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.sendto(tcp, (host, 0))
    s.close()
PY
i=0; while [ "$(tws | wc -l)" -gt 2 ]; do
	i=$((i+1)); [ $i -gt 100 ] && { echo "FAIL the resets did not end the TIME_WAITs"; tws; exit 1; }
	sleep 0.1
done
tws > "$T/after.txt"
gone_at=$(date +%s.%N)
n=$(lines)
i=0; while [ "$(lines)" -lt $((n + 2)) ]; do
	i=$((i+1)); kill -0 $TT 2>/dev/null && [ $i -lt 600 ] || { echo "FAIL tenantop stopped:"; cat "$T/err"; exit 1; }
	sleep 0.1
done
kill $TT
python3 - "$T" "$gone_at" <<'PY'
import json, sys
T, gone_at = sys.argv[1], float(sys.argv[2])
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
docs = [json.loads(l) for l in open(T + "/out.jsonl") if l.endswith("\n")]
before = set(open(T + "/before.txt").read().split())
after = set(open(T + "/after.txt").read().split())
def tw(doc):
    out = set()
    for t in doc["tenants"]:
        for p in t["processes"]:
            out |= {s["local"] for s in p["sockets"] if s["state"] == "TIME_WAIT"}
    return out | {s["local"] for s in doc["unattributed"]["sockets"] if s["state"] == "TIME_WAIT"}
check(len(before) == 4 and len(after) == 2 and after < before,
      "ss: 4 TIME_WAITs before, %d after the resets: %s" % (len(after), sorted(after)))
check(tw(docs[0]) == before, "the first refresh lists the 4 (%s)" % sorted(tw(docs[0])))
d = next((d for d in docs if d["time"] > gone_at), None)
check(d is not None and d.get("tcp_table", {}).get("from") == "events",
      "a refresh after the resets, from events: %s" % (d and d.get("tcp_table")))
mine = tw(d) if d else set()
check(mine == after, "it lists the 2 TIME_WAITs ss lists, not the 2 a reset ended: %s" % sorted(mine))
sys.exit(1 if fails else 0)
PY
