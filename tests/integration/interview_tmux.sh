#!/bin/sh
# interview_tmux.sh - drives `collector interview` in a real terminal (tmux), as an enumerator
# would: a whole household of 4 members with Vietnamese names, one refused answer corrected,
# one step back, save-and-quit in the roster, resume, finish; then Ctrl-C in the middle of a
# second interview. Checks the screens and, with sqlite3, what the database holds.
# usage: interview_tmux.sh COLLECTOR SOURCE_DIR   (exits 77, "skipped", without tmux or sqlite3)
set -u
COLLECTOR=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

for tool in tmux sqlite3; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "skip: $tool is missing (packaging/install-deps installs it)"
        rm -rf "$LOGDIR"
        exit 77
    fi
done

export LC_ALL=C.UTF-8
DB=$LOGDIR/c.db
SOCK=dieutra-test-$$
T="tmux -u -L $SOCK -f $LOGDIR/tmux.conf"
echo "set -g history-limit 100000" >"$LOGDIR/tmux.conf"
trap '$T kill-server 2>/dev/null' EXIT
trap 'exit 1' INT TERM

# tmux needs a pseudo-terminal: where none can be had (no /dev/pts mounted, as in a bare
# chroot), the test cannot run, and says so.
if ! $T new-session -d -s probe -x 80 -y 24 -- sleep 5 2>"$LOGDIR/probe.err"; then
    echo "skip: tmux cannot open a pseudo-terminal here (is /dev/pts mounted?): $(cat "$LOGDIR/probe.err")"
    rm -rf "$LOGDIR"
    exit 77
fi
$T kill-session -t probe 2>/dev/null

# The pane runs the program, then says how it ended. The trap (not an ignore) keeps the
# shell alive on Ctrl-C while the program gets SIGINT with its default disposition.
cat >"$LOGDIR/run.sh" <<'EOF'
trap 'true' INT
"$@"
echo "EXIT=$?"
exec sleep 600
EOF

# start SESSION ARGS...: runs `collector ARGS` in a new 120x50 terminal.
start() {
    _s=$1
    shift
    $T new-session -d -s "$_s" -x 120 -y 50 -- sh "$LOGDIR/run.sh" "$COLLECTOR" "$@"
}

# The whole scrollback of a session.
screen() {
    $T capture-pane -p -J -t "$1" -S - -E -
}

count() {
    screen "$1" | grep -cF -- "$2"
}

# wait_more SESSION TEXT N: waits (10 s at most) until TEXT is on more than N lines.
wait_more() {
    _i=0
    while [ "$(count "$1" "$2")" -le "$3" ]; do
        _i=$((_i + 1))
        if [ $_i -gt 200 ]; then
            screen "$1" >"$LOGDIR/screen-$1.txt"
            not_ok "session $1: waited in vain for: $2 (screen in $LOGDIR/screen-$1.txt)"
            return 1
        fi
        sleep 0.05
    done
    return 0
}

# type SESSION TEXT EXPECT: types TEXT and Enter, then waits for EXPECT to show once more
# (the next question's place, or a message). Later steps are skipped after a failure.
stuck=0
type() {
    [ $stuck -eq 1 ] && return 1
    _n=$(count "$1" "$3")
    [ -n "$2" ] && $T send-keys -t "$1" -l -- "$2"
    $T send-keys -t "$1" Enter
    wait_more "$1" "$3" "$_n" || stuck=1
}

# answers SESSION: reads "TEXT|EXPECT" lines from stdin and types each.
answers() {
    while IFS='|' read -r _text _expect; do
        type "$1" "$_text" "$_expect" || return 1
    done
}

check() { # check DESCRIPTION ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', expected '$3'"; fi
}

"$COLLECTOR" setup --db "$DB" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >"$LOGDIR/setup.out" 2>&1 ||
    not_ok "collector setup failed: $(cat "$LOGDIR/setup.out")"

# ---- 1. A household of four, interrupted by :q in the roster, then resumed and finished.
start a interview --db "$DB"
wait_more a "Mã phỏng vấn:" 0 || stuck=1
ID=$(screen a | sed -n 's/.*Mã phỏng vấn: \([0-9a-f-]\{36\}\).*/\1/p' | head -n 1)
[ -n "$ID" ] && ok || not_ok "no interview id on the first screen"

answers a <<'EOF'
123|commune_code
04012|commune_name
Chiềng Hắc|village
Bản Áng|hh_number
27|resp_name
Lò Văn Minh|consent
1|fixed_bb
1|fixed_bb_type
1|signal
4|n_smartphones
3|computer
2|internet
1|hh_size
4|members_note
|members[1]/m_name
Lò Văn Minh|members[1]/m_rel
1|members[1]/m_sex
1|members[1]/m_age
12|chủ hộ và vợ/chồng phải từ 15 tuổi trở lên
44|members[1]/m_internet
1|members[1]/m_own_mobile
1|members[1]/m_own_smart
1|members[1]/m_epay
1 3|members[1]/m_egov
1|members[2]/m_name
Cầm Thị Ươi|members[2]/m_rel
2|members[2]/m_sex
2|members[2]/m_age
41|members[2]/m_internet
1|members[2]/m_own_mobile
1|members[2]/m_own_smart
1|members[2]/m_epay
2|members[2]/m_egov
2|members[3]/m_name
Lò Thị Ngọc Ánh|members[3]/m_rel
3|members[3]/m_sex
2|members[3]/m_age
16|members[3]/m_internet
1|members[3]/m_own_mobile
1|members[3]/m_own_smart
2|members[3]/m_epay
9|members[3]/m_egov
:b|members[3]/m_epay
|members[3]/m_egov
2|members[4]/m_name
:q|--resume
EOF
wait_more a "EXIT=0" 0 || stuck=1
screen a >"$LOGDIR/screen-a.txt"

