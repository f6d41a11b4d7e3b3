#!/bin/sh
# The operator's screen at the sizes operators use (120x35, 80x24, 60x15,
# 40x10): the key columns always shown and stable under < and >, sort
# arrows on every column, nothing cut off (signal menu, confirmation, alert
# messages, help, command lines), the worst alert first, a tenant over its
# limit shown OVER, sparklines from zero, the PARTIAL notice and the counts
# on a narrow terminal, and the small habits (separated function keys,
# "1 row", the delay ladder, (unattributed) filtered and sorted, LEAK% in
# 0-100 %, an ASCII trend arrow that is not "no data").
set -u
. "$(dirname "$0")/lib.sh"
. tests/integration/lib.sh
T=$(mktemp -d /tmp/tt-screen.XXXXXX)
PORT=$(free_ports 1) || exit 1
SIM=
trap 'cleanup_tmux; [ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
if [ "$(id -u)" = 0 ]; then U1=2501 U2=2502; else U1=- U2=-; fi
start_sim --port $PORT \
	--tenant "$U1:estab=4,cw=12,procs=3,name=alice" \
	--tenant "$U2:estab=2,cw=12,name=erin" \
	--tenant "-:estab=5,tw=30,name=bob" \
	--tenant "-:estab=3,reset=2,name=carol" || exit 1
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
unset NO_COLOR
chmod 755 "$T"
cat > "$T/tt.conf" <<X
[rule sim]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
tenant = \1
[detect]
limit = alice=5
X
TT="$B/tenantop --ports $PORT --delay 0.5 --config $T/tt.conf"
hdr() { cap "$1" | grep '^TENANT' | head -1; }
bare_hdr() { hdr "$1" | sed 's/▲/ /g; s/▼/ /g; s/ *$//'; }
line_of() { cap "$1" | grep -E -- "$2" | head -1; }
# wait_sh SCRIPT: until the shell test holds (6 s at most)
wait_sh() { i=0; while [ $i -lt 60 ]; do sh -c "$1" && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }

name_for_dump=s
start s 80 24 "$TT"
check "80x24: the tenants are listed" wait_for s "alice "
sleep 1.2
h=$(hdr s)
for c in TENANT ESTAB CLOSE_WAIT CLOSE LEAKED OLDEST "ETA FULL"; do
	case "$h" in *"$c"*) ok "80x24: the $c column is shown";; *) bad "80x24: the $c column is shown ($h)";; esac
done
case "$h" in *PROCS*|*OTHER*) bad "80x24: PROCS and OTHER drop first ($h)";; *) ok "80x24: PROCS and OTHER drop first";; esac
check "a tenant over its own limit reads OVER in ETA FULL" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep '^alice ' | grep -q ' OVER'"
check "the header's worst alert is the pool over its limit" wait_sh "tmux -L $SOCK capture-pane -p -t s | sed -n 3p | grep -q 'alice pool: '"
check "the function keys are separated" wait_for s "F3Search F4Filter"
cap s | grep -q "tenantop --batch" && bad "the alerts panel does not send to --batch" || ok "the alerts panel does not send to --batch"

# F6 -> vs BASE with no baseline: says why
keys s F6 Down Down Down Down Enter
check "sorting by vs BASE without a baseline says why" wait_for s "no baseline yet"
check "the sort line says so too" wait_for s "sort vs BASE desc (no baseline: b learns one)"
keys s '>'
check "> from a hidden column goes to the next column shown" wait_for s "sort ETA FULL"

# > through every column: the visible columns never change; every sort
# column shows its arrow, CLOSE_WAIT and TIME_WAIT included
base=$(bare_hdr s)
seen=""
i=0
while [ $i -lt 12 ]; do
	keys s '>'
	sleep 0.25
	now=$(bare_hdr s)
	[ "$now" = "$base" ] || { bad "> changes the columns: '$now' vs '$base'"; break; }
	hh=$(hdr s)
	case "$hh" in *▼CLOSE_WAIT*|*▲CLOSE_WAIT*) seen="$seen cw";; esac
	case "$hh" in *▼TIME_WAIT*|*▲TIME_WAIT*) seen="$seen tw";; esac
	case "$hh" in *▼*|*▲*) ;; *) bad "the sort column has no arrow: $hh";; esac
	i=$((i + 1))
done
[ $i -eq 12 ] && ok "> twelve times: the same columns every time"
case "$seen" in *cw*) ok "CLOSE_WAIT shows its sort arrow";; *) bad "CLOSE_WAIT shows its sort arrow";; esac
case "$seen" in *tw*) ok "TIME_WAIT shows its sort arrow";; *) bad "TIME_WAIT shows its sort arrow";; esac

