#!/bin/sh
# --textfile FILE: the exposition for node_exporter's textfile collector,
# replaced atomically each refresh (temp file beside it, then rename), never
# through a symlink; with --batch and with the dashboard.  Counts compared with
# ss's view of the simulator's sockets.
set -u
B=${BUILD:-build}
T=$(mktemp -d /tmp/tt-textfile.XXXXXX)
. tests/integration/lib.sh
SIM= TT=
TM="tt-textfile-$$"
trap 'kill $SIM $TT 2>/dev/null; tmux -L "$TM" kill-server 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
PORT=$(free_ports 1) || exit 1
cat > "$T/tt.conf" <<X
[general]
ports = $PORT
[rule]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
X
start_sim --port $PORT --tenant "-:estab=4,cw=3,name=alpha" --tenant "-:estab=2,name=beta" || exit 1
mkdir "$T/tf"
echo keep > "$T/victim"
# a symlink where the final file goes: replaced by the file, its target untouched
ln -s "$T/victim" "$T/tf/tenantop.prom"
# and one at the temporary name of the next process ($$ of sh is tenantop after exec)
out=$(sh -c 'ln -s "$1/victim" "$1/tf/.tenantop.prom.tmp-$$"; exec "$2/tenantop" --batch -n 3 -d 0.2 --config "$1/tt.conf" --textfile "$1/tf/tenantop.prom"' sh "$T" "$B" 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && ok "--batch --textfile -n 3 exits 0" || bad "exit status $rc: $(cat "$T/err")"
[ -z "$out" ] && ok "nothing on stdout (as with --listen)" || bad "stdout: $out"
[ "$(cat "$T/victim")" = keep ] && ok "a symlink's target is never written" || bad "victim now: $(cat "$T/victim")"
F="$T/tf/tenantop.prom"
[ -f "$F" ] && [ ! -L "$F" ] && ok "the file is a regular file (the symlink replaced)" || bad "not a regular file: $(ls -l "$F")"
mode=$(stat -c %a "$F")
[ "$mode" = 644 ] && ok "mode 0644" || bad "mode $mode"
left=$(ls -A "$T/tf" | grep -v '^tenantop.prom$')
[ -z "$left" ] && ok "no temporary file left" || bad "left in the directory: $left"
# ground truth from ss: the simulator's client sockets in CLOSE_WAIT / ESTABLISHED
cw=$(ss -tanH state close-wait "dport = :$PORT" | wc -l)
es=$(ss -tanH state established "dport = :$PORT" | wc -l)
got_cw=$(sed -n 's/^tenantop_leaked_sockets{tenant="alpha"} //p' "$F")
[ "$got_cw" = "$cw" ] && [ "$cw" = 3 ] && ok "alpha leaked $got_cw = ss's CLOSE_WAIT clients ($cw)" || bad "alpha leaked '$got_cw', ss says $cw"
got_es=$(grep -E '^tenantop_sockets\{tenant="(alpha|beta)",state="ESTABLISHED",port="'$PORT'",role="client"\}' "$F" | awk '{s+=$2} END {print s+0}')
[ "$got_es" = "$es" ] && ok "ESTABLISHED clients $got_es = ss ($es)" || bad "ESTABLISHED clients $got_es, ss says $es"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics < "$F" > "$T/pt" 2>&1 && ok "promtool check metrics accepts the file" || bad "promtool: $(cat "$T/pt")"
fi
# readers during fast refreshes see a whole exposition every time
"$B/tenantop" --batch -n 60 -d 0.05 --config "$T/tt.conf" --textfile "$F" 2>"$T/err2" &
TT=$!
reads=0 torn=0
while kill -0 $TT 2>/dev/null && [ $reads -lt 400 ]; do
	tail -n 1 "$F" | grep -q '^tenantop_last_refresh_timestamp_seconds ' || torn=$((torn + 1))
	head -n 1 "$F" | grep -q '^# HELP tenantop_sockets ' || torn=$((torn + 1))
	reads=$((reads + 1))
done
wait $TT; rc=$?; TT=
[ $rc -eq 0 ] && [ $torn -eq 0 ] && ok "$reads reads during 60 refreshes at 50 ms: every one whole" || bad "rc $rc, $torn torn reads of $reads: $(cat "$T/err2")"
# an unwritable place: exit status 1 and a message that names the file
out=$("$B/tenantop" --batch -n 1 --config "$T/tt.conf" --textfile "$T/nodir/x.prom" 2>&1); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -qF -- "--textfile $T/nodir/x.prom: directory $T/nodir" && ok "missing directory: exit 1, '$out'" || bad "missing directory: rc $rc '$out'"
out=$("$B/tenantop" --batch -n 1 --textfile "" 2>&1); rc=$?
[ $rc -eq 2 ] && ok "--textfile '': usage error" || bad "--textfile '': rc $rc '$out'"
# --format with it: printed too
out=$("$B/tenantop" --batch -n 1 --config "$T/tt.conf" --textfile "$T/tf/b.prom" --format json 2>&1)
printf '%s' "$out" | grep -q '"tenants"' && [ -s "$T/tf/b.prom" ] && ok "--format json prints and writes the file" || bad "--format json: $out"
# with the dashboard
if command -v tmux >/dev/null 2>&1; then
	tmux -L "$TM" new-session -d -x 120 -y 30 "$B/tenantop -d 0.3 --config $T/tt.conf --textfile $T/tf/dash.prom; sleep 30"
	i=0; while [ $i -lt 100 ] && ! grep -q '^tenantop_leaked_sockets{tenant="alpha"} 3$' "$T/tf/dash.prom" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
	grep -q '^tenantop_leaked_sockets{tenant="alpha"} 3$' "$T/tf/dash.prom" 2>/dev/null && ok "the dashboard writes it too" || bad "dashboard: $(tmux -L "$TM" capture-pane -p 2>&1 | head -5)"
	t1=$(sed -n 's/^tenantop_last_refresh_timestamp_seconds //p' "$T/tf/dash.prom")
	i=0; t2=$t1; while [ $i -lt 100 ] && [ "$t2" = "$t1" ]; do sleep 0.1; t2=$(sed -n 's/^tenantop_last_refresh_timestamp_seconds //p' "$T/tf/dash.prom"); i=$((i+1)); done
	[ "$t2" != "$t1" ] && ok "and replaces it each refresh ($t1 -> $t2)" || bad "not replaced: $t1"
	tmux -L "$TM" send-keys q
fi
[ $fails -eq 0 ] && echo "all checks passed" || { echo "$fails check(s) failed"; exit 1; }
