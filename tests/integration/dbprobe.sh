#!/bin/sh
# Database probes against real servers from Debian packages on 127.0.0.1
# (their own data directories and free ports): MariaDB (real grants: root by
# unix_socket, performance_schema on), PostgreSQL (peer authentication on
# its Unix socket), Redis (TCP and a Unix socket) and pgbouncer in front of
# PostgreSQL in transaction mode with a pool of one.  Clients under two Unix
# users hold sessions: idle, idle in a transaction, a long query, a client
# waiting for the pooler.  Each client says its own session id and pid;
# one `tenantop --batch --format json` must pair every session with that
# client's socket and process, and report what the servers' own views say
# (read here with mariadb, psql and redis-cli): users, commands, limits.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (creates users, starts servers)"; exit 77; }
for c in redis-server redis-cli mariadbd mariadb mariadb-install-db pgbouncer psql perl python3 useradd setpriv; do
	command -v $c >/dev/null 2>&1 || { echo "$c is missing"; exit 77; }
done
perl -MDBD::MariaDB -MDBD::Pg -e1 2>/dev/null || { echo "DBD::MariaDB / DBD::Pg missing"; exit 77; }
T=$(mktemp -d /tmp/tt-dbprobe.XXXXXX)
chmod 755 "$T"
. tests/integration/lib.sh
[ -x "$(pg_bindir)/initdb" ] || { echo "postgresql is missing"; exit 77; }
BASE=$(free_ports 4) || exit 1; MP=$BASE; PP=$((BASE + 1)); RP=$((BASE + 2)); BP=$((BASE + 3))
A=tt-dbp-alice; Bo=tt-dbp-bob
PIDS=
cleanup() {
	pkill -u $A; pkill -u $Bo
	[ -f "$T/pgb-run/pgbouncer.pid" ] && kill "$(cat "$T/pgb-run/pgbouncer.pid")"
	stop_dbs
	userdel $A 2>/dev/null; userdel $Bo 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
useradd -M -N -s /usr/sbin/nologin $A 2>/dev/null
useradd -M -N -s /usr/sbin/nologin $Bo 2>/dev/null
fails=0
ok() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; fails=$((fails + 1)); }

# --- servers --------------------------------------------------------------
MARIADB_GRANTS=1
start_mariadb "$T/my" $MP "$T/my-run/mysqld.sock" --performance-schema=ON --max-connections=77 || exit 1
PIDS="$PIDS $MARIADB_PID"
start_postgres $PP "--auth-local=peer --auth-host=trust" -c max_connections=33 || exit 1
mkdir -p "$T/redis-run"; chmod 777 "$T/redis-run"
start_redis $RP --unixsocket "$T/redis-run/redis.sock" --unixsocketperm 777 --maxclients 55
for p in $MP $PP $RP; do wait_port $p || { echo "a server did not start on $p"; show_logs; exit 1; }; done
i=0; while [ ! -S "$T/my-run/mysqld.sock" ] || [ ! -S "$T/pg-run/.s.PGSQL.$PP" ]; do
	i=$((i+1)); [ $i -gt 150 ] && { echo "no server socket"; show_logs; exit 1; }; sleep 0.1; done
my() { mariadb --no-defaults -S "$T/my-run/mysqld.sock" -u root -N -B "$@"; }
pg() { as_user postgres psql -X -q -h "$T/pg-run" -p $PP -U postgres -d postgres -A -t "$@"; }
my -e "CREATE DATABASE ttdb; CREATE TABLE ttdb.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
	INSERT INTO ttdb.t VALUES (1, 1), (2, 2);
	CREATE USER '$A'@'%' IDENTIFIED BY 'pw-a' WITH MAX_USER_CONNECTIONS 5;
	CREATE USER '$A'@'localhost' IDENTIFIED BY 'pw-a' WITH MAX_USER_CONNECTIONS 5;
	CREATE USER '$Bo'@'%' IDENTIFIED BY 'pw-b'; CREATE USER '$Bo'@'localhost' IDENTIFIED BY 'pw-b';
	GRANT ALL ON ttdb.* TO '$A'@'%', '$A'@'localhost', '$Bo'@'%', '$Bo'@'localhost';" ||
	{ echo "mariadb setup failed"; exit 1; }
