#!/bin/sh
# tests/tui.sh BUILD [NAME...]: the workbench's golden-screen tests. Every
# tests/tui/NAME.script runs headless (SEXTANT_NO_DISPLAY=1) once per size it
# declares, and each screen it saves with `:save-display SHOT` is compared
# with tests/golden/SHOT-COLSxROWS.screen. SEXTANT_UPDATE_GOLDEN=1 writes
# the goldens instead (read them before committing). With NAMEs, only
# tests/tui/NAME.script runs. Exits non-zero when a screen differs, a
# golden is missing, or the binary fails.
#
# A script is a SEXTANT_SCRIPT file (format: tui/script.c): one key line
# (`j`, `gg`, `<Enter>`, `<C-c>`), `:command args` or `# comment` per line.
# Header comments at its top configure the run:
#   # sizes: 80x24 200x60 40x12   COLSxROWS, one run each (default 80x24)
#   # store: demo                 run in a demo project (`sextant demo`,
#                                 made once under BUILD) with a private copy
#                                 of its store; default: an empty
#                                 directory, no store
#   # args: --theme mono          extra arguments for sextant
#   # env: NO_COLOR=1             an environment variable (repeatable)
#   # rc: NAME                    tests/tui/NAME becomes the user's sextantrc
#   # files: a.csv b.csv          copied from tests/tui/files/ into the
#                                 working directory
#   # replay: yes                 record the command log, replay it as a
#                                 script in a fresh directory, and require
#                                 the replay's screens to match too
#   # setup: COMMAND              (repeatable) a shell command run in the
#                                 working directory before the workbench,
#                                 after the files are copied, with $SEXTANT
#                                 naming the binary (`"$SEXTANT" init`,
#                                 `/usr/bin/python3 exp_store.py`); a
#                                 failing one fails the test
#   # exit: N                     expected exit status (default 0)
#   # mask: REGEX                 (repeatable) each match of the Python
#                                 regular expression in a saved screen
#                                 becomes <masked> before the comparison:
#                                 for what differs between machines or
#                                 runs (the absolute path a demo file was
#                                 written to, who ran it, when)
#
# Every run gets its own HOME, no XDG variables, TERM=xterm-256color,
# LC_ALL=C.UTF-8 and TZ=UTC, so the user's rc file and themes never leak in.
# The demo store's authors, times and fit ids are fixed once it is made
# (tester, 2024-01-02, fit 00000001-...), and so are its experiments, runs
# and comments (ids 00000001-..., the demo's authors maria and tomas, times from
# 2024-01-02 03:04:05 a minute apart, a fixed environment and resources),
# so screens of it are the same everywhere.
# Shot names must be unique across scripts.
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
BIN="$BUILD/sextant"
[ -x "$BIN" ] || { echo "tui.sh: $BIN not built" >&2; exit 1; }
OUT="$BUILD/tui-out"
rm -rf "$OUT"
mkdir -p "$OUT"
update=${SEXTANT_UPDATE_GOLDEN:-}
mkdir -p tests/golden
fail=0
nshots=0

die_test() { echo "FAIL: $*" >&2; fail=1; }

# The theme files repeat the built-in tables of tui/theme.c.
for t in default mono; do
    want=$(grep '^color' "themes/$t.theme")
    have=$(sed -n "/builtin_$t\[\] = {/,/NULL,/p" tui/theme.c | sed -n 's/^ *"\(color .*\)",$/\1/p')
    [ "$want" = "$have" ] || die_test "themes/$t.theme and tui/theme.c builtin_$t differ"
done

