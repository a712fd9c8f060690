#!/bin/sh
# tests/tmux.sh BUILD: a smoke test of the workbench in a real terminal.
# tmux runs the real binary (a pty, escape sequences, SIGWINCH, UTF-8
# output); keys go in with send-keys, the window is resized with
# resize-window, and each screen read back with capture-pane is compared
# with tests/golden/tmux-NAME-COLSxROWS.screen (the headless goldens'
# format: one line per row, trailing spaces kept). SEXTANT_UPDATE_GOLDEN=1
# writes the goldens. Skipped, with a message, when tmux is not installed.
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
BIN="$BUILD/sextant"
if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux.sh: tmux is not installed; skipped"
    exit 0
fi
[ -x "$BIN" ] || { echo "tmux.sh: $BIN not built" >&2; exit 1; }
OUT="$BUILD/tmux-out"
rm -rf "$OUT"
mkdir -p "$OUT/home" "$OUT/work" "$OUT/shots"
sock="$OUT/tmux.sock"
update=${SEXTANT_UPDATE_GOLDEN:-}
fail=0
export LC_ALL=C.UTF-8
unset LANG TMUX

t() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() { t kill-server >/dev/null 2>&1; }
trap cleanup EXIT INT TERM

# shot NAME MARKER: wait until the screen shows MARKER and stops changing,
# then compare it with the golden (or write the golden).
shot() {
    name=$1 marker=$2
    size=$(t display-message -p -t sx '#{pane_width}x#{pane_height}')
    file="$OUT/shots/tmux-$name-$size.screen"
    prev="" i=0
    while [ $i -lt 100 ]; do
        cur=$(t capture-pane -p -N -t sx)
        if [ -n "$cur" ] && [ "$cur" = "$prev" ] && printf '%s\n' "$cur" | grep -qF -- "$marker"; then
            break
        fi
        prev=$cur
        i=$((i + 1))
        sleep 0.1
    done
    t capture-pane -p -N -t sx >"$file"
    golden="tests/golden/tmux-$name-$size.screen"
    if [ -n "$update" ]; then
        cp "$file" "$golden"
    elif [ ! -f "$golden" ]; then
        echo "FAIL: no golden $golden (SEXTANT_UPDATE_GOLDEN=1 makes it)" >&2
        fail=1
    elif ! diff -u "$golden" "$file" >&2; then
        echo "FAIL: tmux $name at $size differs from $golden" >&2
        fail=1
    fi
}

t new-session -d -s sx -x 80 -y 24 \
    "cd '$OUT/work' && env -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u SEXTANT_STORE \
     -u NO_COLOR HOME='$OUT/home' SEXTANT_LOG='$OUT/command.log' TZ=UTC TERM=tmux-256color \
     '$BIN'; echo \$? >'$OUT/sx.status'"
t set-option -t sx remain-on-exit on >/dev/null

shot start "Data sets"
t send-keys -t sx '?'
shot help "Keys everywhere"
t resize-window -t sx -x 40 -y 12
shot help-small "Keys everywhere"
t send-keys -t sx q ':' 'set 日本語 1' Enter
shot status-utf8 "unknown option"
t resize-window -t sx -x 100 -y 30
shot status-wide "Data sets"
t send-keys -t sx q
i=0
while [ $i -lt 50 ] && [ ! -s "$OUT/sx.status" ]; do
    sleep 0.1
    i=$((i + 1))
done
status=$(cat "$OUT/sx.status" 2>/dev/null)
[ "$status" = 0 ] || { echo "FAIL: q at the top: exit status '$status', want 0" >&2; fail=1; }

# A signal quits and a crash restores the terminal: after SIGTERM and after
# SIGSEGV the pane has left the alternate screen.
signal_case() {   # signal_case SESSION SIGNAL WANT_STATUS
    t new-session -d -s "$1" -x 80 -y 24 \
        "cd '$OUT/work' && env HOME='$OUT/home' SEXTANT_LOG= TERM=tmux-256color '$BIN'; \
         echo \$? >'$OUT/$1.status'"
    t set-option -t "$1" remain-on-exit on >/dev/null
    i=0
    while [ $i -lt 50 ] && ! t capture-pane -p -t "$1" | grep -q "Data sets"; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(t display-message -p -t "$1" '#{alternate_on}')" = 1 ] ||
        { echo "FAIL: $1: the workbench is not on the alternate screen" >&2; fail=1; }
    pid=$(pgrep -P "$(t display-message -p -t "$1" '#{pane_pid}')" | head -1)
    kill "-$2" "$pid"
    i=0
    while [ $i -lt 50 ] && [ ! -s "$OUT/$1.status" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    got="$(cat "$OUT/$1.status" 2>/dev/null):$(t display-message -p -t "$1" '#{alternate_on}')"
    [ "$got" = "$3:0" ] || { echo "FAIL: $1: after SIG$2 exit status:alternate screen is $got, want $3:0" >&2; fail=1; }
}
signal_case term TERM 143
signal_case crash SEGV 139

# The log of the session replays (it holds the resizes and the commands).
grep -q '^:resize 12x40$' "$OUT/command.log" || { echo "FAIL: the resize is not in the log" >&2; fail=1; }
grep -q '^:set 日本語 1$' "$OUT/command.log" || { echo "FAIL: the : line is not in the log" >&2; fail=1; }

[ $fail -eq 0 ] && echo "tmux.sh: the real terminal matches"
exit $fail
