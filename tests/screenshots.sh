#!/bin/sh
# make screenshots: real captures of the dashboard over --demo, driven
# through tmux (capture-pane -e keeps colours), rendered to PNG with aha and
# headless Chromium.  Writes screenshots/*.png and *.txt.
set -eu
B=${BUILD:-build}
OUT=screenshots
mkdir -p "$OUT"
for tool in tmux aha chromium; do
	command -v $tool >/dev/null 2>&1 || { echo "screenshots: $tool is missing (make screenshots installs it when root)"; exit 1; }
done
S=tt-shots-$$
tm() { tmux -L "$S" "$@"; }
trap 'tm kill-server 2>/dev/null || true' EXIT
export LANG=C.UTF-8 TERM=xterm-256color
# the captures show the defaults, not the user's own settings (F2)
XDG_CONFIG_HOME=$(mktemp -d /tmp/tt-shots-cfg.XXXXXX)
export XDG_CONFIG_HOME
shot() { # shot NAME: capture the pane as text, ANSI, HTML and PNG
	name=$1
	tm capture-pane -p -t demo > "$OUT/$name.txt"
	tm capture-pane -e -p -t demo > "$OUT/$name.ansi"
	cols=$(tm display -p -t demo '#{pane_width}'); rows=$(tm display -p -t demo '#{pane_height}')
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		echo 'body{margin:0;background:#1c1c1c;color:#d0d0d0}'
		echo 'pre{margin:8px;font:14px/1.2 "DejaVu Sans Mono",monospace}'
		echo '</style></head><body><pre>'
		aha --no-header --black < "$OUT/$name.ansi"
		echo '</pre></body></html>'
	} > "$OUT/$name.html"
	w=$((cols * 87 / 10 + 24)); h=$((rows * 17 + 16))
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=$w,$h \
		--screenshot="$PWD/$OUT/$name.png" "file://$PWD/$OUT/$name.html" >/dev/null 2>&1
	rm -f "$OUT/$name.ansi" "$OUT/$name.html"
	echo "  $OUT/$name.png"
}
wait_for() { i=0; while [ $i -lt 100 ]; do tm capture-pane -p -t demo | grep -qF -- "$1" && return 0; sleep 0.1; i=$((i+1)); done; return 1; }

REC=$(mktemp /tmp/tt-shots-rec.XXXXXX)
rm -f "$REC"
trap 'tm kill-server 2>/dev/null || true; rm -f "$REC" "$REC.conf"; rm -rf "$XDG_CONFIG_HOME"' EXIT
tm new-session -d -s demo -x 120 -y 32 "$B/tenantop --demo --delay 1 --record $REC"
wait_for "F10Quit"
sleep 25   # let the leaks age and the trends form
shot tenants
tm send-keys -t demo Enter; wait_for "tenants › "; sleep 1.2
shot processes
tm send-keys -t demo Space k; wait_for "Signal to"; sleep 0.3
shot signal-menu
tm send-keys -t demo Enter; wait_for "y/N"; sleep 0.3
shot signal-confirm
tm send-keys -t demo Escape Home; sleep 0.5
tm send-keys -t demo Enter; wait_for "STATE"; sleep 1.2
shot sockets
tm send-keys -t demo Escape Escape F6; sleep 1
shot sort-menu
tm send-keys -t demo Escape h; wait_for "q or Esc returns"
shot help
tm send-keys -t demo x
# the lifecycle pane (kernel events: root): the cycling tenant first
tm send-keys -t demo L; wait_for "tenants › lifecycle"; sleep 1.2
shot lifecycle
tm send-keys -t demo L; sleep 0.5
key() { tm send-keys -t demo "$@"; sleep 0.4; }
# every screen at one size: tenants, processes, the signal menu, sockets,
# the alert list, help, Setup
tour() {
	sz=$1
	key Escape; key Escape; key Home; sleep 1
	shot tenants-$sz
	key Enter; wait_for "tenants › "; sleep 1.2
	shot processes-$sz
	key k; wait_for "Signal to"; sleep 0.3
	shot signal-menu-$sz
	key Escape; key Enter; wait_for "STATE"; sleep 1.2
	shot sockets-$sz
	key Escape; key Escape; key a; wait_for "alerts"; sleep 0.5
	shot alerts-$sz
	key q; key h; sleep 0.5
	shot help-$sz
	key x; key F2; wait_for "Setup"; sleep 0.5
	shot setup-$sz
	key Escape; sleep 0.5
}
tm resize-window -t demo -x 80 -y 24; sleep 1.5
tour 80x24
tm resize-window -t demo -x 40 -y 10; sleep 1.5
tour 40x10
tm send-keys -t demo q
sleep 1

