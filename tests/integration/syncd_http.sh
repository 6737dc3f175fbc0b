#!/bin/bash
# syncd_http.sh - the sync API over a real socket: every bad request gets its 4xx and a JSON
# error and changes nothing; a push, a duplicate, a pull, review; SIGTERM stops cleanly.
# usage: syncd_http.sh SYNCD COLLECTOR SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2 # not used yet: the collector's own sync is tested elsewhere
SRC=$3
. "$SRC/tests/integration/lib.sh"
: "$COLLECTOR"

for tool in curl sqlite3 gzip; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "skip: $tool is missing (packaging/install-deps installs it)"
        rm -rf "$LOGDIR"
        exit 77
    fi
done

DB=$LOGDIR/syncd.db
FORM=$SRC/schema/forms/sonla_ict_household.json
ANSWERS=$SRC/tests/data/answers/household_4members.json
SQL="'; DROP TABLE cases; --"

new_uuid() {
    cat /proc/sys/kernel/random/uuid
}

# sql_str TEXT: TEXT as an SQL string literal (for building test documents with sqlite3).
sql_str() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}


# revision REV CASE DEVICE PARENT AUTHOR VILLAGE [FORM_ID]: one revision on the wire, JSON.
revision() {
    local parent=NULL
    [ -n "$4" ] && parent=$(sql_str "$4")
    sqlite3 :memory: "SELECT json_object(
        'rev_id', $(sql_str "$1"), 'case_id', $(sql_str "$2"), 'parent_rev_id', $parent,
        'form_id', $(sql_str "${7:-sonla_ict_household}"), 'form_version', 1,
        'author', $(sql_str "$5"), 'device_id', $(sql_str "$3"),
        'created_at', '2026-11-29T09:25:56Z', 'outcome', 'complete', 'assignment_id', NULL,
        'answers', json_set(json_extract(CAST(readfile($(sql_str "$ANSWERS")) AS TEXT), '\$.answers'),
                            '\$.village', $(sql_str "$6")),
        'paradata', json_object('started_at', '2026-11-29T09:10:00Z',
                                'ended_at', '2026-11-29T09:31:12Z', 'device_id', $(sql_str "$3"),
                                'enumerator', $(sql_str "$5"), 'program_version', '0.1.0',
                                'form_id', 'sonla_ict_household', 'form_version', 1,
                                'sessions', 1, 'source', 'import', 'seconds', json_object()))"
}

# push_body DEVICE REVISION...: a push document.
push_body() {
    local dev=$1
    shift
    local IFS=,
    printf '{"device_id":"%s","revisions":[%s]}' "$dev" "$*"
}

# json_get FILE PATH: a value of a JSON file ('' if absent); fails when it is not JSON.
json_get() {
    sqlite3 :memory: "SELECT json_extract(CAST(readfile($(sql_str "$1")) AS TEXT), $(sql_str "$2"))"
}

# What a failed request must leave alone: the rows of every table.
state() {
    sqlite3 "$DB" "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM forms),
        (SELECT count(*) FROM cases), (SELECT count(*) FROM revisions),
        (SELECT count(*) FROM decisions), (SELECT count(*) FROM changes),
        (SELECT group_concat(status || head_rev || conflict || duplicate) FROM cases)"
}

# call NAME STATUS CODE CURL_ARGS...: one request; checks the status and, for an error,
# that the body is {"error": {"code": CODE, "message": ...}}. The body is left in $RESP.
RESP=$LOGDIR/resp.json
HEADERS=$LOGDIR/resp.headers
call() {
    local name=$1 want=$2 code=$3 got
    shift 3
    got=$(curl --noproxy "*" -s -S --max-time 60 -o "$RESP" -D "$HEADERS" -w '%{http_code}' "$@" 2>>"$LOGDIR/curl.err")
    if [ "$got" != "$want" ]; then
        not_ok "$name: status $got, expected $want: $(head -c 300 "$RESP")"
        return 1
    fi
    if [ "$code" != "-" ]; then
        local c m
        c=$(json_get "$RESP" '$.error.code' 2>&1)
        m=$(json_get "$RESP" '$.error.message' 2>&1)
        if [ "$c" != "$code" ] || [ -z "$m" ]; then
            not_ok "$name: expected error code $code, got: $(head -c 300 "$RESP")"
            return 1
        fi
        if ! grep -qi '^content-type: application/json' "$HEADERS"; then
            not_ok "$name: the error is not served as application/json"
            return 1
        fi
    fi
    ok
    return 0
}

