#!/bin/sh
# The keys the main dashboard test leaves out: page moves, j, the sort menu
# (F6), the ports prompt (p/F5), the next match (n/F3), the refresh delay
# (+/-), Z (pause anywhere), U (untag), the mouse (a click on a title
# sorts, on a row selects, a double click opens), F10; and a recording replayed in the
# dashboard: t/T step, g goes to a record, Space plays, REPLAY in the header.
set -u
. "$(dirname "$0")/lib.sh"
. tests/integration/lib.sh
T=$(mktemp -d /tmp/tt-keys.XXXXXX)
PORT=$(free_ports 1) || exit 1
EMPTY=$(free_ports 1) || exit 1 # a port nobody uses
SIM=
trap 'cleanup_tmux; [ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
if [ "$(id -u)" = 0 ]; then U1=2401; else U1=-; fi
specs=""
for i in 1 2 3 4 5 6 7 8; do specs="$specs --tenant -:estab=$i,cw=$((9 - i)),name=t$i"; done
start_sim --port $PORT --tenant "$U1:estab=2,cw=3,procs=3,name=many" $specs || exit 1
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
# every sim client is its own tenant here: name tenants by command line
cat > "$T/tt.conf" <<X
[rule sim]
kind = cmdline
pattern = ^tenantop-sim: client ([^ ]+)
X
not_sel() { ! is_sel "$@"; }
no_tagged() { ! has_tagged "$1"; }
TT="$B/tenantop --ports $PORT --unix-paths none --no-netns --delay 0.5 --config $T/tt.conf"

name_for_dump=k
start k 100 12 "$TT --record $T/rec.ttrec"
check "the tenants are listed" wait_for k "t1 "
sleep 0.5; first=$(sel_first k); echo "  (first row: $first)"
keys k End
sleep 0.3
check "End moves to the last row" is_sel k "(unattributed)"
keys k Home
sleep 0.3
check "Home moves back to the first row" is_sel k "$first"
keys k NPage
sleep 0.3
check "PgDn scrolls: the first row is off the screen" sh -c "! tmux -L $SOCK capture-pane -p -t k | grep -q '^$first '"
keys k PPage
sleep 0.3
check "PgUp scrolls back" wait_for k "$first "
keys k j
sleep 0.3
check "j moves down one row" not_sel k "$first"

keys k F6
check "F6 opens the sort menu" wait_for k "Sort by"
keys k Down Enter
check "choosing in the menu sorts by that column" wait_gone k "sort LEAKED"
keys k '<'
check "< goes back to the LEAKED sort" wait_for k "sort LEAKED"

keys k p
check "p asks for the ports, showing the current ones" wait_for k "Ports (e.g. 3306"
keys k C-u $(echo $EMPTY | sed 's/./& /g') Enter
# (a database server running on this machine may still show: Unix sockets have no port)
check "a port list nobody uses empties the view of the simulated tenants" wait_gone k "t4 "
keys k F5 C-u
keys k $(echo $PORT | sed 's/./& /g') Enter
check "F5 and the right port bring the tenants back" wait_for k "t4 "
keys k Home
check "Home: the first of them" wait_for k "t1 "

keys k / t 3
sleep 0.3
check "/ finds a row as it is typed" is_sel k t3
keys k C-u c m d l i n e Enter
keys k n
sleep 0.3
check "n moves to the next match" is_sel k t4
keys k F3
sleep 0.3
check "F3 too" is_sel k t5
keys k / z z z Enter
keys k n
check "n says when nothing matches" wait_for k 'no more rows match "zzz"'

keys k +
check "+ lengthens the refresh delay" wait_for k "refresh every 1 s"
keys k -
check "- shortens it" wait_for k "refresh every 0.5 s"

keys k / m a n y Enter Enter
check "a tenant's processes" wait_for k "tenants › "
keys k Z
check "Z pauses in the processes pane" wait_for k "PAUSED"
keys k Z
check "Z resumes" wait_gone k "PAUSED"
keys k Space
sleep 0.3
check "Space tags there (a yellow row)" has_tagged k
keys k U
sleep 0.3
check "U untags" no_tagged k
keys k Escape
check "back to the tenants for the mouse" wait_for k "TENANT "
click k "$(col_of k "ESTAB  CLOSE_WAIT")" "$(row_of k "TENANT ")"
check "a click on a column title sorts by it" wait_for k "sort ESTAB desc"
click k 2 "$(row_of k 't5 ')"
sleep 0.4
check "a click on a row selects it" is_sel k t5
dclick k 2 "$(row_of k 't5 ')"
check "a double click opens it" wait_for k "tenants › t5"
sleep 1.5
keys k F10
check "F10 quits with status 0" wait_for k "EXIT=0"

name_for_dump=r
start r 100 14 "$B/tenantop --replay $T/rec.ttrec --config $T/tt.conf"
check "the replay says so in the header" wait_for r "REPLAY "
last=$(cap r | grep -o 'REPLAY [0-9]*/[0-9]*' | head -1)
nrec=${last#*/}
check "it opens on the first record" sh -c "[ '$last' = 'REPLAY 1/$nrec' ] && [ $nrec -ge 5 ]"
keys r T
check "T steps one refresh forward" wait_for r "REPLAY 2/$nrec"
keys r T T
check "T again" wait_for r "REPLAY 4/$nrec"
keys r t
check "t steps one refresh back" wait_for r "REPLAY 3/$nrec"
keys r g '#' $nrec Enter
check "g #N goes to the last record" wait_for r "REPLAY $nrec/$nrec"
keys r g '#' 1 Enter
check "g #1 goes back to the first" wait_for r "REPLAY 1/$nrec"
keys r Space
check "Space plays it" wait_for r "playing"
check "playing moves on" wait_for r "REPLAY 2/$nrec"
keys r q
finish
