# Helpers for dashboard tests driven through tmux (sourced by tests/tmux/*.sh).
# Each test runs tenantop in its own tmux server (-L) so it never touches a
# user's sessions.
B=${BUILD:-build}
SOCK=tt-test-$$
fails=0
command -v tmux >/dev/null 2>&1 || { echo "tmux is missing"; exit 77; }
tm() { tmux -L "$SOCK" "$@"; }
# the dashboard's settings file (F2) of each test is its own, never the user's
TT_CONFIG_HOME=$(mktemp -d /tmp/tt-cfg.XXXXXX)
export XDG_CONFIG_HOME="$TT_CONFIG_HOME"
cleanup_tmux() { tm kill-server 2>/dev/null; rm -rf "$TT_CONFIG_HOME"; }
# start NAME WIDTH HEIGHT COMMAND...: the command runs in sh; its exit status
# and whether the terminal settings came back are printed when it ends.
start() {
	name=$1 w=$2 h=$3; shift 3
	tm new-session -d -s "$name" -x "$w" -y "$h" \
		"before=\$(stty -g); $*; rc=\$?; [ \"\$(stty -g)\" = \"\$before\" ] && echo TERMINAL-RESTORED; echo EXIT=\$rc; sleep 30"
	tm set-option -t "$name" remain-on-exit on >/dev/null 2>&1
}
cap() { tm capture-pane -p -t "$1"; }
capc() { tm capture-pane -e -p -t "$1"; }
keys() { n=$1; shift; tm send-keys -t "$n" "$@"; }
# wait_for NAME TEXT [SECONDS]: until the screen shows TEXT (fixed string)
wait_for() {
	i=0; limit=$(( ${3:-6} * 10 ))
	while [ $i -lt $limit ]; do
		cap "$1" | grep -qF -- "$2" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
wait_gone() {
	i=0; limit=$(( ${3:-6} * 10 ))
	while [ $i -lt $limit ]; do
		cap "$1" | grep -qF -- "$2" || return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); echo "----- screen:"; cap "$name_for_dump" 2>/dev/null; echo "-----"; }
# check DESCRIPTION COMMAND...: a named assertion
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# the screen line holding TEXT is the selected (highlighted) row
selected() {
	capc "$1" | grep -F -- "$2" | grep -q "$(printf '^\033\\[\\(30m\033\\[\\)\\{0,1\\}46m')"
}
# the first word of the selected row; is_sel NAME WORD: it is WORD
sel_first() {
	capc "$1" | grep "$(printf '^\033\\[\\(30m\033\\[\\)\\{0,1\\}46m')" | sed 's/\x1b\[[0-9;]*m//g' | awk '{print $1}' | head -1
}
is_sel() { [ "$(sel_first "$1")" = "$2" ]; }
# a row in the tag colour (yellow) that is not the selected one
has_tagged() { capc "$1" | grep -v "$(printf '^\033\\[\\(30m\033\\[\\)\\{0,1\\}46m')" | grep -q "$(printf '\033\\[1m\033\\[33m')"; }
# click NAME COL ROW: a mouse press and release at a cell (0-based), in the
# xterm X10 encoding a terminal sends; dclick: two of them at once
mouse_byte() { printf "\\$(printf %o $(( $1 + 32 )))"; }
click() {
	tm send-keys -t "$1" -l "$(printf '\033[M')$(mouse_byte 0)$(mouse_byte $(($2 + 1)))$(mouse_byte $(($3 + 1)))"
	tm send-keys -t "$1" -l "$(printf '\033[M')$(mouse_byte 3)$(mouse_byte $(($2 + 1)))$(mouse_byte $(($3 + 1)))"
}
dclick() { click "$@"; click "$@"; }
# the 0-based row and column of TEXT on the screen
row_of() { cap "$1" | grep -n -F -- "$2" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'; }
col_of() { cap "$1" | grep -F -- "$2" | head -1 | awk -v t="$2" '{print index($0, t) - 1}'; }
finish() {
	cleanup_tmux
	if [ $fails -gt 0 ]; then echo "$fails check(s) failed"; return 1; fi
	echo "all checks passed"
}