# ---- a store with users and the form

"$SYNCD" form publish "$FORM" --db "$DB" >"$LOGDIR/publish.out" 2>&1 ||
    not_ok "form publish: $(cat "$LOGDIR/publish.out")"
ENUM1=$(token_of "$SYNCD" "$DB" enum1 enumerator)
ENUM2=$(token_of "$SYNCD" "$DB" enum2 enumerator)
SUP=$(token_of "$SYNCD" "$DB" sup1 supervisor 04012)
STAT=$(token_of "$SYNCD" "$DB" stat1 statistician)
GONE=$(token_of "$SYNCD" "$DB" gone1 enumerator)
for t in "$ENUM1" "$ENUM2" "$SUP" "$STAT" "$GONE"; do
    if [ -z "$t" ]; then
        not_ok "syncd user add printed no token"
        finish
    fi
done
"$SYNCD" user revoke gone1 --db "$DB" >"$LOGDIR/revoke.out" 2>&1 ||
    not_ok "user revoke: $(cat "$LOGDIR/revoke.out")"

# ---- the server


serve serve "$SYNCD" serve --db "$DB" --listen 127.0.0.1:0 || finish
ok
API=http://127.0.0.1:$PORT/api/v1
A_E1="Authorization: Bearer $ENUM1"
A_E2="Authorization: Bearer $ENUM2"
A_SUP="Authorization: Bearer $SUP"
A_STAT="Authorization: Bearer $STAT"
JSON="Content-Type: application/json"

# ---- who am I

call "whoami" 200 - -H "$A_E1" "$API/whoami" &&
    [ "$(json_get "$RESP" '$.user')/$(json_get "$RESP" '$.role')" = "enum1/enumerator" ] ||
    not_ok "whoami: $(cat "$RESP")"
call "whoami of a supervisor" 200 - -H "$A_SUP" "$API/whoami" &&
    [ "$(json_get "$RESP" '$.communes[0]')" = "04012" ] || not_ok "whoami communes: $(cat "$RESP")"

# ---- a valid push, then the same again

DEV=$(new_uuid)
CASE1=$(new_uuid)
REV1=$(new_uuid)
revision "$REV1" "$CASE1" "$DEV" "" "Lò Văn Minh" "Bản Áng" >"$LOGDIR/rev1.json"
push_body "$DEV" "$(cat "$LOGDIR/rev1.json")" >"$LOGDIR/push1.json"
gzip -c "$LOGDIR/push1.json" >"$LOGDIR/push1.json.gz"
if call "push" 200 - -H "$A_E1" -H "$JSON" -H "Content-Encoding: gzip" \
    --data-binary @"$LOGDIR/push1.json.gz" "$API/push"; then
    [ "$(json_get "$RESP" '$.results[0].rev_id')" = "$REV1" ] &&
        [ "$(json_get "$RESP" '$.results[0].status')" = "accepted" ] ||
        not_ok "push: expected accepted: $(cat "$RESP")"
fi
if call "push again" 200 - -H "$A_E1" -H "$JSON" --data-binary @"$LOGDIR/push1.json" "$API/push"; then
    [ "$(json_get "$RESP" '$.results[0].status')/$(json_get "$RESP" '$.results[0].first')" = \
        "duplicate/accepted" ] || not_ok "push again: expected duplicate, first accepted: $(cat "$RESP")"
fi

# ---- a pull, compressed

if call "pull" 200 - -H "$A_E1" --compressed "$API/pull?cursor=0"; then
    grep -qi '^content-encoding: gzip' "$HEADERS" || not_ok "pull: the answer is not gzip-compressed"
    [ -n "$(json_get "$RESP" '$.cursor')" ] && [ -n "$(json_get "$RESP" '$.more')" ] ||
        not_ok "pull: no cursor or more: $(head -c 300 "$RESP")"
fi

# ---- every bad request: its status, a JSON error, and nothing written

BEFORE=$(state)

# auth
call "no token" 401 unauthorized "$API/whoami"
call "wrong token" 401 unauthorized -H "Authorization: Bearer 0123456789abcdef" "$API/whoami"
call "revoked token" 401 unauthorized -H "Authorization: Bearer $GONE" "$API/whoami"
call "basic auth" 401 unauthorized -H "Authorization: Basic ZW51bTE6cHc=" "$API/whoami"
call "token of SQL" 401 unauthorized -H "Authorization: Bearer $SQL" "$API/whoami"
call "no token on a push" 401 unauthorized -H "$JSON" --data-binary @"$LOGDIR/push1.json" "$API/push"

