#!/bin/bash
# web_interview.sh - `collector serve` over real HTTP on 127.0.0.1: the run's secret, the Host
# and Origin checks, the home page, a household of four answered through the page (a wrong
# answer refused, a text with markup escaped), `kill -9` mid-interview and the interview
# resumed where it was, finished; the stored answers equal, byte for byte, those of the
# terminal interview given the same answers; synced from the page to a real syncd, and
# "everything stays on this laptop" when it cannot be reached.
# usage: web_interview.sh COLLECTOR SYNCD SOURCE_DIR
set -u
COLLECTOR=$1
SYNCD=$2
SRC=$3
DATA=$SRC/tests/data
. "$SRC/tests/integration/lib.sh"
export NO_PROXY=127.0.0.1
export DIEUTRA_SYNC_TRIES=1 DIEUTRA_SYNC_RETRY_MS=10
KEYS=$DATA/interview/household_4members.keys
q() { sqlite3 "$@"; }
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}

# The answers of version 2: the unit of today, then version 1's from the village on.
{ echo 3980; tail -n +4 "$KEYS"; } >"$LOGDIR/v2.keys"

# The terminal's interview of the household, for the comparison at the end.
export DIEUTRA_DB=$LOGDIR/term.db
"$COLLECTOR" setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup (terminal)"
"$COLLECTOR" interview <"$LOGDIR/v2.keys" >"$LOGDIR/term.out" 2>&1 || not_ok "terminal interview: $(tail -3 "$LOGDIR/term.out")"

export DIEUTRA_DB=$LOGDIR/web.db
"$COLLECTOR" setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup (page)"
"$COLLECTOR" assignments import "$DATA/assignments/frame_good.csv" >/dev/null 2>&1 || not_ok "assignments"

# Only the loopback.
"$COLLECTOR" serve --listen 0.0.0.0:0 >"$LOGDIR/any.out" 2>&1
same "serve on every address is refused" "$?" 2
grep -q "loopback address only" "$LOGDIR/any.out" && ok || not_ok "why: $(cat "$LOGDIR/any.out")"