header() {   # header FILE KEY: the value of `# KEY: value` lines (joined)
    sed -n "s/^# $2: *//p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}

demo=""
make_demo() {
    [ -n "$demo" ] && return 0
    demo="$OUT/demo/sextant-demo"
    mkdir -p "$OUT/demo"
    if ! (cd "$OUT/demo" && HOME="$OUT/demo" "$BIN" demo sextant-demo >"$OUT/demo.log" 2>&1); then
        cat "$OUT/demo.log" >&2
        echo "tui.sh: sextant demo failed" >&2
        exit 1
    fi
    # Screens must not depend on who made the demo store, or when.
    if ! /usr/bin/python3 - "$demo/.sextant/store.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE datasets SET author = 'tester', created_at = '2024-01-02T03:04:05.000Z'")
tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
if "feature_fits" in tables:
    # Versions and fits refuse updates: lift their triggers for this fix only.
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name IN ('feature_versions', 'feature_fits')").fetchall()
    for name, _ in triggers:
        db.execute('DROP TRIGGER "%s"' % name.replace('"', '""'))
    db.execute("UPDATE feature_sets SET author = 'tester', created_at = '2024-01-02T03:04:06.000Z'")
    db.execute("UPDATE feature_versions SET author = 'tester', "
               "created_at = '2024-01-02T03:04:06.000Z'")
    fits = db.execute("SELECT id FROM feature_fits ORDER BY created_at, rowid").fetchall()
    for i, (fid,) in enumerate(fits, 1):
        new = "%08x-0000-4000-8000-%012x" % (i, i)
        db.execute("UPDATE feature_fits SET id = ?, author = 'tester', "
                   "created_at = '2024-01-02T03:04:07.000Z' WHERE id = ?", (new, fid))
        if "runs" in tables:
            # runs trained on the fit name it (and may log it as a param)
            db.execute("UPDATE runs SET fit_id = ? WHERE fit_id = ?", (new, fid))
            db.execute("UPDATE run_params SET value = ? WHERE value = ?", (new, fid))
    for _, sql in triggers:
        db.execute(sql)
if "runs" in tables:
    # Runs: fixed ids in start order, times, environment and resources
    # (the machine's); comments likewise. Their authors are the demo's own
    # (maria and tomas). Comments refuse
    # updates: lift their triggers for this fix only.
    T0 = 1704164645000
    uid = lambda n: "%08x-0000-4000-8000-%012x" % (n, n)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'run_comments'").fetchall()
    for name, _ in triggers:
        db.execute('DROP TRIGGER "%s"' % name.replace('"', '""'))
    for i, (eid,) in enumerate(db.execute("SELECT id FROM experiments ORDER BY created_ms, "
                                          "rowid").fetchall(), 1):
        new = uid(0xe00 + i)
        db.execute("UPDATE experiments SET id = ?, author = 'tester', created_ms = ? "
                   "WHERE id = ?", (new, T0, eid))
        for t in ("runs", "run_summary"):
            db.execute("UPDATE %s SET experiment_id = ? WHERE experiment_id = ?" % t, (new, eid))
    env = '{"sextant":"demo","os":"Linux","cpu":"x86_64"}'
    res = '{"wall_s":1.0,"cpu_s":1.0,"peak_rss_mb":100,"rows_per_s":100000}'
    # Trials start in parallel, in no fixed order: each comes right after
    # its sweep, by name, so the ids do not depend on the threads' timing.
    runs = db.execute("SELECT id, author, start_ms FROM runs r ORDER BY "
                      "coalesce((SELECT p.start_ms FROM runs p WHERE p.id = r.parent_id), "
                      "r.start_ms), r.parent_id IS NOT NULL, "
                      "CASE WHEN r.parent_id IS NULL THEN r.rowid END, r.name").fetchall()
    for i, (rid, author, start) in enumerate(runs, 1):
        who = author
        new, t = uid(i), T0 + 60000 * i
        db.execute("UPDATE runs SET id = ?, author = ?, start_ms = ?, "
                   "end_ms = CASE WHEN end_ms IS NULL THEN NULL ELSE ? END, "
                   "env_json = CASE WHEN env_json IS NULL THEN NULL ELSE ? END, "
                   "resources_json = CASE WHEN resources_json IS NULL THEN NULL ELSE ? END "
                   "WHERE id = ?", (new, who, t, t + 1000, env, res, rid))
        for col in ("parent_id", "best_run_id"):
            db.execute("UPDATE runs SET %s = ? WHERE %s = ?" % (col, col), (new, rid))
        for tbl in ("run_params", "run_tags", "run_metrics", "run_latest", "run_comments"):
            db.execute("UPDATE %s SET run_id = ? WHERE run_id = ?" % tbl, (new, rid))
        db.execute("UPDATE run_metrics SET time_ms = ? + step WHERE run_id = ?", (t, new))
        db.execute("UPDATE run_latest SET time_ms = ? + step WHERE run_id = ?", (t, new))
        # the data file by its path inside the demo project, not where it was made
        db.execute("UPDATE runs SET source_path = substr(source_path, "
                   "instr(source_path, '/sextant-demo/') + 14) "
                   "WHERE id = ? AND instr(source_path, '/sextant-demo/') > 0", (new,))
    if "run_summary" in tables:
        db.execute("DELETE FROM run_summary")
        db.execute("INSERT INTO run_summary (run_id, experiment_id, parent_id, data) "
                   "SELECT id, experiment_id, parent_id, NULL FROM runs")
    comments = db.execute("SELECT id, author FROM run_comments ORDER BY created_ms, "
                          "rowid").fetchall()
    for i, (cid, author) in enumerate(comments, 1):
        who = author
        db.execute("UPDATE run_comments SET id = ?, author = ?, created_ms = ? WHERE id = ?",
                   (uid(0xc00 + i), who, T0 + 3600000 + 60000 * i, cid))
    for _, sql in triggers:
        db.execute(sql)
db.commit()
EOF
    then
        echo "tui.sh: could not fix the demo store's authors and times" >&2
        exit 1
    fi
}