# The refused age left its Vietnamese message, and the member's name shows on the roster.
grep -qF "Thành viên 1/4: Lò Văn Minh" "$LOGDIR/screen-a.txt" && ok ||
    not_ok "the roster header does not show 'Thành viên 1/4: Lò Văn Minh'"
grep -qF "collector interview --resume $ID" "$LOGDIR/screen-a.txt" && ok ||
    not_ok ":q did not print the resume command"
check "draft after :q" "$(sqlite3 "$DB" "SELECT status || ' ' || position FROM cases WHERE case_id = '$ID'")" \
    "draft members[4]/m_name"
check "head's age after the correction" \
    "$(cq "$DB" "SELECT json_extract(dt_open(answers), '\$.members[0].m_age') FROM cases WHERE case_id = '$ID'")" 44

start b interview --db "$DB" --resume "$ID"
wait_more b "Tiếp tục phỏng vấn" 0 || stuck=1
wait_more b "members[4]/m_name" 0 || stuck=1
answers b <<'EOF'
Lò Văn Tú|members[4]/m_rel
3|members[4]/m_sex
1|members[4]/m_age
4|Hoàn thành phỏng vấn?
c|Đã hoàn thành
EOF
wait_more b "EXIT=0" 0 || stuck=1
screen b >"$LOGDIR/screen-b.txt"

q() { cq "$DB" "$1"; }
check "case status" "$(q "SELECT status || ' ' || outcome FROM cases WHERE case_id = '$ID'")" \
    "finalized complete"
check "revisions" "$(q "SELECT count(*) FROM revisions WHERE case_id = '$ID'")" 1
check "outbox" "$(q "SELECT count(*) FROM outbox JOIN revisions USING (rev_id)
                    WHERE case_id = '$ID'")" 1
check "members" "$(q "SELECT json_array_length(dt_open(answers), '\$.members') FROM cases
                      WHERE case_id = '$ID'")" 4
check "names as typed" "$(q "SELECT group_concat(json_extract(value, '\$.m_name'), ';')
                             FROM cases, json_each(dt_open(cases.answers), '\$.members')
                             WHERE case_id = '$ID'")" \
    "Lò Văn Minh;Cầm Thị Ươi;Lò Thị Ngọc Ánh;Lò Văn Tú"
check "the revision holds the same answers" \
    "$(q "SELECT dt_open(r.answers) = dt_open(c.answers) FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
          WHERE c.case_id = '$ID'")" 1
check "paradata sessions" "$(q "SELECT json_extract(dt_open(paradata), '\$.sessions') FROM cases
                                WHERE case_id = '$ID'")" 2

# ---- 2. Ctrl-C in the middle: what was entered before it is in the database.
start c interview --db "$DB"
wait_more c "Mã phỏng vấn:" 0 || stuck=1
ID2=$(screen c | sed -n 's/.*Mã phỏng vấn: \([0-9a-f-]\{36\}\).*/\1/p' | head -n 1)
answers c <<'EOF'
118|commune_code
04105|commune_name
Mường Giàng|village
Bản Nà Ban|hh_number
EOF
[ $stuck -eq 0 ] && $T send-keys -t c -l -- "3"   # typed but not entered: must not be saved
[ $stuck -eq 0 ] && $T send-keys -t c C-c
wait_more c "EXIT=130" 0 || stuck=1
screen c >"$LOGDIR/screen-c.txt"
grep -qF "Đã dừng" "$LOGDIR/screen-c.txt" && ok || not_ok "Ctrl-C: no 'Đã dừng' message"
grep -qF "collector interview --resume $ID2" "$LOGDIR/screen-c.txt" && ok ||
    not_ok "Ctrl-C: no resume command"
check "after Ctrl-C" "$(q "SELECT status, position, json_extract(dt_open(answers), '\$.village'),
                                  json_extract(dt_open(answers), '\$.hh_number') IS NULL
                           FROM cases WHERE case_id = '$ID2'")" "draft|hh_number|Bản Nà Ban|1"

# The case interrupted by Ctrl-C is not left locked: it resumes at once, and quits on Ctrl-D.
start d interview --db "$DB" --resume "$ID2"
wait_more d "hh_number" 0 || stuck=1
[ $stuck -eq 0 ] && $T send-keys -t d C-d
wait_more d "EXIT=0" 0 || stuck=1
screen d >"$LOGDIR/screen-d.txt"

finish
