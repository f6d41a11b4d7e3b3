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
	"$B/tenantop-sim" --duration 120 --ready-file "$T/ready" --quiet "$@" 2>"$T/sim.err" &
	SIM=$!
	_i=0
	while [ ! -f "$T/ready" ]; do
		_i=$((_i + 1)); [ $_i -gt 100 ] && { cat "$T/sim.err"; return 1; }; sleep 0.1
	done
}

# start_mariadb DIR PORT SOCKET [mariadbd options...]: a MariaDB server from
# Debian's package with its data in DIR, on 127.0.0.1:PORT and SOCKET,
# without grant tables (root logs in without a password), in the
# background; its pid in MARIADB_PID.  Waits until it listens (15 s at most).
start_mariadb() {
	_d=$1 _p=$2 _s=$3; shift 3
	mkdir -p "$_d/data" "$(dirname "$_s")"
	chown mysql: "$_d/data" "$(dirname "$_s")"
	mariadb-install-db --no-defaults --datadir="$_d/data" --user=mysql --skip-test-db > "$_d/install.log" 2>&1 ||
		{ echo "mariadb-install-db failed:"; tail -5 "$_d/install.log"; return 1; }
	mariadbd --no-defaults --datadir="$_d/data" --user=mysql --port="$_p" --bind-address=127.0.0.1 \
		--socket="$_s" --skip-grant-tables --pid-file="$_d/data/mariadb.pid" "$@" > "$_d/mariadb.log" 2>&1 &
	MARIADB_PID=$!
	_i=0
	while ! ss -tlnH "sport = :$_p" | grep -q LISTEN || [ ! -S "$_s" ]; do
		_i=$((_i + 1)); [ $_i -gt 150 ] && { echo "mariadbd did not start:"; tail -5 "$_d/mariadb.log"; return 1; }
		sleep 0.1
	done
}