# prepare DIR SCRIPT: a fresh working directory and HOME for one run
prepare() {
    dir=$1 script=$2
    rm -rf "$dir"
    mkdir -p "$dir/home"
    if [ "$(header "$script" store)" = demo ]; then
        make_demo
        # a private copy of the store; the data files are shared
        mkdir -p "$dir/sextant-demo"
        cp -R "$demo/.sextant" "$dir/sextant-demo/"
        ln -s "$demo/data" "$dir/sextant-demo/data"
        work="$dir/sextant-demo"
    else
        mkdir -p "$dir/work"
        work="$dir/work"
    fi
    rc=$(header "$script" rc)
    if [ -n "$rc" ]; then
        mkdir -p "$dir/home/.config/sextant"
        cp "tests/tui/$rc" "$dir/home/.config/sextant/sextantrc"
    fi
    for f in $(header "$script" files); do
        cp "tests/tui/files/$f" "$work/"
    done
    sed -n 's/^# setup: *//p' "$script" >"$dir/setup.sh"
    if [ -s "$dir/setup.sh" ]; then
        if ! (cd "$work" && unset SEXTANT_STORE XDG_CONFIG_HOME XDG_STATE_HOME &&
              HOME="$dir/home" SEXTANT="$BIN" TZ=UTC LC_ALL=C.UTF-8 sh -e "$dir/setup.sh") \
                >"$dir/setup.log" 2>&1; then
            cat "$dir/setup.log" >&2
            die_test "the setup of $script failed"
        fi
    fi
}

# run SCRIPT_FILE HEADER_SCRIPT DIR COLS ROWS LOG SHOTS: one headless run
run() {
    sfile=$1 script=$2 dir=$3 cols=$4 rows=$5 log=$6 shots=$7
    mkdir -p "$shots"
    set --
    for a in $(header "$script" args); do set -- "$@" "$a"; done
    envs=$(header "$script" env)
    (
        cd "$work" || exit 99
        unset XDG_CONFIG_HOME XDG_STATE_HOME XDG_DATA_HOME SEXTANT_STORE NO_COLOR LANG
        export HOME="$dir/home" TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC
        for e in $envs; do export "$e"; done
        LINES=$rows COLUMNS=$cols SEXTANT_NO_DISPLAY=1 SEXTANT_SCRIPT="$sfile" \
            SEXTANT_SCREEN_DIR="$shots" SEXTANT_LOG="$log" \
            timeout 120 "$BIN" "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
    )
}