PID=
BASE=
start_page() { # starts `collector serve`; sets PID, BASE, OPEN (the first address)
    : >"$LOGDIR/serve.out"
    "$COLLECTOR" serve >>"$LOGDIR/serve.out" 2>>"$LOGDIR/serve.err" &
    PID=$!
    at_exit "kill -9 $PID 2>/dev/null"
    OPEN=
    for _ in $(seq 300); do
        OPEN=$(sed -n 's/^collector: open \(http:[^ ]*\) in the browser.*/\1/p' "$LOGDIR/serve.out")
        [ -n "$OPEN" ] && break
        sleep 0.1
    done
    BASE=${OPEN%%/open*}
    [ -n "$OPEN" ] && ok || not_ok "collector serve did not say its address: $(cat "$LOGDIR/serve.err")"
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
signin() { rm -f "$LOGDIR/jar"; curl -s -c "$LOGDIR/jar" -o /dev/null "$OPEN"; }
get() { curl -s -b "$LOGDIR/jar" "$BASE$1"; }
step_of() { # PATH: the step an interview's page is drawn at (the field every form carries)
    get "$1" | sed -n 's/.*name="s" value="\([0-9]*\)".*/\1/p' | head -1
}
post() { # PATH FIELDS...: a form posted as the page does (an interview's with the step of
    # its page, drawn just before); prints status and where it goes
    local path=$1 args=()
    shift
    case $path in /i/*) args+=(--data-urlencode "s=$(step_of "$path")") ;; esac
    for f in "$@"; do args+=(--data-urlencode "$f"); done
    curl -s -b "$LOGDIR/jar" -H "Origin: $BASE" -o /dev/null -w '%{http_code} %{redirect_url}' "${args[@]}" "$BASE$path"
}

start_page
PORT=${BASE##*:}
same "without the secret" "$(status_of "$BASE/")" 403
same "a wrong secret" "$(status_of "$BASE/open?k=$(printf '%064d' 0)")" 403
same "another Host (DNS rebinding)" "$(status_of -H "Host: evil.example:$PORT" "$OPEN")" 403
curl -s -D "$LOGDIR/open.hdr" -o /dev/null "$OPEN"
grep -q "^Set-Cookie: dieutra_collector=[0-9a-f]\{64\}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict" "$LOGDIR/open.hdr" &&
    ok || not_ok "the cookie: $(cat "$LOGDIR/open.hdr")"
signin
same "the secret's cookie opens home" "$(curl -s -b "$LOGDIR/jar" -o "$LOGDIR/home.html" -w '%{http_code}' "$BASE/")" 200
grep -q "MC-03980-001" "$LOGDIR/home.html" && ok || not_ok "home lists the households to visit"
grep -q "<h2>Hộ cần đến (3)</h2>" "$LOGDIR/home.html" && ok || not_ok "home counts the households to visit"
curl -s -b "$LOGDIR/jar" -G --data-urlencode "q=Áng / 2" "$BASE/" >"$LOGDIR/search.html"
grep -q "<h2>Hộ cần đến (1)</h2>" "$LOGDIR/search.html" && grep -q "MC-03980-002" "$LOGDIR/search.html" && ok ||
    not_ok "search by household: $(grep -c MC- "$LOGDIR/search.html") rows"
same "another Host with the cookie" "$(status_of -b "$LOGDIR/jar" -H "Host: evil.example:$PORT" "$BASE/")" 403
same "a form posted from another site" \
    "$(curl -s -b "$LOGDIR/jar" -H "Origin: http://evil.example" -o /dev/null -w '%{http_code}' -d a= "$BASE/start")" 403
same "nothing was started by it" "$(q "$DIEUTRA_DB" "SELECT count(*) FROM cases")" 0

# A new interview without an assignment, answered line by line as the terminal was.
r=$(post /start a=)
case $r in "303 $BASE/i/"*) ok ;; *) not_ok "start: $r" ;; esac
CASE=${r##*/i/}
same "a draft on version 2" "$(q "$DIEUTRA_DB" "SELECT status || ' ' || form_version FROM cases WHERE case_id = '$CASE'")" "draft 2"
get "/i/$CASE" >"$LOGDIR/first.html"
grep -q 'Phường Mộc Châu' "$LOGDIR/first.html" && ok || not_ok "the first screen lists the units: $(head -c 400 "$LOGDIR/first.html")"
grep -q '<li class="todo"><button form="nav" name="j" value="1" aria-current="step">commune — ' "$LOGDIR/first.html" && ok ||
    not_ok "the panel lists the screens, the current one marked"

n=0
while IFS= read -r line; do
    n=$((n + 1))
    [ "$line" = c ] && break # the terminal's yes to finishing: the page's Finish below
    if [ "$n" = 3 ]; then
        # a letter for the household number: refused, said beside the question, not stored
        post "/i/$CASE" op=next v=2x >/dev/null
        get "/i/$CASE" >"$LOGDIR/bad.html"
        grep -q 'class="msg" role="alert">Cần nhập một số nguyên' "$LOGDIR/bad.html" && ok ||
            not_ok "the wrong answer is not refused on the page with the terminal's words"
        grep -q '<li class="done"><button form="nav" name="j" value="2">village' "$LOGDIR/bad.html" && ok ||
            not_ok "the panel marks an answered screen"
        same "the wrong answer is not stored" "$(cq "$DIEUTRA_DB" "SELECT ifnull(json_extract(dt_open(answers), '\$.hh_number'), '-') FROM cases WHERE case_id = '$CASE'")" -
    fi
    if [ "$n" = 5 ]; then
        # kill -9 with four answers given: they are on the disk; the page resumes there
        kill -9 "$PID"
        wait "$PID" 2>/dev/null
        same "after kill -9: the answers given" "$(cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(answers), '\$.resp_name') || ' ' || position FROM cases WHERE case_id = '$CASE'")" "Lò Văn Minh consent"
        start_page
        signin
        get "/i/$CASE" | grep -q 'consent</p>' && ok || not_ok "the page resumes at consent"
    fi
    if [ -z "$line" ]; then
        r=$(post "/i/$CASE" op=next)
    elif [ "$line" = "1 3" ]; then # two boxes ticked, as a browser sends them
        r=$(post "/i/$CASE" op=next v=1 v=3)
    else
        r=$(post "/i/$CASE" op=next "v=$line")
    fi
    [ "${r%% *}" = 303 ] || not_ok "answer $n '$line': $r"