# (unattributed) sorts like any row: by TIME_WAIT it is first (bob's 30)
j=0
while ! cap s | grep -q "sort TIME_WAIT desc" && [ $j -lt 16 ]; do keys s '>'; sleep 0.2; j=$((j + 1)); done
sleep 0.4
check "sorted by TIME_WAIT, (unattributed) comes first" wait_sh "[ \"\$(tmux -L $SOCK capture-pane -p -t s | grep -A1 '^TENANT' | tail -1 | awk '{print \$1}')\" = '(unattributed)' ]"
keys s '\' a l i c e Enter
check "the filter keeps alice" wait_for s "filter \"alice\""
check "one row reads 1 row" wait_for s "1 row "
cap s | grep -q "^(unattributed)" && bad "(unattributed) obeys the filter" || ok "(unattributed) obeys the filter"
keys s '\' Escape
sleep 0.3

# the delay ladder: down to 0.2, back up to 2 exactly
keys s -
check "- goes down to 0.2 s" wait_for s "refresh every 0.2 s"
keys s + + + +
check "+ from 0.2 s comes back to 2 s" wait_for s "refresh every 2 s"
keys s - - -
check "- back to 0.5 s" wait_for s "refresh every 0.5 s"

# the alert list, whole
keys s a
check "a opens every alert, worst first" wait_for s "alerts, worst first"
check "the worst is alice's pool, over its limit" wait_sh "tmux -L $SOCK capture-pane -p -t s | sed -n 3p | grep -q '^critical  alice  pool'"
check "a message is whole (its end is on screen)" wait_for s "(limit 20%), oldest"
keys s q
check "q returns from the alert list" wait_for s "F10Quit"

# help scrolls: every column and the alerts and rules sections can be reached
keys s h
check "h shows the help" wait_for s "q or Esc returns"
: > "$T/help.txt"
k=0
while [ $k -lt 8 ]; do cap s >> "$T/help.txt"; keys s NPage; sleep 0.2; k=$((k + 1)); done
for c in TENANT RULE PROCS ESTAB CLOSE_WAIT CLOSE TIME_WAIT OTHER LEAKED OLDEST 'LEAK%' TREND 'vs BASE' 'ETA FULL'; do
	grep -q "^ $c  " "$T/help.txt" || bad "help: the $c column is described"
done
ok "help: every tenants column is reachable"
check "help: the alerts section is reachable" grep -q "^ time_wait_storm" "$T/help.txt"
check "help: the rule list names netns" grep -q "^ netns " "$T/help.txt"
keys s End
sleep 0.3
check "End shows the last help line" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep -q 'lines [0-9]*-\\([0-9]*\\) of \\1 '"
keys s x
check "another key leaves the help" wait_for s "F10Quit"

# processes: the signal menu and a 3-process confirmation fit in 80 columns
keys s Home
sleep 0.3
j=0
while ! is_sel s alice && [ $j -lt 8 ]; do keys s Down; sleep 0.2; j=$((j + 1)); done
keys s Enter
check "alice's processes" wait_for s "tenants › alice"
sleep 0.3
check "the detail line shows the whole command line" wait_for s "fds: tenantop-sim: client alice #"
keys s ']' ']'
check "] scrolls the command lines sideways" wait_for s "…ient alice #"
keys s '[' '['
check "[ scrolls them back" wait_for s " tenantop-sim: c"
keys s Space Space Space k
check "the signal menu shows every signal (STOP, CONT, KILL)" wait_sh "tmux -L $SOCK capture-pane -p -t s | tr '\n' ' ' | grep -q 's:STOP .*c:CONT .*k:KILL'"
check "the signal menu keeps how to pick" wait_for s "Enter TERM, Esc cancel"
keys s Enter
check "the confirmation names 3 processes" wait_for s "Send SIGTERM to 3 processes:"
check "the confirmation keeps y/N" wait_for s "y/N"
keys s n
check "n cancels" wait_for s "cancelled: nothing was done"
keys s U
keys s c
check "c tags every leaking process of the tenant" wait_for s "c: 3 leaking processes tagged"
check "tagged rows show" has_tagged s
keys s U