# mask SCREEN SCRIPT: apply the script's `# mask:` expressions to SCREEN
mask() {
    sed -n 's/^# mask: *//p' "$2" >"$1.masks"
    if [ -s "$1.masks" ]; then
        /usr/bin/python3 - "$1" "$1.masks" <<'EOF' || die_test "bad # mask: in $2"
import re, sys
screen, masks = sys.argv[1], sys.argv[2]
text = open(screen, encoding="utf-8").read()
for m in open(masks, encoding="utf-8").read().splitlines():
    text = re.sub(m, "<masked>", text, flags=re.M)
open(screen, "w", encoding="utf-8").write(text)
EOF
    fi
    rm -f "$1.masks"
}

compare() {   # compare SHOTS_DIR SIZE WHAT SCRIPT
    for s in "$1"/*.screen; do
        [ -e "$s" ] || continue
        mask "$s" "$4"
        shot=$(basename "$s" .screen)
        golden="tests/golden/$shot-$2.screen"
        if [ -n "$update" ] && [ "$3" = run ]; then
            cp "$s" "$golden"
        elif [ ! -f "$golden" ]; then
            die_test "$3 $shot at $2: no golden $golden (SEXTANT_UPDATE_GOLDEN=1 makes it)"
        elif ! diff -u "$golden" "$s" >"$1/$shot.diff"; then
            die_test "$3 $shot at $2 differs from $golden:"
            head -60 "$1/$shot.diff" >&2
        fi
        nshots=$((nshots + 1))
    done
}

seen="$OUT/shots-seen"
: >"$seen"
shift 2>/dev/null
if [ $# -gt 0 ]; then
    scripts=""
    for n in "$@"; do scripts="$scripts tests/tui/${n%.script}.script"; done
else
    scripts=$(ls tests/tui/*.script 2>/dev/null)
fi
for script in $scripts; do
    [ -e "$script" ] || { die_test "no script $script"; continue; }
    name=$(basename "$script" .script)
    sizes=$(header "$script" sizes)
    [ -n "$sizes" ] || sizes=80x24
    want_exit=$(header "$script" exit)
    [ -n "$want_exit" ] || want_exit=0
    replay=$(header "$script" replay)
    for size in $sizes; do
        cols=${size%x*} rows=${size#*x}
        dir="$OUT/$name-$size"
        prepare "$dir" "$script"
        log=""
        [ "$replay" = yes ] && log="$dir/command.log"
        run "$top/$script" "$script" "$dir" "$cols" "$rows" "$log" "$dir/shots"
        code=$?
        if [ "$code" -ne "$want_exit" ]; then
            die_test "$name at $size: exit $code, expected $want_exit"
            cat "$dir/stderr" >&2
            continue
        fi
        for s in "$dir/shots"/*.screen; do
            [ -e "$s" ] || { die_test "$name at $size saved no screen"; break; }
            shot=$(basename "$s" .screen)
            other=$(grep "^$shot-$size " "$seen" | head -1 | cut -d' ' -f2)
            if [ -n "$other" ] && [ "$other" != "$name" ]; then
                die_test "shot $shot is saved by both $other and $name"
            fi
            echo "$shot-$size $name" >>"$seen"
        done
        compare "$dir/shots" "$size" run "$script"
        if [ "$replay" = yes ]; then
            # the recorded log, run as a script from scratch, reaches the same screens
            rdir="$OUT/$name-$size-replay"
            prepare "$rdir" "$script"
            cp "$log" "$rdir/replay.script"
            run "$rdir/replay.script" "$script" "$rdir" "$cols" "$rows" "" "$rdir/shots"
            code=$?
            [ "$code" -eq "$want_exit" ] || { die_test "$name replay at $size: exit $code"; cat "$rdir/stderr" >&2; }
            a=$(cd "$dir/shots" && ls) b=$(cd "$rdir/shots" && ls)
            [ "$a" = "$b" ] || die_test "$name replay at $size saved [$b], the run saved [$a]"
            compare "$rdir/shots" "$size" replay "$script"
        fi
    done
done

if [ $fail -eq 0 ]; then
    echo "tui.sh: $nshots screens match"
else
    echo "tui.sh: failures (outputs under $OUT)" >&2
fi
exit $fail
