#!/bin/sh
# The dashboard as a person sees it, driven through tmux: header, panes,
# drill-down and back, sorting, filter, search, pause, help, resize, quit
# paths (q, Ctrl-C, SIGTERM) with the terminal restored, and monochrome.
set -u
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/tt-ui.XXXXXX)
. tests/integration/lib.sh
PORT=$(free_ports 1) || exit 1
SIM=
trap 'cleanup_tmux; [ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
if [ "$(id -u)" = 0 ]; then A=2101 Bu=2102; else A=- Bu=-; fi
"$B/tenantop-sim" --port $PORT --duration 120 --ready-file "$T/ready" --quiet \
	--tenant "$A:estab=3,cw=6,reset=1,procs=2,name=alice" \
	--tenant "$Bu:estab=5,cw=1,procs=1,name=bob" 2>"$T/sim.err" &
SIM=$!
i=0; while [ ! -f "$T/ready" ]; do i=$((i+1)); [ $i -gt 100 ] && { cat "$T/sim.err"; exit 1; }; sleep 0.1; done
TA=$( [ "$A" = - ] && id -un || echo $A )
export LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$T/state"
unset NO_COLOR
TT="$B/tenantop --ports $PORT --delay 0.5"

name_for_dump=main
start main 100 30 "$TT"
check "header shows the program, the source and the totals" wait_for main "netlink"
check "the tenants pane lists the leaking tenant" wait_for main "$TA "
check "the column titles are shown" wait_for main "CLOSE_WAIT"
check "the function-key bar is shown" wait_for main "F10Quit"
cap main | grep "^$TA " | grep -q " 6 .* 1 " && ok "the tenant row counts 6 CLOSE_WAIT and 1 CLOSE" || bad "tenant row counts"
check "the leakiest tenant is selected first" selected main "$TA "

keys main Enter
check "Enter opens the tenant: breadcrumb" wait_for main "tenants › $TA"
check "the processes pane shows command lines" wait_for main "tenantop-sim: client alice"
keys main Down
sleep 0.3
pid2=$(capc main | grep "$(printf '^\033\\[\\(30m\033\\[\\)\\{0,1\\}46m')" | sed 's/\x1b\[[0-9;]*m//g' | awk '{print $1}')
keys main Enter
check "Enter on a process opens its sockets" wait_for main "tenants › $TA › $pid2"
check "the sockets pane lists CLOSE_WAIT first" sh -c "tmux -L $SOCK capture-pane -p -t main | grep -A1 '^STATE' | tail -1 | grep -q '^CLOSE_WAIT'"
keys main Escape
check "Esc goes back to the processes" wait_gone main "› $pid2"
keys main Enter
check "the cursor stayed on the process we came from" wait_for main "tenants › $TA › $pid2"
keys main Left Left
check "Left goes back to the tenants" wait_for main "TENANT "

keys main '>'
check "> moves the sort to the next column" wait_for main "sort OLDEST"
keys main I
check "I inverts the sort" wait_for main "sort OLDEST asc"
keys main '<' '<'
check "< moves back two columns shown (OTHER is dropped at 100 columns)" wait_for main "sort TIME_WAIT desc"

if [ "$A" != - ]; then
	keys main '\' 2 1 0 2 Enter
	check "filter by text keeps the matching rows" wait_for main "filter \"2102\""
	cap main | grep -q "^$A " && bad "the filter hides the other tenants" || ok "the filter hides the other tenants"
	cap main | grep -q "^$Bu " && ok "the filter keeps the matching tenant" || bad "the filter keeps the matching tenant"
	keys main '\' Escape
	check "Esc in the filter prompt clears it" wait_for main "$A "
fi
keys main / r o o t
if [ "$(id -u)" = 0 ]; then
	sleep 0.4; check "incremental search moves the cursor" selected main "root "
fi
keys main Escape

keys main Z
check "Z pauses" wait_for main "PAUSED"
keys main Z
check "Z resumes" wait_gone main "PAUSED"
keys main Home Space
sleep 0.3
check "Space tags a tenant (htop's habit)" has_tagged main
keys main U
keys main b
check "b starts learning the baseline" wait_for main "LEARNING"
sleep 1.2
keys main b
check "b again stops and saves it" wait_for main "baseline learned from"
check "the baseline file was written" test -s "$T/state/tenantop/baseline"
tm resize-window -t main -x 140 -y 30
check "the vs BASE column compares with it" wait_for main "vs BASE"
tm resize-window -t main -x 100 -y 30
keys main h
check "h shows the help" wait_for main "q or Esc returns"
keys main x
check "any key leaves the help" wait_for main "F10Quit"

tm resize-window -t main -x 40 -y 10
sleep 0.6
check "at 40x10 the tenants pane still shows" wait_for main "CLOSE_WAIT"
cap main | perl -CSD -ne 'chomp; $bad = 1 if length($_) > 40; END { exit($bad ? 1 : 0) }' && ok "no line is wider than 40 columns" || bad "line wider than 40"
tm resize-window -t main -x 80 -y 24
check "back at 80x24 the totals line returns" wait_for main "ESTAB "

keys main q
check "q quits with status 0" wait_for main "EXIT=0"
check "q restores the terminal" wait_for main "TERMINAL-RESTORED"

name_for_dump=ctrlc
start ctrlc 80 24 "$TT"
wait_for ctrlc "F10Quit" >/dev/null
keys ctrlc C-c
check "Ctrl-C quits and restores the terminal" wait_for ctrlc "TERMINAL-RESTORED"

name_for_dump=term
start term 80 24 "$TT"
wait_for term "F10Quit" >/dev/null
kill -TERM $(pgrep -P "$(tm list-panes -t term -F '#{pane_pid}')" -x tenantop) 2>/dev/null
check "SIGTERM quits and restores the terminal" wait_for term "TERMINAL-RESTORED"

name_for_dump=mono
start mono 100 24 "NO_COLOR=1 $TT"
wait_for mono "F10Quit" >/dev/null
capc mono | grep -q "$(printf '\033\\[3[0-7]m')" && bad "NO_COLOR: no colour escapes" || ok "NO_COLOR: no colour escapes"
capc mono | grep -q "$(printf '\033\\[\\(0;\\)\\{0,1\\}7m')" && ok "NO_COLOR: the selection is reverse video" || bad "NO_COLOR: reverse video selection"
keys mono q

name_for_dump=ascii
start ascii 100 24 "TERM=vt100 LANG=C $TT"
wait_for ascii "F10Quit" >/dev/null
cap ascii | grep -q "$(printf '\342')" && bad "TERM=vt100 LANG=C: ASCII only" || ok "TERM=vt100 LANG=C: ASCII only"
keys ascii q
finish
