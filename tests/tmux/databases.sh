#!/bin/sh
# The Databases pane against a real MariaDB (Debian's package, its own data
# directory, a free port, max_connections 20): clients under two Unix users
# hold sessions (alice 3 over TCP, bob 1), THEN the dashboard starts.  `d`
# opens the pane: the server's kind, its connections used / limit as the
# server itself counts them (SHOW STATUS Threads_connected, max_connections),
# the tenants using it; Enter: one row per database user with its sessions
# (information_schema.PROCESSLIST).  The header names the fullest server;
# with --no-db the pane says why it is empty; help lists pool_waiting.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (users, a database server)"; exit 77; }
for c in mariadbd mariadb mariadb-install-db useradd setpriv; do
	command -v $c >/dev/null 2>&1 || { echo "$c is missing"; exit 77; }
done
T=$(mktemp -d /tmp/tt-dbpane.XXXXXX)
chmod 755 "$T"
. tests/integration/lib.sh
MP=$(free_ports 1) || exit 1
A=tt-dbt-alice Bo=tt-dbt-bob
PIDS=
trap 'cleanup_tmux; pkill -u $A 2>/dev/null; pkill -u $Bo 2>/dev/null; kill $PIDS 2>/dev/null; wait 2>/dev/null;
	userdel $A 2>/dev/null; userdel $Bo 2>/dev/null; rm -rf "$T"' EXIT INT TERM
useradd -M -N -s /usr/sbin/nologin $A 2>/dev/null
useradd -M -N -s /usr/sbin/nologin $Bo 2>/dev/null
MARIADB_GRANTS=1
start_mariadb "$T/my" $MP "$T/my-run/mysqld.sock" --max-connections=20 || exit 1
PIDS="$PIDS $MARIADB_PID"
my() { mariadb --no-defaults -S "$T/my-run/mysqld.sock" -u root -N -B "$@"; }
my -e "CREATE USER '$A'@'%' IDENTIFIED BY 'pw-a'; CREATE USER '$A'@'localhost' IDENTIFIED BY 'pw-a';
	CREATE USER '$Bo'@'%' IDENTIFIED BY 'pw-b'; CREATE USER '$Bo'@'localhost' IDENTIFIED BY 'pw-b';" ||
	{ echo "mariadb setup failed"; tail -5 "$T/my/mariadb.log"; exit 1; }
# the clients: each holds a session over TCP, sleeping in a query
client() { # USER PASSWORD
	as_user "$1" mariadb --no-defaults -h 127.0.0.1 -P $MP -u "$1" -p"$2" -N -B -e "SELECT SLEEP(600)" \
		>/dev/null 2>>"$T/client.err" &
	PIDS="$PIDS $!"
}
client $A pw-a; client $A pw-a; client $A pw-a; client $Bo pw-b
# the situation is made when the server lists the four sessions
i=0; while [ "$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'")" != 4 ]; do
	i=$((i+1)); [ $i -gt 150 ] && { echo "the sessions are not in place"; cat "$T/client.err"; exit 1; }; sleep 0.1
done
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
name_for_dump=db
start db 140 32 "$B/tenantop --delay 1 --no-netns --ports $MP"
check "the dashboard starts" wait_for db "F10Quit"
max=$(my -e "SELECT @@max_connections")
check "the probe has answered (the header shows the server)" wait_for db "mariadb $MP " 10
# the server's own figures, now that the probe's connection (kept open) is
# one of them: this query's connection counts itself, one less is the count
# every other client sees (asked again until the screen's refresh has read
# the same situation: another program may connect to the server meanwhile)
truth() { used=$(( $(my -e "SHOW STATUS LIKE 'Threads_connected'" | cut -f2) - 1 )); }
i=0; while [ $i -lt 50 ]; do truth; cap db | grep -q "mariadb $MP $used/$max" && break; sleep 0.2; i=$((i+1)); done
check "the header names the fullest server: mariadb $MP $used/$max" wait_for db "mariadb $MP $used/$max" 10
keys db d
check "d opens the Databases pane (the breadcrumb says so)" wait_for db "tenants › databases"
i=0; while [ $i -lt 50 ]; do truth; cap db | grep -E '^mariadb ' | grep -q " $used/$max " && break; sleep 0.2; i=$((i+1)); done
row=$(cap db | grep -E '^mariadb ')
echo "  the row: $row"
echo "$row" | grep -qF "127.0.0.1:$MP" && echo "$row" | grep -q " $used/$max " && ok "its row: kind mariadb, port $MP, $used/$max as the server counts" ||
	bad "its row: kind mariadb, port $MP, $used/$max"
free=$((max - used))
echo "$row" | grep -qE " $used/$max +[^ ]+ +$free " && ok "the headroom: $free left" || bad "the headroom $free"
echo "$row" | grep -q "$A 3, $Bo 1" && ok "the tenants using most: $A 3, $Bo 1" || bad "the tenants using most ($A 3, $Bo 1)"
ver=$(my -e "SELECT VERSION()" | cut -c1-8)
echo "$row" | grep -qF "$ver" && ok "the version the server says ($ver)" || bad "the version $ver"
keys db Enter
check "Enter: the server's database users" wait_for db "tenants › databases › mariadb 127.0.0.1:$MP"
na=$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$A'")
nb=$(my -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$Bo'")
cap db | grep -qE "^$A +$na +- .* $A $na\$" && ok "$A: $na sessions (PROCESSLIST), no limit, tenant $A" || bad "$A's row ($na sessions)"
cap db | grep -qE "^$Bo +$nb +- .* $Bo $nb\$" && ok "$Bo: $nb session (PROCESSLIST), tenant $Bo" || bad "$Bo's row ($nb)"
keys db Escape
check "Esc returns to the servers" wait_for db "tenants › databases "
keys db Escape
check "Esc again: the tenants" wait_gone db "tenants › databases"
keys db h
i=0; while ! cap db | grep -q "pool_waiting" && [ $i -lt 8 ]; do keys db NPage; sleep 0.3; i=$((i+1)); done
cap db | grep -q "^ *pool_waiting " && ok "help lists the alert kind pool_waiting" || bad "help lists pool_waiting"
keys db q

name_for_dump=nodb
start nodb 100 24 "$B/tenantop --delay 1 --no-netns --ports $MP --no-db"
check "--no-db: the dashboard starts" wait_for nodb "F10Quit"
keys nodb d
check "--no-db: the pane says why it is empty" wait_for nodb "--no-db"
keys nodb q
finish