done <"$LOGDIR/v2.keys"
same "finish" "$(post "/i/$CASE" op=finish)" "303 $BASE/"
same "finished" "$(q "$DIEUTRA_DB" "SELECT status || ' ' || outcome FROM cases WHERE case_id = '$CASE'")" "finalized complete"
same "four members, the unit of today" "$(cq "$DIEUTRA_DB" "SELECT json_array_length(dt_open(answers), '\$.members') || ' ' || json_extract(dt_open(answers), '\$.commune') || ' ' || json_extract(dt_open(answers), '\$.members[3].m_name') FROM cases WHERE case_id = '$CASE'")" "4 3980 Lò Thị Ngọc Ánh"
same "time per question and sessions counted from the page" "$(cq "$DIEUTRA_DB" "SELECT json_type(dt_open(paradata), '\$.seconds') || ' ' || json_extract(dt_open(paradata), '\$.sessions') || ' ' || (json_type(dt_open(paradata), '\$.seconds.resp_name') IN ('integer', 'real')) FROM cases WHERE case_id = '$CASE'")" "object 2 1"
same "the answers equal the terminal's" "$(cq "$DIEUTRA_DB" "SELECT dt_open(answers) FROM cases")" "$(cq "$LOGDIR/term.db" "SELECT dt_open(answers) FROM cases")"
same "and their revision's" "$(cq "$DIEUTRA_DB" "SELECT dt_open(answers) FROM revisions")" "$(cq "$LOGDIR/term.db" "SELECT dt_open(answers) FROM revisions")"
get / | grep -q "<h2>Đã hoàn thành (1)</h2>" && ok || not_ok "home after finishing"
LABEL=$(cq "$DIEUTRA_DB" "SELECT dt_open(label) FROM cases WHERE case_id = '$CASE'")
curl -s -b "$LOGDIR/jar" -G --data-urlencode "q=${LABEL##* / }" "$BASE/" >"$LOGDIR/search2.html"
grep -q "<h2>Đã hoàn thành (1)</h2>" "$LOGDIR/search2.html" && grep -qF "$LABEL" "$LOGDIR/search2.html" && ok ||
    not_ok "search finds a finished interview by its label '$LABEL'"
curl -s -b "$LOGDIR/jar" -G --data-urlencode "q=no such household" "$BASE/" | grep -q "<h2>Đã hoàn thành (0)</h2>" && ok ||
    not_ok "a search that matches nothing"

# Sync from the page: the same run as `collector sync`.
SDB=$LOGDIR/syncd.db
"$SYNCD" form publish "$SRC/schema/forms/sonla_ict_household_v2.json" --db "$SDB" >/dev/null || not_ok "publish"
SAVED_URL=$BASE SAVED_OPEN=$OPEN SAVED_PORT=$PORT
start_syncd "$SYNCD" "$SDB" || finish
SYNC_URL=$URL
"$COLLECTOR" enroll "$SYNC_URL/" "$(token_of "$SYNCD" "$SDB" enum1 enumerator)" >"$LOGDIR/enroll.out" 2>&1 || not_ok "enroll: $(cat "$LOGDIR/enroll.out")"
BASE=$SAVED_URL OPEN=$SAVED_OPEN PORT=$SAVED_PORT
same "sync from the page" "$(curl -s -b "$LOGDIR/jar" -H "Origin: $BASE" -o "$LOGDIR/sync.html" -w '%{http_code}' -d go=1 "$BASE/sync")" 200
grep -q "Đã đồng bộ xong" "$LOGDIR/sync.html" && grep -q "pushed: accepted 1," "$LOGDIR/sync.html" && ok ||
    not_ok "the page says what went: $(cat "$LOGDIR/sync.html")"