# roles
call "a supervisor pushes" 403 forbidden -H "$A_SUP" -H "$JSON" --data-binary @"$LOGDIR/push1.json" "$API/push"
call "a statistician pulls" 403 forbidden -H "$A_STAT" "$API/pull?cursor=0"
call "an enumerator lists cases" 403 forbidden -H "$A_E1" "$API/cases"
call "an enumerator approves" 403 forbidden -H "$A_E1" -H "$JSON" -d '{}' "$API/cases/$CASE1/approve"
call "a statistician approves" 403 forbidden -H "$A_STAT" -H "$JSON" -d '{}' "$API/cases/$CASE1/approve"
revision "$(new_uuid)" "$CASE1" "$(new_uuid)" "$REV1" "Cầm Văn Thịnh" "Bản Áng" >"$LOGDIR/rev_other.json"
call "another enumerator's case" 403 forbidden -H "$A_E2" -H "$JSON" \
    --data-binary "$(push_body "$(new_uuid)" "$(cat "$LOGDIR/rev_other.json")")" "$API/push"

# paths and methods
call "unknown path" 404 not_found -H "$A_E1" "$API/nothing"
call "outside the API" 404 not_found -H "$A_E1" "http://127.0.0.1:$PORT/etc/passwd"
call "traversal" 404 not_found -H "$A_E1" --path-as-is "$API/../../etc/passwd"
call "encoded traversal" 404 not_found -H "$A_SUP" --path-as-is "$API/cases/..%2f.."
call "encoded traversal 2" 404 not_found -H "$A_SUP" --path-as-is "$API/cases/%2e%2e/%2e%2e/etc/passwd"
call "not a UUID" 404 not_found -H "$A_SUP" "$API/cases/not-a-uuid"
call "SQL in the path" 404 not_found -H "$A_SUP" "$API/cases/%27%3B%20DROP%20TABLE%20cases%3B%20--"
call "trailing slash" 404 not_found -H "$A_E1" "$API/whoami/"
call "GET a push" 405 method_not_allowed -H "$A_E1" "$API/push"
call "DELETE whoami" 405 method_not_allowed -H "$A_E1" -X DELETE "$API/whoami"
grep -qi '^allow: GET' "$HEADERS" || not_ok "405 without an Allow header"
call "PUT a case" 405 method_not_allowed -H "$A_SUP" -X PUT -H "$JSON" -d '{}' "$API/cases/$CASE1/approve"

# bodies
call "malformed JSON" 400 bad_request -H "$A_E1" -H "$JSON" -d '{"device_id": ' "$API/push"
call "not UTF-8" 400 bad_request -H "$A_E1" -H "$JSON" --data-binary $'{"device_id":"\xff\xfe"}' "$API/push"
call "wrong shape" 400 bad_request -H "$A_E1" -H "$JSON" -d "{\"device_id\":\"$DEV\",\"revisions\":{}}" "$API/push"
call "empty body" 400 bad_request -H "$A_E1" -H "$JSON" -X POST "$API/push"
call "JSON array" 400 bad_request -H "$A_E1" -H "$JSON" -d '[]' "$API/push"
printf 'this is not gzip' >"$LOGDIR/bad.gz"
call "invalid gzip" 400 bad_request -H "$A_E1" -H "$JSON" -H "Content-Encoding: gzip" \
    --data-binary @"$LOGDIR/bad.gz" "$API/push"
head -c 5000 "$LOGDIR/push1.json.gz" | head -c 60 >"$LOGDIR/cut.gz"
call "cut gzip" 400 bad_request -H "$A_E1" -H "$JSON" -H "Content-Encoding: gzip" \
    --data-binary @"$LOGDIR/cut.gz" "$API/push"
head -c 100000000 /dev/zero | gzip -c >"$LOGDIR/bomb.gz"
call "gzip bomb" 413 too_large -H "$A_E1" -H "$JSON" -H "Content-Encoding: gzip" \
    --data-binary @"$LOGDIR/bomb.gz" "$API/push"