# 120x35: LEAK% stays within 0-100 %
tm resize-window -t s -x 120 -y 35
keys s Escape
sleep 1
check "120x35: LEAK% is shown" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep -q '^TENANT.*LEAK%'"
check "120x35: the alerts panel shows a long message whole, wrapped" wait_sh "tmux -L $SOCK capture-pane -p -t s | sed -n '/^ALERTS /,\$p' | tr '\n' ' ' | grep -q 'ESTABLISHED (limit 20%), *oldest [0-9]*s'"
check "erin's LEAK% is 12 of 14 held: 86%" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep '^erin ' | grep -q ' 86% '"
cap s | grep -E ' ([2-9][0-9]{2}|1[0-9][1-9]|10[1-9])% ' | grep -qv 'limit' && bad "no LEAK% over 100 %" || ok "no LEAK% over 100 %"
# sparklines from zero: a steady CLOSE_WAIT count draws even, high bars
sleep 3
spark=$(cap s | sed -n 2p | sed 's/.*CLOSE_WAIT [0-9]* //' | perl -CSD -ne 'print substr($_, 0, 12)')
case "$spark" in *▁*|*▂*|*▃*|*▄*) bad "a steady count draws no low bars ('$spark')";; *) ok "a steady count draws even, high bars ('$spark')";; esac

# 60x15 and 40x10: the counts and the alerts survive
tm resize-window -t s -x 60 -y 15
sleep 0.8
check "60x15: the alert count is in the title" wait_sh "tmux -L $SOCK capture-pane -p -t s | head -1 | grep -q 'alerts'"
check "60x15: the totals are shown" wait_sh "tmux -L $SOCK capture-pane -p -t s | sed -n 2p | grep -q 'CLOSE_WAIT 24'"
tm resize-window -t s -x 40 -y 10
sleep 0.8
check "40x10: the alert count is in the title" wait_sh "tmux -L $SOCK capture-pane -p -t s | head -1 | grep -q 'alerts'"
check "40x10: the totals are shown, short" wait_sh "tmux -L $SOCK capture-pane -p -t s | sed -n 2p | grep -q 'CW 24'"
check "40x10: LEAKED is shown" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep -q '^TENANT.*LEAKED'"
keys s '\' e r i n Enter
sleep 0.4
keys s Enter
check "40x10: erin's processes" wait_for s "tenants › erin"
sleep 0.4
keys s Enter
check "40x10: erin's sockets" wait_for s "STATE"
sleep 0.4
check "40x10: the sockets pane keeps a local port beside STATE and REMOTE" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep '^CLOSE_WAIT' | head -1 | grep -q ':[0-9][0-9]* .*:$PORT'"
cap s | perl -CSD -ne 'chomp; $bad = 1 if length($_) > 40; END { exit($bad ? 1 : 0) }' && ok "40x10: no line is wider than 40 columns" || bad "40x10: a line is wider than 40"
keys s Escape
check "40x10: back to erin's processes" wait_for s "COMMAND"
keys s k
check "40x10: the signal menu still shows KILL" wait_sh "tmux -L $SOCK capture-pane -p -t s | grep -q 'k:KILL'"
check "40x10: and how to pick" wait_for s "Enter TERM, Esc cancel"
keys s Enter
check "40x10: the confirmation keeps y/N" wait_for s "y/N"
keys s n
keys s q
check "q quits" wait_for s "EXIT=0"

# ASCII: the flat trend arrow differs from "no data"
name_for_dump=a
start a 130 30 "TERM=vt100 LANG=C $TT"
check "ASCII: the tenants are listed" wait_for a "erin "
sleep 1.5
check "ASCII: a flat trend reads =" wait_sh "tmux -L $SOCK capture-pane -p -t a | grep -E '^erin ' | grep -q ' = '"
check "ASCII: (unattributed) has no trend: -" wait_sh "tmux -L $SOCK capture-pane -p -t a | grep -E '^\\(unattributed\\) ' | grep -q ' - '"
keys a q

# not root: attribution PARTIAL survives at 60x15 and 40x10
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	name_for_dump=p
	start p 60 15 "XDG_STATE_HOME=$T/nobody setpriv --reuid=65534 --regid=65534 --clear-groups $TT"
	check "60x15 not root: the tenants pane" wait_for p "TENANT"
	check "60x15 not root: attribution PARTIAL whole" wait_for p "attribution PARTIAL"
	tm resize-window -t p -x 40 -y 10
	sleep 0.8
	check "40x10 not root: PARTIAL is still in the title" wait_sh "tmux -L $SOCK capture-pane -p -t p | head -1 | grep -q 'PARTIAL'"
	check "40x10 not root: the totals are still shown" wait_sh "tmux -L $SOCK capture-pane -p -t p | sed -n 2p | grep -q 'CW '"
	keys p q
else
	echo "  skip the not-root checks (needs root and setpriv)"
fi
finish
