#!/bin/sh
# A second MariaDB, mysqld_multi style, on a port and a socket file that no
# default names (PORT, DIR/run/mysqld2.sock), and a real php-fpm pool whose
# workers keep persistent mysqli connections to it, over TCP and over the
# socket.  The server ends them (wait_timeout) before tenantop starts.  With
# default options, one refresh must find the server, watch its port and
# socket file, and show each worker's dead connections with their real
# endpoints under the pool's tenant: checked against /proc/PID/fd, ss -tanpe,
# ss -xp and the server's own processlist.
set -u
B=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (creates a user, starts servers)"; exit 77; }
for c in mariadbd mariadb-install-db mariadb php-fpm8.2 cgi-fcgi python3 useradd; do
	command -v $c >/dev/null 2>&1 || { echo "$c is missing"; exit 77; }
done
php-fpm8.2 -m 2>/dev/null | grep -qx mysqli || { echo "php8.2-mysql (mysqli) is missing"; exit 77; }
T=$(mktemp -d /tmp/tt-php.XXXXXX)
chmod 755 "$T"
. tests/integration/lib.sh
MP=$(free_ports 1) || exit 1
SOCK="$T/run/mysqld2.sock"
PIDS=
cleanup() {
	kill $PIDS 2>/dev/null
	wait 2>/dev/null
	pkill -u tt-php-a 2>/dev/null
	userdel tt-php-a 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
useradd -M -N -s /usr/sbin/nologin tt-php-a 2>/dev/null

start_mariadb "$T/my" $MP "$SOCK" --wait-timeout=3 || exit 1
PIDS="$PIDS $MARIADB_PID"
chmod 755 "$T/run"

# --- a php-fpm pool of two workers as the tenant's user ---------------------
mkdir -p "$T/www"
cat > "$T/www/db.php" <<PHP
<?php
// persistent connections: kept by the worker after the request
\$tcp = new mysqli('p:127.0.0.1', 'root', '', '', $MP);
\$unix = new mysqli('p:localhost', 'root', '', '', 0, '$SOCK');
\$r = \$tcp->query('SELECT 1')->fetch_row();
\$u = \$unix->query('SELECT 2')->fetch_row();
echo "ok ", \$r[0], \$u[0], " ", getmypid(), "\n";
PHP
cat > "$T/fpm.conf" <<CONF
[global]
pid = $T/fpm.pid
error_log = $T/fpm.log
daemonize = no
[tenant-a]
user = tt-php-a
group = nogroup
listen = $T/fpm-a.sock
listen.mode = 0666
pm = static
pm.max_children = 2
php_admin_value[mysqli.allow_persistent] = On
CONF
php-fpm8.2 -F -y "$T/fpm.conf" -c /etc/php/8.2/fpm/php.ini > "$T/fpm.out" 2>&1 &
PIDS="$PIDS $!"
i=0; while [ ! -S "$T/fpm-a.sock" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/fpm.out" "$T/fpm.log"; exit 1; }; sleep 0.1; done
# requests until both workers have answered (each then holds its connections)
n=0; i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	SCRIPT_FILENAME="$T/www/db.php" REQUEST_METHOD=GET cgi-fcgi -bind -connect "$T/fpm-a.sock" 2>/dev/null |
		grep '^ok ' >> "$T/answers.txt"
	n=$(awk '{print $3}' "$T/answers.txt" | sort -u | wc -l)
	[ "$n" -ge 2 ] && break
done
[ "$n" -ge 1 ] || { echo "php-fpm answered no request:"; cat "$T/fpm.log"; exit 1; }
WORKERS=$(awk '{print $3}' "$T/answers.txt" | sort -u | tr '\n' ' ')
echo "  php-fpm workers holding persistent connections: $WORKERS"
# the server ends them: wait_timeout 3 s
sleep 5
mariadb -S "$SOCK" -u root -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Daemon'" > "$T/plist.txt" 2>&1
ss -tanpeH > "$T/ss-tan.txt"
ss -xpH > "$T/ss-x.txt"
for pid in $WORKERS; do
	for f in /proc/$pid/fd/*; do printf '%s %s\n' "$pid" "$(readlink "$f")"; done
done > "$T/fds.txt"
# the situation is made; tenantop now, with default options
"$B/tenantop" --batch --format json --no-netns > "$T/out.json" 2>"$T/err"
rc=$?
python3 - "$T" "$rc" "$MP" "$SOCK" "$MARIADB_PID" $WORKERS <<'PY'
import json, sys
d, rc, mp, sock, mpid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
workers = [int(w) for w in sys.argv[6:]]
fails = 0
def check(ok, what):
    global fails
    print("  %s %s" % ("ok  " if ok else "FAIL", what)); fails += not ok
check(rc == 0, "one refresh with default options: exit status %d" % rc)
doc = json.load(open(d + "/out.json"))
w = {x["endpoint"]: x for x in doc.get("watched", [])}
e = w.get("tcp:%d" % mp, {})
check(e.get("why") == "discovered" and e.get("server") == "mariadbd" and e.get("pid") == mpid,
      "port %d watched: %s" % (mp, e))
e = w.get("unix:" + sock, {})
check(e.get("why") == "discovered" and e.get("server") == "mariadbd" and e.get("pid") == mpid,
      "socket file .../run/mysqld2.sock watched: %s" % {k: v for k, v in e.items() if k != "endpoint"})
# ground truth: the workers' socket descriptors, and what ss still lists
held = {}
for l in open(d + "/fds.txt"):
    pid, link = l.split(" ", 1)
    if link.startswith("socket:["):
        held.setdefault(int(pid), set()).add(int(link.strip()[8:-1]))
listed = set()
for l in open(d + "/ss-tan.txt"):
    for f in l.split():
        if f.startswith("ino:"):
            listed.add(int(f[4:]))
xpeer = {}
for l in open(d + "/ss-x.txt"):
    f = l.split()
    if len(f) >= 8 and f[0] == "u_str":
        xpeer[int(f[5])] = f[7]
plist = open(d + "/plist.txt").read().split()
check(plist == ["1"], "MariaDB's processlist: %s session (the test's own): the workers' were ended" % plist)
procs = {p["pid"]: (t, p) for t in doc["tenants"] for p in t["processes"]}
for pid in workers:
    t, p = procs.get(pid, (None, None))
    if not p:
        check(False, "php-fpm worker %d is shown" % pid)
        continue
    socks = p["sockets"]
    tcp = [s for s in socks if s["family"] != "unix" and s["remote"] == "127.0.0.1:%d" % mp]
    unx = [s for s in socks if s["family"] == "unix" and s["remote"] == sock]
    check(t["name"] == "tt-php-a", "worker %d: tenant %s (rule %s)" % (pid, t["name"], p["rule"]))
    check(len(tcp) == 1 and tcp[0]["state"] == "CLOSE" and tcp[0]["inode"] in held.get(pid, ()) and tcp[0]["inode"] not in listed,
          "worker %d: its TCP connection, reset by the server: %s (in /proc/%d/fd, not in ss)"
          % (pid, [(s["state"], s["remote"]) for s in tcp], pid))
    check(len(unx) == 1 and unx[0]["state"] == "CLOSE_WAIT" and unx[0]["inode"] in held.get(pid, ())
          and xpeer.get(unx[0]["inode"]) in ("0", "*"),
          "worker %d: its Unix connection, ended by the server: %s (ss -xp: peer %s)"
          % (pid, [(s["state"], s["remote"][len(d):]) for s in unx], xpeer.get(unx[0]["inode"]) if unx else None))
    check("endpoint_unknown" not in p, "worker %d: no dead connection of unknown endpoint" % pid)
t = next((t for t in doc["tenants"] if t["name"] == "tt-php-a"), None)
check(t is not None and t["leaked"] == 2 * len(workers),
      "tenant tt-php-a: leaked %s = 2 per worker" % (t["leaked"] if t else None))
sys.exit(1 if fails else 0)
PY