head -c 9000000 /dev/zero | tr '\0' ' ' >"$LOGDIR/big.json"
call "oversized body" 413 too_large -H "$A_E1" -H "$JSON" --data-binary @"$LOGDIR/big.json" "$API/push"
call "oversized chunked body" 413 too_large -H "$A_E1" -H "$JSON" -H "Transfer-Encoding: chunked" \
    --data-binary @"$LOGDIR/big.json" "$API/push"
call "text/plain" 415 unsupported_media_type -H "$A_E1" -H "Content-Type: text/plain" \
    --data-binary @"$LOGDIR/push1.json" "$API/push"
call "form-encoded" 415 unsupported_media_type -H "$A_E1" --data-binary @"$LOGDIR/push1.json" "$API/push"
call "brotli" 415 unsupported_media_type -H "$A_E1" -H "$JSON" -H "Content-Encoding: br" \
    --data-binary @"$LOGDIR/push1.json" "$API/push"
sqlite3 :memory: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 201)
    SELECT json_object('device_id', $(sql_str "$DEV"), 'revisions',
        json_group_array(json(CAST(readfile($(sql_str "$LOGDIR/rev1.json")) AS TEXT)))) FROM n" \
    >"$LOGDIR/push201.json"
call "201 revisions" 413 too_large -H "$A_E1" -H "$JSON" --data-binary @"$LOGDIR/push201.json" "$API/push"
revision "$REV1" "$CASE1" "$DEV" "" "Lò Văn Minh" "Bản Khác" >"$LOGDIR/rev1b.json"
push_body "$DEV" "$(cat "$LOGDIR/rev1b.json")" >"$LOGDIR/push1b.json"
call "a known rev_id with another body" 409 conflict -H "$A_E1" -H "$JSON" \
    --data-binary @"$LOGDIR/push1b.json" "$API/push"
call "bad cursor" 400 bad_request -H "$A_E1" "$API/pull?cursor=abc"
call "negative cursor" 400 bad_request -H "$A_E1" "$API/pull?cursor=-1"
call "SQL cursor" 400 bad_request -H "$A_E1" "$API/pull?cursor=1%3B%20DROP%20TABLE%20cases"

# SQL in fields that are checked before anything is stored
revision "$SQL" "$(new_uuid)" "$DEV" "" "x" "x" >"$LOGDIR/sql_rev.json"
call "SQL as rev_id" 400 bad_request -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/sql_rev.json")")" "$API/push"
revision "$(new_uuid)" "$SQL" "$DEV" "" "x" "x" >"$LOGDIR/sql_case.json"
call "SQL as case_id" 400 bad_request -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/sql_case.json")")" "$API/push"
revision "$(new_uuid)" "$(new_uuid)" "$SQL" "" "x" "x" >"$LOGDIR/sql_dev.json"
call "SQL as device_id" 400 bad_request -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/sql_dev.json")")" "$API/push"
revision "$(new_uuid)" "$(new_uuid)" "$DEV" "$SQL" "x" "x" >"$LOGDIR/sql_parent.json"
call "SQL as parent_rev_id" 400 bad_request -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/sql_parent.json")")" "$API/push"
call "SQL as device of the batch" 400 bad_request -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$SQL" "$(cat "$LOGDIR/rev1.json")")" "$API/push"
call "SQL as status filter" 400 bad_request -H "$A_SUP" --get --data-urlencode "status=$SQL" "$API/cases"
call "SQL as commune filter" 400 bad_request -H "$A_SUP" --get --data-urlencode "commune=$SQL" "$API/cases"
call "SQL as rev_id to resolve" 400 bad_request -H "$A_SUP" -H "$JSON" \
    -d "{\"rev_id\": \"$(printf '%s' "$SQL" | sed 's/"/\\"/g')\"}" "$API/cases/$CASE1/resolve"
call "reject without a comment" 400 bad_request -H "$A_SUP" -H "$JSON" -d '{}' "$API/cases/$CASE1/reject"
call "unknown case" 404 not_found -H "$A_SUP" "$API/cases/$(new_uuid)"

AFTER=$(state)
if [ "$BEFORE" = "$AFTER" ]; then ok; else not_ok "a refused request changed the store: $BEFORE -> $AFTER"; fi

# ---- SQL-looking text where text is allowed: stored exactly as sent, never run