# the same run, replayed from its recording (the demo's rules in a file)
cat > "$REC.conf" <<'C'
[rule demo clients]
kind = cmdline
pattern = ^tenantop-sim: (client|twin) ([^ ]+)
tenant = \2
[rule demo server]
kind = cmdline
pattern = tenantop-sim --port
tenant = db-server
[rule users]
kind = user
C
tm new-session -d -s demo -x 120 -y 32 "$B/tenantop --replay $REC --config $REC.conf"
wait_for "REPLAY"
tm send-keys -t demo g '#' 2 0 Enter; sleep 1
shot replay
tm send-keys -t demo q
sleep 1

# the Databases pane over a real MariaDB (Debian's package: its own data
# directory, a free port) with clients under two Unix users: root only
if [ "$(id -u)" = 0 ] && command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1; then
	DBT=$(mktemp -d /tmp/tt-shots-db.XXXXXX); chmod 755 "$DBT"
	. tests/integration/lib.sh
	DBPIDS=
	db_cleanup() {
		pkill -u tt-shop 2>/dev/null || :; pkill -u tt-blog 2>/dev/null || :; kill $DBPIDS 2>/dev/null || :
		wait 2>/dev/null || :
		userdel -f tt-shop 2>/dev/null || :; userdel -f tt-blog 2>/dev/null || :; rm -rf "$DBT"
	}
	trap 'tm kill-server 2>/dev/null || true; rm -f "$REC" "$REC.conf"; rm -rf "$XDG_CONFIG_HOME"; db_cleanup' EXIT
	useradd -M -N -s /usr/sbin/nologin tt-shop 2>/dev/null; useradd -M -N -s /usr/sbin/nologin tt-blog 2>/dev/null
	MP=$(free_ports 1)
	MARIADB_GRANTS=1
	if start_mariadb "$DBT/my" "$MP" "$DBT/run/mysqld.sock" --max-connections=24; then
		DBPIDS=$MARIADB_PID
		for u in tt-shop tt-blog; do
			mariadb --no-defaults -S "$DBT/run/mysqld.sock" -u root -e \
				"CREATE USER '$u'@'%' IDENTIFIED BY 'pw' WITH MAX_USER_CONNECTIONS 10; CREATE USER '$u'@'localhost' IDENTIFIED BY 'pw' WITH MAX_USER_CONNECTIONS 10"
		done
		for n in 1 2 3 4 5 6 7 8 9; do
			u=tt-shop; [ $n -gt 7 ] && u=tt-blog
			setpriv --reuid=$u --regid=nogroup --clear-groups mariadb --no-defaults -h 127.0.0.1 -P "$MP" -u $u -ppw \
				-e "SELECT SLEEP(300)" >/dev/null 2>&1 &
			DBPIDS="$DBPIDS $!"
		done
		i=0; while [ "$(mariadb --no-defaults -S "$DBT/run/mysqld.sock" -u root -N -B -e \
			"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'")" != 9 ] && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i+1)); done
		tm new-session -d -s demo -x 120 -y 32 "$B/tenantop --delay 1 --ports $MP --no-netns"
		wait_for "mariadb $MP"; sleep 2
		tm send-keys -t demo d; wait_for "tenants › databases"; sleep 1.5
		shot databases
		tm send-keys -t demo Enter; wait_for "DB USER"; sleep 1.5
		shot database-users
		tm send-keys -t demo q
		sleep 1
	fi
fi
