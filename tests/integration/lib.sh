# Helpers for the integration and dashboard scripts (sourced).

# free_ports N: prints the first of N consecutive TCP ports that nothing on
# this host uses, below the kernel's ephemeral range so that client sockets
# of earlier tests (or their TIME_WAIT) cannot hold them.
free_ports() {
	_n=${1:-1}
	_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$_lo" -gt 12000 ] || _lo=32768
	_span=$((_lo - 10000 - _n))
	_try=0
	while [ $_try -lt 200 ]; do
		_p=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % _span))
		_i=0 _busy=
		while [ $_i -lt "$_n" ]; do
			[ -n "$(ss -tanH "sport = :$((_p + _i))" 2>/dev/null)" ] && { _busy=1; break; }
			_i=$((_i + 1))
		done
		[ -z "$_busy" ] && { echo $_p; return 0; }
		_try=$((_try + 1))
	done
	echo "no free port found" >&2
	return 1
}

# start_sim ARGS...: tenantop-sim in the background with a ready file in
# $T, waited for (10 s at most); its pid in SIM
start_sim() {
	"$B/tenantop-sim" --duration 600 --ready-file "$T/ready" --quiet "$@" 2>"$T/sim.err" &
	SIM=$!
	_i=0
	while [ ! -f "$T/ready" ]; do
		_i=$((_i + 1)); [ $_i -gt 100 ] && { cat "$T/sim.err"; return 1; }; sleep 0.1
	done
}

# start_mariadb DIR PORT SOCKET [mariadbd options...]: a MariaDB server from
# Debian's package with its data in DIR, on 127.0.0.1:PORT and SOCKET,
# without grant tables (root logs in without a password; with MARIADB_GRANTS=1
# set before the call: with them), in the background; its pid in MARIADB_PID.  Waits until it listens (15 s at most).
start_mariadb() {
	_d=$1 _p=$2 _s=$3; shift 3
	mkdir -p "$_d/data" "$(dirname "$_s")"
	chown mysql: "$_d/data" "$(dirname "$_s")"
	mariadb-install-db --no-defaults --datadir="$_d/data" --user=mysql --skip-test-db > "$_d/install.log" 2>&1 ||
		{ echo "mariadb-install-db failed:"; tail -5 "$_d/install.log"; return 1; }
	mariadbd --no-defaults --datadir="$_d/data" --user=mysql --port="$_p" --bind-address=127.0.0.1 \
		--socket="$_s" $([ -n "${MARIADB_GRANTS:-}" ] || echo --skip-grant-tables) --pid-file="$_d/data/mariadb.pid" "$@" > "$_d/mariadb.log" 2>&1 &
	MARIADB_PID=$!
	_i=0
	while ! ss -tlnH "sport = :$_p" | grep -q LISTEN || [ ! -S "$_s" ]; do
		_i=$((_i + 1)); [ $_i -gt 150 ] && { echo "mariadbd did not start:"; tail -5 "$_d/mariadb.log"; return 1; }
		sleep 0.1
	done
}

# --- real database servers (Debian packages) for the integration scripts ---
# Each writes its log to $T/NAME.log and appends its pid to PIDS; data lives
# under $T.  The caller sets a trap that runs stop_dbs.

# as_user USER CMD...: run CMD as that Unix user (and its primary group)
as_user() { _u=$1; shift; setpriv --reuid="$_u" --regid="$(id -g "$_u")" --clear-groups "$@"; }

# a counter of the kernel's TCP MIB (/proc/net/snmp "Tcp:", /proc/net/netstat
# "TcpExt:"), machine-wide: tcp_mib OutRsts, tcp_mib TCPTimeWaitOverflow
tcp_mib() { awk -v f="$1" '/^(Tcp|TcpExt):/ { if (!($1 in h)) { h[$1] = 1; for (i = 2; i <= NF; i++) if ($i == f) c[$1] = i } else if (c[$1]) print $c[$1] }' /proc/net/snmp /proc/net/netstat; }

# wait_port PORT: until something listens there (15 s at most)
wait_port() { _i=0; while ! ss -tlnH "sport = :$1" | grep -q LISTEN; do _i=$((_i+1)); [ $_i -gt 150 ] && return 1; sleep 0.1; done; }

# the newest PostgreSQL server binaries
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1; }

# start_redis PORT [ARGS...]
start_redis() {
	_p=$1; shift
	redis-server --port "$_p" --bind 127.0.0.1 --save "" --appendonly no --dir "$T" \
		--protected-mode no --daemonize no "$@" > "$T/redis.log" 2>&1 &
	PIDS="$PIDS $!"
}

# start_postgres PORT [INITDB_AUTH] [ARGS...]: data in $T/pg, socket in $T/pg-run,
# initdb auth options (default "-A trust"); runs as postgres
start_postgres() {
	_p=$1; _auth=${2:--A trust}; shift; [ $# -gt 0 ] && shift
	PGBIN=$(pg_bindir)
	mkdir -p "$T/pg" "$T/pg-run"; chown postgres: "$T/pg" "$T/pg-run"
	# shellcheck disable=SC2086
	as_user postgres "$PGBIN/initdb" -D "$T/pg" $_auth -U postgres > "$T/pg-init.log" 2>&1 ||
		{ echo "initdb failed:"; tail -5 "$T/pg-init.log"; return 1; }
	as_user postgres "$PGBIN/postgres" -D "$T/pg" -p "$_p" -c listen_addresses=127.0.0.1 \
		-c unix_socket_directories="$T/pg-run" "$@" > "$T/pg.log" 2>&1 &
	PIDS="$PIDS $!"
}

# stop_dbs: every server started above, and what they left
stop_dbs() {
	kill $PIDS 2>/dev/null
	[ -f "$T/pg/postmaster.pid" ] && as_user postgres "$(pg_bindir)/pg_ctl" -D "$T/pg" -m immediate stop >/dev/null 2>&1
	wait 2>/dev/null
}

# show_logs: the tail of every log in $T (after a failure)
show_logs() { for _l in "$T"/*.log; do echo "== $_l"; tail -n 5 "$_l"; done; }