pg -c "CREATE ROLE \"$A\" LOGIN CONNECTION LIMIT 4; CREATE ROLE \"$Bo\" LOGIN;" -c "CREATE DATABASE shopdb CONNECTION LIMIT 3" ||
	{ echo "postgres setup failed"; exit 1; }
# pgbouncer (it will not run as root): transaction pooling, one server connection
mkdir -p "$T/pgb-run"; chown postgres: "$T/pgb-run"
cat > "$T/pgbouncer.ini" <<X
[databases]
appdb = host=127.0.0.1 port=$PP dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BP
unix_socket_dir = $T/pgb-run
auth_type = trust
auth_file = $T/userlist.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 40
logfile = $T/pgb-run/pgbouncer.log
pidfile = $T/pgb-run/pgbouncer.pid
X
printf '"%s" ""\n"%s" ""\n' $A $Bo > "$T/userlist.txt"
chmod 644 "$T/pgbouncer.ini" "$T/userlist.txt"
as_user postgres pgbouncer "$T/pgbouncer.ini" > "$T/pgbouncer-out.log" 2>&1 &
PIDS="$PIDS $!"
wait_port $BP || { echo "pgbouncer did not start"; show_logs; exit 1; }

# --- clients: each writes "pid session-id local-port" to its ready file ----
cat > "$T/client.pl" <<'PL'
use strict; use warnings; use DBI; use IO::Socket::INET; use IO::Socket::UNIX; use Socket;
my ($kind, $where, $user, $mode, $ready) = @ARGV;
$0 = "dbclient $kind $mode";
my ($id, $lport, $dbh, $s) = ("", 0);
sub say_ready { open my $r, ">", "$ready.tmp" or die; print $r "$$ ", ($id eq "" ? "-" : $id), " $lport\n"; close $r; rename "$ready.tmp", $ready; }
sub port_of_fd { open(my $fh, "+<&", $_[0]) or return 0; my $n = getsockname($fh); return 0 unless $n && sockaddr_family($n) == AF_INET; my ($p) = sockaddr_in($n); return $p; }
if ($kind eq "redis") {
	$s = $where =~ m{^/} ? IO::Socket::UNIX->new(Peer => $where) : IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $where);
	die "redis: $!" unless $s;
	print $s "CLIENT ID\r\n"; my $l = <$s>; ($id) = $l =~ /:(\d+)/;
	$lport = $s->can("sockport") && $where !~ m{^/} ? $s->sockport : 0;
	say_ready(); sleep 120; exit 0;
}
if ($kind eq "mariadb") {
	my $dsn = $where =~ m{^/} ? "dbi:MariaDB:mariadb_socket=$where" : "dbi:MariaDB:host=127.0.0.1;port=$where";
	$dbh = DBI->connect("$dsn;database=ttdb", $user, $user =~ /alice/ ? "pw-a" : "pw-b", {RaiseError => 1, AutoCommit => 1});
	($id) = $dbh->selectrow_array("SELECT CONNECTION_ID()");
	$lport = port_of_fd($dbh->{mariadb_sockfd}) if $where !~ m{^/};
	if ($mode eq "txn") { $dbh->begin_work; $dbh->selectall_arrayref("SELECT * FROM t LOCK IN SHARE MODE"); }
	say_ready();
	if ($mode eq "sleep") { $dbh->do("SELECT SLEEP(120)"); }
	sleep 120; exit 0;
}
# postgresql, or pgbouncer in front of it (then $where is "bouncer:PORT")
my $dsn;
if ($where =~ /^bouncer:(\d+)$/) { $dsn = "dbi:Pg:host=127.0.0.1;port=$1;dbname=appdb"; }
elsif ($where =~ m{^(/.*):(\d+)$}) { $dsn = "dbi:Pg:host=$1;port=$2;dbname=postgres"; }
else { $dsn = "dbi:Pg:host=127.0.0.1;port=$where;dbname=postgres"; }
$dbh = DBI->connect($dsn, $user, "", {RaiseError => 1, AutoCommit => 1});
$lport = port_of_fd($dbh->{pg_socket}) if $dsn =~ /host=127/;
if ($where !~ /^bouncer/) { ($id) = $dbh->selectrow_array("SELECT pg_backend_pid()"); }
if ($mode eq "txn") { $dbh->begin_work; $dbh->do("SELECT 1"); }
say_ready();
if ($mode eq "sleep") { $dbh->do("SELECT pg_sleep(120)"); }
if ($mode eq "wait") { $dbh->do("SELECT 1"); }
sleep 120; exit 0;
PL
chmod 644 "$T/client.pl"
chmod 777 "$T"
n=0
client() { # USER KIND WHERE MODE
	n=$((n + 1))
	as_user "$1" perl "$T/client.pl" "$2" "$3" "$1" "$4" "$T/ready.$n" 2>>"$T/client.err" &
	PIDS="$PIDS $!"
	echo "$n $1 $2 $3 $4" >> "$T/clients"
	# one at a time: a client that must wait comes after the one holding the slot
	i=0; while [ ! -f "$T/ready.$n" ]; do i=$((i+1)); [ $i -gt 150 ] && { echo "client $n ($*) did not connect:"; cat "$T/client.err"; exit 1; }; sleep 0.1; done
}
client $A mariadb $MP idle
client $A mariadb $MP sleep
# alice at her own limit (MAX_USER_CONNECTIONS 5): the pool alert with no limit configured
client $A mariadb $MP idle
client $A mariadb $MP idle
client $A mariadb "$T/my-run/mysqld.sock" idle
client $Bo mariadb "$T/my-run/mysqld.sock" txn
client $Bo mariadb "$T/my-run/mysqld.sock" idle
client $Bo pg $PP txn
client $A pg "$T/pg-run:$PP" sleep
client $A pg $PP idle
client $A redis $RP idle
client $Bo redis "$T/redis-run/redis.sock" idle
client $Bo pg bouncer:$BP txn
client $Bo pg bouncer:$BP wait
# the situation is made when the servers' views show it
i=0; while :; do
	s1=$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'")
	s2=$(pg -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'")
	s3=$(as_user postgres psql -X -h "$T/pgb-run" -p $BP -U pgbouncer pgbouncer -A -t -F' ' -c "SHOW POOLS" 2>/dev/null | awk '$1 == "appdb" { w += $4 } END { print w + 0 }')
	[ "$s1" = 1 ] && [ "$s2" = 1 ] && [ "$s3" -ge 1 ] && break
	i=$((i+1)); [ $i -gt 150 ] && { echo "sessions not in place: sleep=$s1 pg_sleep=$s2 waiting=$s3"; cat "$T/client.err"; exit 1; }; sleep 0.1
done
cat > "$T/tenantop.conf" <<X
[general]
ports = $MP, $PP, $RP, $BP
# the servers' ends of the connections: named by the session's database user
[rule]
kind = dbuser
pattern = ^tt-dbp-(alice|bob)\$
tenant = db-\\1
[rule]
kind = user
X
# ground truth from the servers' own views, before and after tenantop's refresh
views() {
	my -e "SELECT ID, USER, COMMAND, IFNULL(INFO,''), (SELECT COUNT(*) FROM information_schema.INNODB_TRX x WHERE x.trx_mysql_thread_id = p.ID) FROM information_schema.PROCESSLIST p WHERE USER LIKE 'tt-dbp-%'" | sed 's/^/mariadb\t/'
	my -e "SELECT @@max_connections, @@max_user_connections" | sed 's/^/mariadb-limits\t/'
	pg -F"$(printf '\t')" -c "SELECT pid, usename, state, left(query, 40) FROM pg_stat_activity WHERE usename LIKE 'tt-dbp-%'" | sed 's/^/postgresql\t/'
	pg -c "SHOW max_connections" | sed 's/^/postgresql-limits\t/'
	redis-cli -p $RP CLIENT LIST | sed 's/^/redis\t/'
	redis-cli -p $RP CONFIG GET maxclients | tail -1 | sed 's/^/redis-limits\t/'
	as_user postgres psql -X -h "$T/pgb-run" -p $BP -U pgbouncer pgbouncer -A -t -F"$(printf '\t')" -c "SHOW CLIENTS" | sed 's/^/pgbouncer-client\t/'
	as_user postgres psql -X -h "$T/pgb-run" -p $BP -U pgbouncer pgbouncer -A -t -F"$(printf '\t')" -c "SHOW POOLS" | sed 's/^/pgbouncer-pool\t/'
	as_user postgres psql -X -h "$T/pgb-run" -p $BP -U pgbouncer pgbouncer -A -t -F"$(printf '\t')" -c "SHOW SERVERS" | sed 's/^/pgbouncer-server\t/'
	as_user postgres psql -X -h "$T/pgb-run" -p $BP -U pgbouncer pgbouncer -A -t -F"$(printf '\t')" -c "SHOW CONFIG" | grep -E '^(max_client_conn|default_pool_size)' | sed 's/^/pgbouncer-config\t/'
}
views > "$T/views.before"
"$B/tenantop" --batch --format json --config "$T/tenantop.conf" > "$T/out.json" 2>"$T/tt.err" || { cat "$T/tt.err"; exit 1; }
views > "$T/views.after"
"$B/tenantop" --batch --config "$T/tenantop.conf" 2>/dev/null | sed -n '/^database servers/,/^$/p'
# the output keeps the JSON contract (contrib/tenantop.schema.json): servers and db included
python3 tests/integration/validate_json.py contrib/tenantop.schema.json "probes (servers, sessions on sockets)" "$T/out.json"
vrc=$?
ss -tnpH > "$T/ss.txt"
python3 - "$T" $MP $PP $RP $BP <<'PY'
import json, sys
d = sys.argv[1]
mp, pp, rp, bp = map(int, sys.argv[2:6])
doc = json.load(open(d + "/out.json"))
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
clients = {}
for line in open(d + "/clients"):
    n, user, kind, where, mode = line.split()
    pid, sid, lport = (open(d + "/ready.%s" % n).read().split() + ["", "", ""])[:3]
    sid = "" if sid == "-" else sid
    clients[int(n)] = dict(user=user, kind=kind, where=where, mode=mode, pid=int(pid), id=sid, lport=int(lport or 0))
views = {}
for line in open(d + "/views.before"):
    f = line.rstrip("\n").split("\t")
    views.setdefault(f[0], []).append(f[1:])
# every socket with a db object, by the process holding it
socks = []
for t in doc["tenants"]:
    for p in t["processes"]:
        for s in p["sockets"]:
            socks.append((t["name"], p["pid"], s))
def db_socks_of(pid):
    return [s for (_, p, s) in socks if p == pid and "db" in s]
# this test's servers (the host may run others): by the ports they listen on
ours = {"mariadb": mp, "postgresql": pp, "redis": rp, "pgbouncer": bp}
servers = {s["kind"]: s for s in doc.get("servers", [])
           if any(e.endswith(":%d" % ours.get(s["kind"], 0)) for e in s.get("endpoints", []))}
check(set(servers) == {"mariadb", "postgresql", "redis", "pgbouncer"},
      "four servers discovered: %s" % sorted(servers))
for k, s in sorted(servers.items()):
    check(s.get("error") is None, "%s (pid %s) answered, error %r" % (k, s.get("pid"), s.get("error")))
    print("       %-10s max_connections %-4s connections %-3s sessions %-2s paired %-2s unpaired %s  %s" % (
        k, s.get("max_connections"), s.get("connections"), s.get("sessions"), s.get("paired"), s.get("unpaired"),
        ", ".join(s.get("endpoints", []))))
want = {"mariadb": views["mariadb-limits"][0][0], "postgresql": views["postgresql-limits"][0][0],
        "redis": views["redis-limits"][0][0],
        "pgbouncer": [v[1] for v in views["pgbouncer-config"] if v[0] == "max_client_conn"][0]}
for k, v in want.items():
    check(str(servers.get(k, {}).get("max_connections")) == v,
          "%s max_connections %s = the server's own %s" % (k, servers.get(k, {}).get("max_connections"), v))
lim = servers.get("mariadb", {}).get("user_limits", {})
check(lim.get("tt-dbp-alice@%") == 5, "mariadb per-account MAX_USER_CONNECTIONS of tt-dbp-alice: %s" % lim)
lim = servers.get("postgresql", {}).get("user_limits", {})
check(lim.get("tt-dbp-alice") == 4, "postgresql rolconnlimit of tt-dbp-alice: %s" % lim)
lim = servers.get("postgresql", {}).get("database_limits", {})
check(lim == {"shopdb": 3}, "postgresql datconnlimit of shopdb: %s" % lim)
# the servers' views, by session id
my_view = {r[0]: r for r in views.get("mariadb", [])}
pg_view = {r[0]: r for r in views.get("postgresql", [])}
rd_view = {}
for r in views.get("redis", []):
    kv = dict(x.split("=", 1) for x in r[0].split() if "=" in x)
    rd_view[kv.get("id")] = kv
for n, c in sorted(clients.items()):
    kind = "pgbouncer" if c["where"].startswith("bouncer:") else {"pg": "postgresql"}.get(c["kind"], c["kind"])
    via = "unix" if c["where"].startswith("/") else "tcp"
    mine = [s for s in db_socks_of(c["pid"]) if s["db"]["server"] == kind and s["db"]["server_pid"] == servers.get(kind, {}).get("pid")]
    label = "%-10s %-4s %-6s %-13s" % (kind, via, c["mode"], c["user"])
    if len(mine) != 1:
        check(False, "%s pid %d: one socket with its session, found %d" % (label, c["pid"], len(mine)))
        continue
    s, db = mine[0], mine[0]["db"]
    if kind == "pgbouncer":
        row = [r for r in views.get("pgbouncer-client", []) if r[5] == str(c["lport"])]
        check(row and s["local"].endswith(":%d" % c["lport"]) and db["user"] == c["user"],
              "%s pid %d socket %s: pgbouncer client %s, state %s (view: %s)" % (label, c["pid"], s["local"], db["user"], db["command"], row[0][3] if row else "?"))
        continue
    ok = db["id"] == c["id"]
    if kind == "mariadb":
        v = my_view.get(c["id"])
        ok = ok and v is not None and db["user"] == v[1] and db["command"] == v[2] and db["in_transaction"] == (v[4] != "0")
        check(ok, "%s pid %d: session %s paired with socket %s (user %s, command %s, in_transaction %s, query %r; view: %s)" % (
            label, c["pid"], db["id"], s["inode"], db["user"], db["command"], db["in_transaction"], db["query"][:30], v and v[1:]))
    elif kind == "postgresql":
        v = pg_view.get(c["id"])
        ok = ok and v is not None and db["user"] == v[1] and db["command"] == v[2]
        check(ok, "%s pid %d: backend %s paired with socket %s (user %s, state %s, in_transaction %s, query %r; view: %s)" % (
            label, c["pid"], db["id"], s["inode"], db["user"], db["command"], db["in_transaction"], db["query"][:30], v and v[1:]))
    else:
        v = rd_view.get(c["id"])
        ok = ok and v is not None and db["command"] == v.get("cmd")
        check(ok, "%s pid %d: client id %s paired with socket %s (cmd %s; view: id=%s addr=%s fd=%s)" % (
            label, c["pid"], db["id"], s["inode"], db["command"], v and v.get("id"), v and v.get("addr"), v and v.get("fd")))
    if c["mode"] == "txn":
        check(db["in_transaction"] is True, "%s: in a transaction" % label)
    if c["mode"] == "sleep":
        check("sleep" in db["query"].lower(), "%s: its query %r" % (label, db["query"]))
# the pooled server connection: the client it serves, per pgbouncer's SHOW SERVERS link
srv_rows = [r for r in views.get("pgbouncer-server", []) if len(r) > 14 and r[14]]
cl_by_ptr = {r[13]: r for r in views.get("pgbouncer-client", [])}
served = [cl_by_ptr.get(r[14]) for r in srv_rows]
want_port = [int(c[5]) for c in served if c]
txn = [c for c in clients.values() if c["where"].startswith("bouncer:") and c["mode"] == "txn"][0]
pooled = [s for (_, p, s) in socks if "db" in s and s["db"]["server"] == "postgresql" and "pooled_for" in s["db"]
          and p == servers.get("pgbouncer", {}).get("pid")]
pf = pooled[0]["db"]["pooled_for"] if pooled else {}
print("       SHOW SERVERS in use: %s; SHOW CLIENTS by ptr: %s" % ([r[:6] + r[13:15] for r in srv_rows], {k: v[4:6] for k, v in cl_by_ptr.items()}))
check(want_port == [txn["lport"]] and len(pooled) == 1 and pf.get("pid") == txn["pid"] and pf.get("tenant") == txn["user"],
      "pgbouncer's server connection %s serves bob's client pid %d port %d (SHOW SERVERS link -> client port %s): pooled_for %s" % (
          pooled[0]["local"] if pooled else "?", txn["pid"], txn["lport"], want_port, pf))
# ... and is counted as bob's, with the pooler's process, not as the pgbouncer user's
pooled_t = [t for (t, p, s) in socks if pooled and s is pooled[0]]
check(pooled and pooled[0].get("owner") == "pooled" and pooled_t == [txn["user"]],
      "that server connection is counted under %s's tenant (owner %s, tenant %s), not the pgbouncer user's" % (
          txn["user"], pooled[0].get("owner") if pooled else "?", pooled_t))
# the dbuser rule: every server end whose session is alice's or bob's is "db-NAME"
srv_ends = [(t, s) for (t, _, s) in socks if "db" in s and s["role"] == "server" and s["db"]["user"].startswith("tt-dbp-")]
wrong = [(t, s["local"], s["db"]["user"]) for (t, s) in srv_ends if t != "db-" + s["db"]["user"][7:]]
rules = {t["name"]: t["rule"] for t in doc["tenants"]}
check(srv_ends and not wrong and rules.get("db-alice") == "dbuser" and rules.get("db-bob") == "dbuser",
      "dbuser rule: %d server ends named by their session's database user (db-alice, db-bob), %d wrong %s" % (
          len(srv_ends), len(wrong), wrong[:3]))
pools = servers.get("pgbouncer", {}).get("pools", [])
w = sum(p["cl_waiting"] for p in pools)
check(w >= 1, "pgbouncer pools: %d client(s) waiting %s" % (w, [(p["database"], p["user"], p["cl_active"], p["cl_waiting"]) for p in pools]))
al = {(a["tenant"], a["kind"]): a for a in doc.get("alerts", [])}
a = al.get(("tt-dbp-alice", "pool"))
check(a is not None and "MAX_USER_CONNECTIONS" in a["message"],
      "alice at her MariaDB limit raises the pool alert with no limit configured: %s" % (a and a["message"]))
a = al.get(("tt-dbp-bob", "pool_waiting"))
check(a is not None, "bob's client waiting in pgbouncer raises pool_waiting for bob: %s" % (a and a["message"]))
check(not any(t == "tt-dbp-bob" and k == "pool" for t, k in al), "bob (no limit of his own) raises no pool alert")
sys.exit(1 if fails else 0)
PY
rc=$?
[ $vrc = 0 ] || rc=1
[ $rc = 0 ] || { echo "tenantop stderr:"; cat "$T/tt.err"; [ -n "${KEEP:-}" ] && echo "kept $T"; }

# --- the dashboard: the session on a socket, in the sockets pane -------------
if command -v tmux >/dev/null 2>&1; then
	. tests/tmux/lib.sh
	name_for_dump=db
	start db 200 50 "$B/tenantop --config $T/tenantop.conf --delay 1"
	if wait_for db "tt-dbp-bob" 10; then
		keys db '\'; keys db -l "tt-dbp-bob"; keys db Enter Enter
		wait_for db "dbclient mariadb txn" 10
		keys db '\' Escape; keys db '\'; keys db -l "mariadb txn"; keys db Enter Enter
		wait_for db "IN STATE" 10
		keys db '\' Escape
		check "the sockets pane shows bob's idle transaction on his MariaDB socket" wait_for db "tt-dbp-bob Sleep" 10
		cap db | sed -n "/DB SESSION/,+2p" | sed "s/  */ /g"
	else
		bad "the dashboard did not show the tenants"
	fi
	cleanup_tmux
	[ "$fails" = 0 ] || rc=1
fi

# --- a refused login and a hung server: shown per server, never fatal -------
echo "wrong" > "$T/wrong.pw"; chmod 600 "$T/wrong.pw"
cat > "$T/refused.conf" <<X
[general]
ports = $MP, $PP, $RP, $BP
[database shop]
kind = mariadb
host = 127.0.0.1:$MP
user = nobody
password_file = $T/wrong.pw
X
"$B/tenantop" --batch --format json --no-db --config "$T/tenantop.conf" > "$T/nodb.json" 2>>"$T/hung.err"
RPID=$(ss -tlnpH "sport = :$RP" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
kill -STOP "$RPID"
"$B/tenantop" --batch --format json --iterations 4 --delay 0.5 --config "$T/refused.conf" > "$T/hung.jsonl" 2>"$T/hung.err"
hrc=$?
kill -CONT "$RPID"
python3 - "$T" $hrc <<'PY' || rc=1
import json, sys
d, hrc = sys.argv[1], int(sys.argv[2])
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
nodb = json.load(open(d + "/nodb.json"))
check("servers" not in nodb and not any("db" in s for t in nodb["tenants"] for p in t["processes"] for s in p["sockets"]),
      "--no-db: no servers, no db on any socket")
check(hrc == 0, "tenantop exits 0 with a refused login and a stopped Redis (exit %d)" % hrc)
docs = [json.loads(l) for l in open(d + "/hung.jsonl") if l.strip()]
check(len(docs) == 4, "4 refreshes printed (%d)" % len(docs))
if docs:
    last = {s.get("name") or s["kind"]: s for s in docs[-1].get("servers", [])}
    shop = last.get("shop", {})
    check(shop.get("kind") == "mariadb" and "refused" in (shop.get("error") or "") and "nobody" in shop["error"],
          "the configured MariaDB login is refused, said per server: %r" % shop.get("error"))
    red = last.get("redis", {})
    check(red.get("error") is not None, "the stopped Redis has an error: %r" % red.get("error"))
    for k in ("postgresql", "pgbouncer"):
        check(last.get(k, {}).get("error") is None, "%s still answered beside them" % k)
    times = [x["time"] for x in docs]
    print("       refresh intervals with a stopped Redis (delay 0.5 s, measured, not a pass condition): %s" %
          ", ".join("%.2f s" % (b - a) for a, b in zip(times, times[1:])))
    print("       probe of the stopped Redis took %s ms, age %s s" % (red.get("probe_ms"), red.get("age_s")))
sys.exit(1 if fails else 0)
PY
[ $rc = 0 ] || { cat "$T/hung.err"; }
exit $rc