same "the centre holds the interview" "$(q "$SDB" "SELECT count(*) FROM cases WHERE case_id = '$CASE'")" 1
# The centre's quality flags: typed in seconds by curl, the interview is far too short for
# four members and answered faster than one reads; with a minimum of zero in the config file,
# it is not too short.
"$SYNCD" review show "$CASE" --json --db "$SDB" | tr -d ' \t\n' >"$LOGDIR/show.json"
grep -q '"quality":\[{"flag":"speeding","value":[0-9.e-]*,"limit":10,"reason":"interviewedin0minutes,under10forthehousehold' "$LOGDIR/show.json" &&
    ok || not_ok "speeding flagged at the centre: $(grep -o '"quality":[^]]*]' "$LOGDIR/show.json")"
"$SYNCD" review show "$CASE" --db "$SDB" | grep -q "^  quality:     speeding: interviewed in 0 minutes" && ok || not_ok "review show prints the flag"
printf 'quality_base_seconds = 0\nquality_member_seconds = 0\n' >"$LOGDIR/q.conf"
grep -q '{"flag":"fast_answers","value":1,"limit":0.5,' "$LOGDIR/show.json" && ok || not_ok "answered faster than one reads"
"$SYNCD" review show "$CASE" --json --config "$LOGDIR/q.conf" --db "$SDB" | tr -d ' \t\n' >"$LOGDIR/show0.json"
# (the flags in their order: an interview taken in the evening is flagged "night" first)
grep -q '"quality":\[[^]]*{"flag":"fast_answers"' "$LOGDIR/show0.json" && ! grep -q speeding "$LOGDIR/show0.json" && ok ||
    not_ok "the thresholds come from the config file: $(grep -o '"quality":[^]]*]' "$LOGDIR/show0.json")"
stop_syncd
curl -s -b "$LOGDIR/jar" -H "Origin: $BASE" -o "$LOGDIR/sync2.html" -d go=1 "$BASE/sync"
grep -q "mọi thứ vẫn ở trên máy này" "$LOGDIR/sync2.html" && grep -q "no connection: everything stays on this laptop" "$LOGDIR/sync2.html" && ok ||
    not_ok "offline: $(cat "$LOGDIR/sync2.html")"