CASE2=$(new_uuid)
REV2=$(new_uuid)
revision "$REV2" "$CASE2" "$DEV" "" "$SQL" "$SQL" >"$LOGDIR/rev2.json"
if call "SQL in the author and an answer" 200 - -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/rev2.json")")" "$API/push"; then
    st=$(json_get "$RESP" '$.results[0].status')
    case $st in
    accepted)
        [ "$(sqlite3 "$DB" "SELECT author FROM revisions WHERE rev_id = $(sql_str "$REV2")")" = "$SQL" ] &&
            [ "$(sqlite3 "$DB" "SELECT json_extract(answers, '\$.village') FROM revisions
                                WHERE rev_id = $(sql_str "$REV2")")" = "$SQL" ] && ok ||
            not_ok "SQL text was not stored verbatim"
        ;;
    rejected) ok ;;
    *) not_ok "SQL in the author: status '$st': $(cat "$RESP")" ;;
    esac
fi
REV3=$(new_uuid)
revision "$REV3" "$(new_uuid)" "$DEV" "" "x" "x" "$SQL" >"$LOGDIR/rev3.json"
if call "SQL as form_id" 200 - -H "$A_E1" -H "$JSON" \
    --data-binary "$(push_body "$DEV" "$(cat "$LOGDIR/rev3.json")")" "$API/push"; then
    [ "$(json_get "$RESP" '$.results[0].status')" = rejected ] || not_ok "SQL as form_id: $(cat "$RESP")"
fi
[ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name = 'cases'")" = 1 ] && ok ||
    not_ok "the cases table is gone"

# ---- review

if call "supervisor lists cases" 200 - -H "$A_SUP" "$API/cases?status=finalized&commune=04012"; then
    grep -q "$CASE1" "$RESP" || not_ok "the supervisor does not see the case: $(head -c 300 "$RESP")"
fi
call "statistician lists cases" 200 - -H "$A_STAT" "$API/cases"
if call "supervisor shows a case" 200 - -H "$A_SUP" "$API/cases/$CASE1"; then
    grep -q "$REV1" "$RESP" || not_ok "the case does not show its revision: $(head -c 300 "$RESP")"
fi
call "supervisor rejects, with SQL in the comment" 200 - -H "$A_SUP" -H "$JSON" \
    -d "{\"comment\": \"$(printf '%s' "$SQL" | sed 's/"/\\"/g')\"}" "$API/cases/$CASE1/reject"
[ "$(sqlite3 "$DB" "SELECT comment FROM decisions WHERE case_id = $(sql_str "$CASE1")")" = "$SQL" ] &&
    ok || not_ok "the comment was not stored verbatim"
if call "the enumerator pulls the decision" 200 - -H "$A_E1" "$API/pull?cursor=0"; then
    grep -q "$CASE1" "$RESP" || not_ok "the decision is not in the pull: $(head -c 300 "$RESP")"
fi

# ---- a busy store answers 503, stays up, and the same push then goes in

REV4=$(new_uuid)
revision "$REV4" "$(new_uuid)" "$DEV" "" "Lò Văn Minh" "Bản Mới" >"$LOGDIR/rev4.json"
push_body "$DEV" "$(cat "$LOGDIR/rev4.json")" >"$LOGDIR/push4.json"
(printf 'BEGIN IMMEDIATE;\nINSERT INTO changes(kind, ref, at) VALUES (%s, %s, %s);\n' \
    "'form'" "'x'" "'now'"; sleep 8; printf 'ROLLBACK;\n') | sqlite3 "$DB" &
LOCKER=$!
sleep 1
call "push while another program writes" 503 unavailable -H "$A_E1" -H "$JSON" \
    --data-binary @"$LOGDIR/push4.json" "$API/push"
grep -qi '^retry-after:' "$HEADERS" || not_ok "503 without Retry-After"
wait "$LOCKER"
if call "the same push afterwards" 200 - -H "$A_E1" -H "$JSON" --data-binary @"$LOGDIR/push4.json" "$API/push"; then
    [ "$(json_get "$RESP" '$.results[0].status')" = accepted ] || not_ok "push after busy: $(cat "$RESP")"
fi

# ---- many pushes at once: every one is answered, every revision stored once

for i in $(seq 30); do
    d=$(new_uuid)
    revision "$(new_uuid)" "$(new_uuid)" "$d" "" "Lò Văn Minh" "Bản $i" >"$LOGDIR/par$i.json"
    push_body "$d" "$(cat "$LOGDIR/par$i.json")" | gzip -c >"$LOGDIR/par$i.json.gz"
