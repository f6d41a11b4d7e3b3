#!/bin/sh
# Real servers from Debian packages on 127.0.0.1 with temporary data
# directories, real client libraries (Perl DBI with DBD::MariaDB and
# DBD::Pg; a RESP client for Redis) under two Unix users the test creates:
# tt-leaky never closes what the server timed out, tt-steady keeps working.
# tenantop must count per tenant and state what the fd side and ss -tanp
# say, alert for tt-leaky and not for tt-steady.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (creates users, starts servers)"; exit 77; }
for c in redis-server mariadbd mariadb-install-db perl python3 useradd setpriv; do
	command -v $c >/dev/null 2>&1 || { echo "$c is missing"; exit 77; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "postgresql is missing"; exit 77; }
perl -MDBD::MariaDB -MDBD::Pg -e1 2>/dev/null || { echo "DBD::MariaDB / DBD::Pg missing"; exit 77; }
T=$(mktemp -d /tmp/tt-realdb.XXXXXX)
chmod 755 "$T"
. tests/integration/lib.sh
BASE=$(free_ports 3) || exit 1; RP=$BASE; MP=$((BASE + 1)); PP=$((BASE + 2))
PIDS=
cleanup() {
	kill $PIDS 2>/dev/null; pkill -u tt-leaky; pkill -u tt-steady
	[ -f "$T/pg/postmaster.pid" ] && setpriv --reuid=postgres --regid=postgres --clear-groups "$PGBIN/pg_ctl" -D "$T/pg" -m immediate stop >/dev/null 2>&1
	wait 2>/dev/null
	userdel tt-leaky 2>/dev/null; userdel tt-steady 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
useradd -M -N -s /usr/sbin/nologin tt-leaky 2>/dev/null
useradd -M -N -s /usr/sbin/nologin tt-steady 2>/dev/null
as() { u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }
wait_port() { i=0; while ! ss -tlnH "sport = :$1" | grep -q LISTEN; do i=$((i+1)); [ $i -gt 150 ] && return 1; sleep 0.1; done; }

# --- servers --------------------------------------------------------------
redis-server --port $RP --bind 127.0.0.1 --timeout 2 --save "" --appendonly no --dir "$T" \
	--protected-mode no --daemonize no > "$T/redis.log" 2>&1 &
PIDS="$PIDS $!"
start_mariadb "$T/my" $MP "$T/my-run/mysqld.sock" --wait-timeout=2 || exit 1
PIDS="$PIDS $MARIADB_PID"
mkdir -p "$T/pg" "$T/pg-run"; chown postgres: "$T/pg" "$T/pg-run"
as postgres "$PGBIN/initdb" -D "$T/pg" -A trust -U postgres > "$T/pg-init.log" 2>&1 ||
	{ echo "initdb failed:"; tail -5 "$T/pg-init.log"; exit 1; }
as postgres "$PGBIN/postgres" -D "$T/pg" -p $PP -c listen_addresses=127.0.0.1 -c unix_socket_directories="$T/pg-run" \
	-c idle_session_timeout=2000 > "$T/pg.log" 2>&1 &
PIDS="$PIDS $!"
for p in $RP $MP $PP; do wait_port $p || { echo "a server did not start on $p"; for l in "$T"/*.log; do echo "== $l"; tail -n 5 "$l"; done; exit 1; }; done

# --- clients --------------------------------------------------------------
cat > "$T/client.pl" <<'PL'
use strict; use warnings; use DBI; use IO::Socket::INET;
my ($kind, $port, $mode, $n) = @ARGV;
$0 = "dbclient $kind $mode";
my @h;
for (1 .. $n) {
	if ($kind eq "redis") {
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die "redis: $!";
		print $s "PING\r\n"; my $l = <$s>; push @h, $s;
	} elsif ($kind eq "mariadb") {
		push @h, DBI->connect("dbi:MariaDB:host=127.0.0.1;port=$port", "root", "", {RaiseError => 1});
	} elsif ($kind eq "mariadb-unix") {
		push @h, DBI->connect("dbi:MariaDB:mariadb_socket=$port", "root", "", {RaiseError => 1});
	} elsif ($kind eq "pg-unix") {
		push @h, DBI->connect("dbi:Pg:host=$port;port=$ENV{PGPORT_TT};dbname=postgres", "postgres", "", {RaiseError => 1});
	} else {
		push @h, DBI->connect("dbi:Pg:host=127.0.0.1;port=$port;dbname=postgres", "postgres", "", {RaiseError => 1});
	}
}
open my $r, ">", "$ENV{READY}" or die; close $r;
my $end = time + 40;
while (time < $end) {
	if ($mode eq "steady") {
		for my $x (@h) {
			if ($kind eq "redis") { print $x "PING\r\n"; my $l = <$x>; }
			else { $x->do("SELECT 1"); }
		}
		sleep 0.5 if 0; select(undef, undef, undef, 0.5);
	} else {
		sleep 1;   # never looks at the connections again: the server times them out
	}
}
PL
chmod 644 "$T/client.pl"
n=0; export PGPORT_TT=$PP
for kind in redis mariadb pg mariadb-unix pg-unix; do
	port=$(case $kind in redis) echo $RP;; mariadb) echo $MP;; pg) echo $PP;;
		mariadb-unix) echo "$T/my-run/mysqld.sock";; pg-unix) echo "$T/pg-run";; esac)
	n=$((n + 1)); READY="$T/r$n" as tt-leaky perl "$T/client.pl" $kind $port leaky 3 2>>"$T/client.err" &
	PIDS="$PIDS $!"
	n=$((n + 1)); READY="$T/r$n" as tt-steady perl "$T/client.pl" $kind $port steady 2 2>>"$T/client.err" &
	PIDS="$PIDS $!"
done
chmod 777 "$T"
i=0; while [ "$(ls "$T"/r? "$T"/r?? 2>/dev/null | wc -l)" -lt 10 ]; do
	i=$((i+1)); [ $i -gt 150 ] && { echo "clients did not connect:"; cat "$T/client.err"; exit 1; }; sleep 0.1; done
cat > "$T/tenantop.conf" <<X
[general]
ports = $RP, $MP, $PP
[rule]
kind = user
[detect]
min_leaks = 1
X
# tenantop watches while the servers time the leaky clients out (2 s): it
# sees each connection before the server drops it, so it keeps the address
# of a socket the server resets (CLOSE, which no table lists any more)
"$B/tenantop" --batch --format json --iterations 6 --delay 1 --config "$T/tenantop.conf" > "$T/out.jsonl" 2>"$T/tt.err" || { cat "$T/tt.err"; exit 1; }
ss -tanpH "( sport = :$RP or dport = :$RP or sport = :$MP or dport = :$MP or sport = :$PP or dport = :$PP )" > "$T/ss.txt"
"$B/tenantop" --batch --config "$T/tenantop.conf" | sed -n '1,12p'
python3 - "$T" "$RP" "$MP" "$PP" <<'PY'
import json, pwd, re, sys
d, rp, mp, pp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
doc = [json.loads(l) for l in open(d + "/out.jsonl") if l.strip()][-1]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
names = {"redis": rp, "mariadb": mp, "postgresql": pp}
ten = {t["name"]: t for t in doc["tenants"]}
def by_port(tenant):
    c = {}
    for p in ten.get(tenant, {}).get("processes", []):
        for s in p["sockets"]:
            if s["family"] == "unix":
                continue
            c.setdefault(s.get("port"), {}).setdefault(s["state"], 0)
            c[s["port"]][s["state"]] += 1
    return c
leaky, steady = by_port("tt-leaky"), by_port("tt-steady")
def by_path(tenant):
    c = {}
    for p in ten.get(tenant, {}).get("processes", []):
        for s in p["sockets"]:
            if s["family"] != "unix":
                continue
            kind = "mysqld.sock" if s["remote"].endswith("/mysqld.sock") else ".s.PGSQL" if ".s.PGSQL." in s["remote"] else s["remote"]
            c.setdefault(kind, {}).setdefault(s["state"], 0)
            c[kind][s["state"]] += 1
    return c
uleaky, usteady = by_path("tt-leaky"), by_path("tt-steady")
# TCP and Unix connections side by side, per tenant (as tenantop saw them)
for tn in ("tt-leaky", "tt-steady"):
    rows = {}
    for p in ten.get(tn, {}).get("processes", []):
        for s in p["sockets"]:
            key = (s["family"], s["remote"] if s["family"] == "unix" else s["remote"].rsplit(":", 1)[1], s["state"])
            rows[key] = rows.get(key, 0) + 1
    for (fam, to, st), n in sorted(rows.items()):
        print("  %-10s %-5s to %-40s %-12s %d" % (tn, fam, to[-40:], st, n))
for kind in ("mysqld.sock", ".s.PGSQL"):
    check(uleaky.get(kind) == {"CLOSE_WAIT": 3}, "unix %s: tt-leaky holds 3 connections whose server end closed (CLOSE_WAIT) %s" % (kind, uleaky.get(kind)))
    check(usteady.get(kind) == {"ESTABLISHED": 2}, "unix %s: tt-steady holds 2 ESTABLISHED %s" % (kind, usteady.get(kind)))
for name, port in names.items():
    l = leaky.get(port, {})
    leaked = l.get("CLOSE_WAIT", 0) + l.get("CLOSE", 0)
    check(leaked == 3 and not l.get("ESTABLISHED"), "%s: tt-leaky holds 3 leaked sockets %s" % (name, l))
    check(steady.get(port, {}) == {"ESTABLISHED": 2}, "%s: tt-steady holds 2 ESTABLISHED %s" % (name, steady.get(port)))
# the fd side, per ss -tanp: every client socket ss lists belongs to the user tenantop says
uid_of = {}
for line in open(d + "/ss.txt"):
    f = line.split()
    pids = [int(x) for x in re.findall(r"pid=(\d+)", line)]
    if not pids or "dbclient" not in line and "perl" not in line:
        continue
    for pid in pids:
        try:
            uid = [int(l.split()[1]) for l in open("/proc/%d/status" % pid) if l.startswith("Uid:")][0]
        except OSError:
            continue
        key = (f[0], f[3], f[4])
        uid_of[key] = pwd.getpwuid(uid).pw_name
tt = {}
for t in doc["tenants"]:
    for p in t["processes"]:
        for s in p["sockets"]:
            tt[(s["local"], s["remote"])] = t["name"]
miss = [k for k, u in uid_of.items() if tt.get((k[1], k[2])) != u]
check(uid_of and not miss, "every client socket ss -tanp lists is attributed to its user (%d checked, %d wrong)" % (len(uid_of), len(miss)))
al = {(a["tenant"], a["kind"]) for a in doc["alerts"]}
check(("tt-leaky", "close_wait_ratio") in al, "tt-leaky raises a leak alert")
check(not any(t == "tt-steady" for t, k in al), "tt-steady raises nothing")
sys.exit(1 if fails else 0)
PY