# What a household says is text, never markup.
r=$(post /start a=MC-03980-002)
CASE2=${r##*/i/}
post "/i/$CASE2" op=jump j=resp_name >/dev/null
post "/i/$CASE2" op=next 'v=<script>alert(1)</script>' >/dev/null
post "/i/$CASE2" op=jump j=resp_name >/dev/null
get "/i/$CASE2" >"$LOGDIR/esc.html"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$LOGDIR/esc.html" && ok || not_ok "the answer is escaped"
grep -q '<script>' "$LOGDIR/esc.html" && not_ok "markup from an answer reached the page" || ok
# A form of many fields (the boxes of a long list): the last ones are read too.
many=()
for k in $(seq 1 20); do many+=("x$k=$k"); done
post "/i/$CASE2" "${many[@]}" op=jump j=resp_name >/dev/null
get "/i/$CASE2" | grep -q '· resp_name</p>' && ok || not_ok "the 22nd field of a form was not read"

# The vi/en switch: the labels, the page's words and the engine's messages follow; it goes
# back only to a page of this server.
same "switch to English" "$(post /lang l=en "to=/i/$CASE2")" "303 $BASE/i/$CASE2"
get "/i/$CASE2" >"$LOGDIR/en.html"
grep -q 'Respondent&#39;s full name' "$LOGDIR/en.html" && grep -q '>Next</button>' "$LOGDIR/en.html" &&
    grep -q '<html lang="en">' "$LOGDIR/en.html" && ok || not_ok "the page in English: $(head -c 1500 "$LOGDIR/en.html")"
post "/i/$CASE2" op=jump j=consent >/dev/null
post "/i/$CASE2" op=next >/dev/null
get "/i/$CASE2" | grep -q 'role="alert">This question requires an answer' && ok || not_ok "the engine's message in English: $(get "/i/$CASE2" | grep alert)"
same "no redirect to another site" "$(post /lang l=vi to=//evil.example/)" "303 $BASE/"

# open in the page: the terminal may not open it at the same time
"$COLLECTOR" interview --resume "$CASE2" </dev/null >"$LOGDIR/locked.out" 2>&1
same "the terminal is refused while the page has it" "$?" 1
grep -q "another window" "$LOGDIR/locked.out" && ok || not_ok "why: $(cat "$LOGDIR/locked.out")"
# Two tabs on one interview: a post from a page drawn before the other tab's answer is told
# so and changes nothing.
post "/i/$CASE2" op=jump j=hh_number >/dev/null
OLD_STEP=$(step_of "/i/$CASE2")
post "/i/$CASE2" op=next v=41 >/dev/null # the other tab: hh_number answered, now resp_name
CUR_STEP=$(step_of "/i/$CASE2")            # ... and the page it shows now
curl -s -b "$LOGDIR/jar" -H "Origin: $BASE" -o /dev/null --data-urlencode "s=$OLD_STEP" \
    --data-urlencode op=next --data-urlencode v=77 "$BASE/i/$CASE2"
get "/i/$CASE2" >"$LOGDIR/tabs.html"
grep -q 'role="alert">Phỏng vấn này vừa được thay đổi ở một thẻ khác' "$LOGDIR/tabs.html" && ok ||
    not_ok "the older tab is told: $(grep alert "$LOGDIR/tabs.html")"
same "the older tab's answer was not stored anywhere" \
    "$(cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(answers), '\$.hh_number') || ' ' || json_extract(dt_open(answers), '\$.resp_name') FROM cases WHERE case_id = '$CASE2'")" "41 <script>alert(1)</script>"
# The page's script asks for the page itself (no second request), and gets the same page;
# the tab that was current is still (the older tab's post changed nothing, its step neither).
live=$(curl -s -b "$LOGDIR/jar" -H "Origin: $BASE" -H "X-Dieutra-Live: 1" -o "$LOGDIR/live.html" -w '%{http_code}' \
    --data-urlencode "s=$CUR_STEP" --data-urlencode op=back "$BASE/i/$CASE2")
same "a live post answers with the page" "$live" 200
grep -q '· hh_number</p>' "$LOGDIR/live.html" && ok || not_ok "the live page is the new screen"
# Its script and style come from this server only, cached by the browser; no other script runs.
curl -s -D "$LOGDIR/js.hdr" -o "$LOGDIR/app.js" "$BASE/app.js"
grep -qi '^Cache-Control: private, max-age=31536000, immutable' "$LOGDIR/js.hdr" && grep -q 'X-Dieutra-Live' "$LOGDIR/app.js" &&
    ok || not_ok "the script: $(cat "$LOGDIR/js.hdr")"
curl -s -D "$LOGDIR/page.hdr" -o /dev/null -b "$LOGDIR/jar" "$BASE/"
grep -qi "^Content-Security-Policy: .*script-src 'self'" "$LOGDIR/page.hdr" && ! grep -qi "unsafe-eval\|script-src[^;]*unsafe-inline" "$LOGDIR/page.hdr" &&
    ok || not_ok "the page's CSP: $(grep -i content-security "$LOGDIR/page.hdr")"
grep -q '<script defer src="/app.js?h=[0-9a-f]\{16\}"></script>' "$LOGDIR/live.html" && ok || not_ok "the script's address carries its hash"