done
before=$(sqlite3 "$DB" "SELECT count(*) FROM revisions")
pids=""
for i in $(seq 30); do
    curl --noproxy "*" -s --max-time 60 -o "$LOGDIR/par$i.out" -w '%{http_code}' -H "$A_E1" -H "$JSON" \
        -H "Content-Encoding: gzip" --compressed --data-binary @"$LOGDIR/par$i.json.gz" \
        "$API/push" >"$LOGDIR/par$i.code" &
    pids="$pids $!"
done
wait $pids
bad=0
for i in $(seq 30); do
    [ "$(cat "$LOGDIR/par$i.code")" = 200 ] && grep -q '"accepted"' "$LOGDIR/par$i.out" || bad=$((bad + 1))
done
after=$(sqlite3 "$DB" "SELECT count(*) FROM revisions")
if [ "$bad" = 0 ] && [ $((after - before)) = 30 ]; then ok; else
    not_ok "30 pushes at once: $bad not accepted, $((after - before)) stored"
fi

# ---- the request log

grep -q " enum1 POST /api/v1/push 200 in=" "$LOGDIR/serve.err" && ok ||
    not_ok "no request log line for the push"
grep -q " - GET /api/v1/whoami 401 " "$LOGDIR/serve.err" && ok ||
    not_ok "no request log line for a refused request"

# ---- SIGTERM: a clean stop

stop_syncd
rc=$SERVER_RC
if [ "$rc" = 0 ]; then ok; else not_ok "syncd serve exited $rc after SIGTERM: $(tail -5 "$LOGDIR/serve.err")"; fi
if [ ! -s "$DB-wal" ]; then ok; else not_ok "the WAL was not checkpointed at the stop"; fi
grep -q "^syncd: stopped" "$LOGDIR/serve.err" && ok || not_ok "syncd did not say it stopped"
integrity=$(sqlite3 "$DB" 'PRAGMA integrity_check')
if [ "$integrity" = ok ]; then ok; else not_ok "integrity_check: $integrity"; fi

# ---- the config file: limits from it apply; the command line wins; a bad line is named

printf '# a small server\nlisten = 127.0.0.1:1\nmax_body = 4K\nmax_batch = 2\n' >"$LOGDIR/small.conf"
if serve serve "$SYNCD" serve --config "$LOGDIR/small.conf" --db "$DB" --listen 127.0.0.1:0; then
    API=http://127.0.0.1:$PORT/api/v1
    push_body "$DEV" "$(cat "$LOGDIR/rev1.json"),$(cat "$LOGDIR/rev1.json"),$(cat "$LOGDIR/rev1.json")" |
        gzip -c >"$LOGDIR/push3.json.gz"
    call "3 revisions past max_batch = 2" 413 too_large -H "$A_E1" -H "$JSON" \
        -H "Content-Encoding: gzip" --data-binary @"$LOGDIR/push3.json.gz" "$API/push"
    head -c 5000 /dev/zero | tr '\0' ' ' >"$LOGDIR/5k.json"
    call "5 KB past max_body = 4K" 413 too_large -H "$A_E1" -H "$JSON" \
        --data-binary @"$LOGDIR/5k.json" "$API/push"
    call "whoami on the small server" 200 - -H "$A_E1" "$API/whoami"
    [ "$PORT" != 1 ] && ok || not_ok "the config file's listen won over --listen"
    stop_syncd
fi
# (serve says why when the packaged file does not load)
serve serve "$SYNCD" serve --config "$SRC/packaging/syncd.conf" --db "$DB" --listen 127.0.0.1:0 && ok
stop_syncd
printf 'listen = 127.0.0.1:0\nmax_bodi = 4K\n' >"$LOGDIR/bad.conf"
"$SYNCD" serve --config "$LOGDIR/bad.conf" --db "$DB" >"$LOGDIR/bad.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "bad.conf: line 2: unknown setting 'max_bodi'" "$LOGDIR/bad.out"; then ok; else
    not_ok "a bad config file: exit $rc: $(cat "$LOGDIR/bad.out")"
fi
"$SYNCD" serve --db "$DB" --listen 10.0.0.1.2:80 >"$LOGDIR/bad.out" 2>&1
rc=$?
if [ "$rc" = 2 ]; then ok; else not_ok "a bad listen address: exit $rc: $(cat "$LOGDIR/bad.out")"; fi

finish