# Finishing too early lists every problem, each a way to its question.
post "/i/$CASE2" op=finish >/dev/null
get "/i/$CASE2" >"$LOGDIR/problems.html"
grep -q '<li class="bad"><button form="nav" name="j" value="consent">consent' "$LOGDIR/problems.html" && ok ||
    not_ok "the problems listed: $(grep -c 'class="bad"' "$LOGDIR/problems.html")"

# The roster's table: a member added (the household's size follows), reordered, removed
# (asked first); the size's constraint holds.
post "/i/$CASE2" op=jump j=consent >/dev/null
post "/i/$CASE2" op=next v=1 >/dev/null
post "/i/$CASE2" op=jump j=hh_size >/dev/null
post "/i/$CASE2" op=next v=2 >/dev/null
ROSTER=$(get "/i/$CASE2" | sed -n 's/.*name="r" value="\([0-9]*\)".*/\1/p' | head -1)
[ -n "$ROSTER" ] && ok || not_ok "the roster's table is on the page"
post "/i/$CASE2" op=jump "j=members[1]/m_name" >/dev/null
post "/i/$CASE2" op=next v=An >/dev/null
post "/i/$CASE2" op=jump "j=members[2]/m_name" >/dev/null
post "/i/$CASE2" op=next v=Binh >/dev/null
post "/i/$CASE2" r="$ROSTER" op=addm >/dev/null
members() { cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(answers), '\$.hh_size') || ':' || group_concat(ifnull(json_extract(value, '\$.m_name'), '-'), ',') FROM cases, json_each(json_extract(dt_open(answers), '\$.members')) WHERE case_id = '$CASE2'"; }
get "/i/$CASE2" | grep -q '· members\[3\]/m_name</p>' && ok || not_ok "adding goes to the new member"
post "/i/$CASE2" op=next v=Cuong >/dev/null
same "added: the size follows" "$(members)" "3:An,Binh,Cuong"
post "/i/$CASE2" r="$ROSTER" up=3 >/dev/null
same "moved up" "$(members)" "3:An,Cuong,Binh"
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
same "removing asks first" "$(members)" "3:An,Cuong,Binh"
get "/i/$CASE2" | grep -q 'Xoá thành viên 1 (An)' && ok || not_ok "the question before removing"
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
same "removed: the others move up" "$(members)" "2:Cuong,Binh"
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
post "/i/$CASE2" r="$ROSTER" rm=1 >/dev/null
same "the size's constraint holds (at least one member)" "$(members)" "1:Binh"
get "/i/$CASE2" | grep -q 'role="alert">Số người trong hộ phải từ 1 đến 30' && ok || not_ok "said why: $(get "/i/$CASE2" | grep alert)"
same "a member past the roster is refused" "$(post "/i/$CASE2" r="$ROSTER" rm=9 | cut -c1-3)" 303

# A finished interview edited from home adds a revision, as `collector edit` does.
same "edit from home" "$(post /edit "c=$CASE")" "303 $BASE/i/$CASE"
same "reopened as a draft" "$(q "$DIEUTRA_DB" "SELECT status FROM cases WHERE case_id = '$CASE'")" draft
post "/i/$CASE" op=jump j=hh_number >/dev/null
post "/i/$CASE" op=next v=28 >/dev/null
same "finished again" "$(post "/i/$CASE" op=finish)" "303 $BASE/"
same "a second revision, its parent the first" \
    "$(q "$DIEUTRA_DB" "SELECT count(*) || ' ' || count(parent_rev_id) FROM revisions WHERE case_id = '$CASE'")" "2 1"
same "the new revision holds the edit" \
    "$(cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(answers), '\$.hh_number') FROM revisions WHERE case_id = '$CASE' AND parent_rev_id IS NOT NULL")" 28

kill "$PID"
wait "$PID" 2>/dev/null
same "stopped with SIGTERM" "$?" 0
finish
