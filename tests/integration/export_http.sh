#!/bin/bash
# export_http.sh - GET /api/v1/export on a real syncd (127.0.0.1, a free port): the zip archive
# a statistician downloads holds what `syncd export` writes on the same store, byte for byte
# (CSV, JSON; the .dta and .sav read back by ReadStat); only statisticians and admins get it;
# bad parameters are named; one export at a time (503); a full disk is a 503 too; no
# temporary folder is ever left next to the store, and the store is unchanged.
# usage: export_http.sh SYNCD COLLECTOR GEN_HOUSEHOLDS READSTAT_CHECK SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
RSC=$4
SRC=$5
. "$SRC/tests/integration/lib.sh"

need curl sqlite3 unzip
unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_EXPORT_THREADS http_proxy HTTP_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1

# The store in a folder of its own: the server's temporary export folders are made next to
# the store, so that folder must hold nothing but the store's files afterwards.
STORE=$LOGDIR/store
mkdir -p "$STORE"
SDB=$STORE/syncd.db
FORM=$SRC/schema/forms/sonla_ict_household.json
NHH=${EXPORT_HTTP_HOUSEHOLDS:-3000} # enough for an export to last a while (the 503 below)

S() { "$SYNCD" "$@" --db "$SDB"; }
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
q() { sqlite3 "$SDB" "$@"; }
check() { # NAME COMMAND...: a condition
    local name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
json_get() { # FILE PATH
    sqlite3 :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"
}
# What nothing here may change: every table's rows and every case's state (a digest).
state() {
    q "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM forms),
        (SELECT count(*) FROM cases), (SELECT count(*) FROM revisions),
        (SELECT count(*) FROM decisions), (SELECT count(*) FROM changes),
        (SELECT group_concat(case_id || status || head_rev || conflict || duplicate, ',')
         FROM (SELECT * FROM cases ORDER BY case_id))" | md5sum
}
# leftovers: what the store's folder holds besides the store (its WAL and shared memory).
leftovers() {
    ls -A "$STORE" | grep -v -x -e syncd.db -e syncd.db-wal -e syncd.db-shm
}

# get NAME STATUS CODE QUERY CURL_ARGS...: GET /api/v1/export?QUERY; checks the status and,
# for an error, the JSON error code. The body is left in $BODY, the headers in $HEAD.
BODY=$LOGDIR/body
HEAD=$LOGDIR/headers
get() {
    local name=$1 want=$2 code=$3 query=$4 got c
    shift 4
    got=$(curl --noproxy "*" -s -S --max-time 120 -o "$BODY" -D "$HEAD" -w '%{http_code}' "$@" \
        "$URL/api/v1/export?$query" 2>>"$LOGDIR/curl.err")
    if [ "$got" != "$want" ]; then
        not_ok "$name: status $got, expected $want: $(head -c 300 "$BODY")"
        return 1
    fi
    if [ "$code" != - ]; then
        c=$(json_get "$BODY" '$.error.code' 2>&1)
        if [ "$c" != "$code" ] || ! grep -qi '^content-type: application/json' "$HEAD"; then
            not_ok "$name: expected a JSON error $code, got: $(head -c 300 "$BODY")"
            return 1
        fi
    fi
    ok
    return 0
}
# says NAME PATTERN: the last error's message matches PATTERN (extended regex)
says() {
    local m
    m=$(json_get "$BODY" '$.error.message')
    if printf '%s' "$m" | grep -qE -- "$2"; then ok; else not_ok "$1: message '$m' lacks /$2/"; fi
}
# unpack NAME DIR: the last body is a whole zip archive; its files go to DIR.
unpack() {
    rm -rf "$2"
    mkdir -p "$2"
    if unzip -tqq "$BODY" >"$LOGDIR/unzip.out" 2>&1 && unzip -qq -d "$2" "$BODY" >>"$LOGDIR/unzip.out" 2>&1
    then ok; else not_ok "$1: not a good zip archive: $(cat "$LOGDIR/unzip.out")"; fi
}
# same_files NAME GOT WANT: the same file names in both folders, and (with a 4th argument
# "bytes") the same bytes in each.
same_files() {
    local a b f
    a=$(cd "$2" && ls -A | sort | tr '\n' ' ')
    b=$(cd "$3" && ls -A | sort | tr '\n' ' ')
    same "$1: the files" "$a" "$b"
    [ "${4:-}" = bytes ] || return 0
    for f in $b; do
        if cmp -s "$2/$f" "$3/$f"; then ok; else not_ok "$1: $f differs from syncd export's"; fi
    done
}
# roundtrip NAME FILE CSV: ReadStat reads FILE back as the same CSV, byte for byte.
roundtrip() {
    "$RSC" "$2" csv >"$LOGDIR/rt.csv" 2>"$LOGDIR/rt.err"
    if [ $? = 0 ] && [ -s "$3" ] && cmp -s "$LOGDIR/rt.csv" "$3"; then ok; else
        not_ok "$1: $2 read back by ReadStat differs from $3: $(cat "$LOGDIR/rt.err")"
    fi
}
# disposition FORMAT STATUS: the archive's name offered to the browser
disposition() {
    if grep -qiE "^content-disposition: attachment; filename=\"sonla_ict_household-v1-$1-$2-[0-9]{8}T[0-9]{6}Z\.zip\"" "$HEAD" &&
        grep -qi '^content-type: application/zip' "$HEAD"; then ok; else
        not_ok "$1 $2: the archive's type and name: $(grep -i '^content-' "$HEAD" | tr '\r\n' '  ')"
    fi
}

# ---- a server on an empty store, and its users

STAT=$(token_of "$SYNCD" "$SDB" stat1 statistician)
ADMIN=$(token_of "$SYNCD" "$SDB" admin1 admin)
ENUM=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
SUP=$(token_of "$SYNCD" "$SDB" sup1 supervisor 04012)
for t in "$STAT" "$ADMIN" "$ENUM" "$SUP"; do
    [ -n "$t" ] || { not_ok "syncd user add printed no token"; finish; }
done
start_syncd "$SYNCD" "$SDB" || finish
A_STAT="Authorization: Bearer $STAT"

get "no form published yet" 404 not_found "format=csv" -H "$A_STAT" &&
    says "no form published" "no form is published"
check "nothing left after the 404" [ -z "$(leftovers)" ]

# ---- the store: households made by a collector, carried in a bundle, some approved

S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "form publish: $(cat "$LOGDIR/publish.out")"
C setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator enum1 --centre-key "$(S centre-key)" >/dev/null || not_ok "collector setup"
"$GEN" "$NHH" 7 >"$LOGDIR/hh.json"
C import "$LOGDIR/hh.json" >"$LOGDIR/import.out" 2>&1 || not_ok "collector import: $(tail -3 "$LOGDIR/import.out")"
C bundle export "$LOGDIR/stick.bundle" >"$LOGDIR/bundle.out" 2>&1 || not_ok "bundle export: $(cat "$LOGDIR/bundle.out")"
S import "$LOGDIR/stick.bundle" --user enum1 >"$LOGDIR/simport.out" 2>&1 ||
    not_ok "syncd import: $(cat "$LOGDIR/simport.out")"
same "$NHH cases in the store" "$(q "SELECT count(*) FROM cases")" "$NHH"
for c in $(q "SELECT case_id FROM cases ORDER BY case_id LIMIT 12"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done
S review reject "$(q "SELECT case_id FROM cases WHERE status = 'finalized' ORDER BY case_id LIMIT 1")" \
    --comment "tuổi chủ hộ?" >/dev/null 2>&1 || not_ok "reject"
BEFORE=$(state)

# ---- who may download

get "an enumerator may not" 403 forbidden "format=csv" -H "Authorization: Bearer $ENUM"
get "a supervisor may not" 403 forbidden "format=csv" -H "Authorization: Bearer $SUP"
get "no token" 401 unauthorized "format=csv"
get "an unknown token" 401 unauthorized "format=csv" -H "Authorization: Bearer 0123456789abcdef"
get "an unknown session cookie" 401 unauthorized "format=csv" -b "dieutra_session=0123456789abcdef"
get "an admin may" 200 - "format=csv" -H "Authorization: Bearer $ADMIN" && disposition csv approved
# A statistician signed in to the dashboard downloads with the session cookie.
SIGNIN=$(curl --noproxy "*" -s -o /dev/null -c "$LOGDIR/jar" -w '%{http_code}' \
    --data-urlencode "token=$STAT" "$URL/signin" 2>>"$LOGDIR/curl.err")
same "sign in to the dashboard" "$SIGNIN" 303
get "with the session cookie" 200 - "format=json" -b "$LOGDIR/jar" && disposition json approved

# ---- bad parameters: 400, the parameter named; unknown parameters are ignored

get "format missing" 400 bad_request "status=all" -H "$A_STAT" && says "format missing" "^format: "
get "a format that does not exist" 400 bad_request "format=xls" -H "$A_STAT" &&
    says "bad format" "^format: expected csv, dta, sav or json"
get "a bad status" 400 bad_request "format=csv&status=finalized" -H "$A_STAT" &&
    says "bad status" "^status: expected approved .* or all"
get "a language the form lacks" 400 bad_request "format=csv&lang=fr" -H "$A_STAT" &&
    says "bad lang" "^lang: .*sonla_ict_household: vi, en"
get "history outside JSON" 400 bad_request "format=dta&history=1" -H "$A_STAT" &&
    says "history with dta" "^history: only with format=json"
get "a bad history" 400 bad_request "format=json&history=yes" -H "$A_STAT" && says "bad history" "^history: "
get "a form not published" 404 not_found "format=csv&form=nope" -H "$A_STAT" &&
    says "form not published" "form nope is not published"
get "an unknown parameter is ignored" 200 - "format=csv&colour=blue" -H "$A_STAT"
check "nothing left after the refusals" [ -z "$(leftovers)" ]

# ---- every format: the archive holds what `syncd export` writes for the same options

H=$LOGDIR/http
E=$LOGDIR/cli
for f in csv json dta sav; do
    S export --format $f --status all --out "$E/$f-all" >"$LOGDIR/cli.out" 2>&1 ||
        not_ok "syncd export $f: $(cat "$LOGDIR/cli.out")"
    if get "$f, all statuses" 200 - "format=$f&status=all" -H "$A_STAT"; then
        disposition $f all
        unpack "$f, all statuses" "$H/$f-all"
        case $f in
        csv | json) same_files "$f, all statuses" "$H/$f-all" "$E/$f-all" bytes ;;
        *) same_files "$f, all statuses" "$H/$f-all" "$E/$f-all" ;;
        esac
    fi
done
# Stata and SPSS: ReadStat reads them back as the CSV of the same export.
for f in dta sav; do
    for level in households members; do
        roundtrip "$f $level" "$H/$f-all/$level.$f" "$H/csv-all/$level.csv"
    done
    check "$f: the codebook is syncd export's" cmp -s "$H/$f-all/codebook.csv" "$E/$f-all/codebook.csv"
done
same "every household in the archive" "$(($(wc -l <"$H/csv-all/households.csv") - 1))" "$NHH"

# approved only (the default), English labels, the JSON history
S export --format csv --out "$E/csv-appr" >/dev/null 2>&1 || not_ok "syncd export csv (approved)"
get "csv, approved (the default)" 200 - "format=csv" -H "$A_STAT" && disposition csv approved &&
    unpack "csv approved" "$H/csv-appr" && same_files "csv, approved" "$H/csv-appr" "$E/csv-appr" bytes
same "12 approved households" "$(($(wc -l <"$H/csv-appr/households.csv") - 1))" 12
S export --format csv --status all --lang en --out "$E/csv-en" >/dev/null 2>&1 || not_ok "syncd export --lang en"
get "csv in English" 200 - "format=csv&status=all&lang=en" -H "$A_STAT" &&
    unpack "csv en" "$H/csv-en" && same_files "csv in English" "$H/csv-en" "$E/csv-en" bytes
check "English labels in the codebook" grep -q "Sampling weight" "$H/csv-en/codebook.csv"
S export --format json --status all --history --out "$E/json-hist" >/dev/null 2>&1 || not_ok "syncd export --history"
get "json with the history" 200 - "format=json&status=all&history=1" -H "$A_STAT" &&
    unpack "json history" "$H/json-hist" && same_files "json with history" "$H/json-hist" "$E/json-hist" bytes
check "the history is there" grep -q '"history"' "$H/json-hist/households.jsonl"
check "no temporary folder left after the exports" [ -z "$(leftovers)" ]

# ---- one export at a time
# A long export (JSON with the history) runs in the background. Its temporary folder exists
# exactly while it holds the server's export lock: when that folder is there both before a
# second request starts and after it has been answered, the second one must get 503; when
# the first was too quick for that, both must simply succeed.
curl --noproxy "*" -s -o "$LOGDIR/a.zip" -w '%{http_code}' -H "$A_STAT" \
    "$URL/api/v1/export?format=json&status=all&history=1" >"$LOGDIR/a.code" 2>>"$LOGDIR/curl.err" &
APID=$!
TMPD=""
for _ in $(seq 3000); do
    TMPD=$(ls -A "$STORE" | grep '^\.syncd-export-' | head -1)
    [ -n "$TMPD" ] && break
    kill -0 $APID 2>/dev/null || break
    sleep 0.01
done
B=$(curl --noproxy "*" -s -o "$LOGDIR/b.json" -D "$LOGDIR/b.headers" -w '%{http_code}' -H "$A_STAT" \
    "$URL/api/v1/export?format=csv" 2>>"$LOGDIR/curl.err")
HELD=0
[ -n "$TMPD" ] && [ -d "$STORE/$TMPD" ] && HELD=1
wait $APID
same "the first export" "$(cat "$LOGDIR/a.code")" 200
check "the first export is a whole archive" unzip -tqq "$LOGDIR/a.zip"
if [ $HELD = 1 ]; then
    same "a second export while the first runs" "$B" 503
    same "503 says why" "$(json_get "$LOGDIR/b.json" '$.error.code')|$(json_get "$LOGDIR/b.json" '$.error.message')" \
        "unavailable|an export is already running on this server: try again when it has finished"
    check "503 carries Retry-After" grep -qi '^retry-after: 5' "$LOGDIR/b.headers"
else
    echo "note: the first export ended before the second began: only both answers are checked"
    check "the second export: 200 or 503 ($B)" [ "$B" = 200 ] || [ "$B" = 503 ]
fi
# Three at once: each gets an archive or a 503, at least one an archive.
PIDS=""
for i in 1 2 3; do
    curl --noproxy "*" -s -o "$LOGDIR/c$i.out" -w '%{http_code}' -H "$A_STAT" \
        "$URL/api/v1/export?format=dta&status=all" >"$LOGDIR/c$i.code" 2>>"$LOGDIR/curl.err" &
    PIDS="$PIDS $!"
done
wait $PIDS # not the server
CODES=$(for i in 1 2 3; do cat "$LOGDIR/c$i.code"; echo; done | tr '\n' ' ')
case "$CODES" in
*200*) ok ;;
*) not_ok "three at once: no archive at all ($CODES)" ;;
esac
for code in $CODES; do
    check "three at once: 200 or 503 ($code)" [ "$code" = 200 -o "$code" = 503 ]
done
check "no temporary folder left after the concurrent exports" [ -z "$(leftovers)" ]
same "the exports changed nothing in the store" "$(state)" "$BEFORE"

# ---- several forms: say which
cat >"$LOGDIR/tiny.json" <<'EOF'
{"id": "tiny", "version": 1, "languages": ["vi", "en"], "title": {"vi": "Nhỏ", "en": "Tiny"},
 "choices": {}, "questions": [{"name": "n", "type": "integer", "label": {"vi": "Số", "en": "Number"}}]}
EOF
S form publish "$LOGDIR/tiny.json" >"$LOGDIR/publish2.out" 2>&1 || not_ok "publish tiny: $(cat "$LOGDIR/publish2.out")"
get "two forms, none chosen" 400 bad_request "format=csv" -H "$A_STAT" &&
    says "two forms" "^form: several forms are published: choose one with form=ID"
get "two forms, one chosen" 200 - "format=csv&status=all&form=sonla_ict_household" -H "$A_STAT" &&
    disposition csv all && unpack "form chosen" "$H/csv-form" &&
    same_files "form chosen" "$H/csv-form" "$E/csv-all" bytes

# ---- a syncd killed during an export leaves its folder: the next export removes it, but not
# the folder of a process that is still alive
DEAD=$STORE/.syncd-export-999999999-AbC123 # above any process id
ALIVE=$STORE/.syncd-export-$$-AbC123       # this shell
mkdir "$DEAD" "$ALIVE" && echo "1,2" >"$DEAD/households.csv" && echo x >"$ALIVE/households.csv.partial"
get "an export after a crash" 200 - "format=csv&form=sonla_ict_household" -H "$A_STAT"
check "the dead process's folder is removed" [ ! -e "$DEAD" ]
check "the live process's folder is kept" [ -f "$ALIVE/households.csv.partial" ]
check "the server says what it removed" grep -q "removed $DEAD, left by an export that was killed" "$LOGDIR/serve.err"
rm -rf "$ALIVE"

stop_syncd
same "the server stopped cleanly" "$SERVER_RC" 0
S check >"$LOGDIR/check.out" 2>&1 || not_ok "syncd check: $(cat "$LOGDIR/check.out")"
check "no temporary folder left at the end" [ -z "$(leftovers)" ]
check "no folder that could not be removed" bash -c "! grep -q 'syncd: export: cannot remove' '$LOGDIR/serve.err'"

# ---- a full disk: 503 with the file named, nothing left behind
# The store is copied onto a small disk of its own and served from there: the export's files
# do not fit next to it. The small disk is a tmpfs (in a user and mount namespace of its own)
# where mounting is allowed, else a limit on the size of each file syncd writes.
FULL=$LOGDIR/full
mkdir -p "$FULL"
sqlite3 "$SDB" ".backup '$LOGDIR/copy.db'"
EXPORT="/api/v1/export?format=json&status=all&history=1&form=sonla_ict_household"
# Either way syncd is started by serve, through a wrapper that gives it the small disk.
if unshare -rm true 2>/dev/null; then
    full_errno="No space left on device"
    SIZE=$(($(stat -c %s "$LOGDIR/copy.db") / 1024 + 512))
    # tmpfs-syncd ARGS... (run by unshare -rm): mounts the tmpfs, copies the store onto it and
    # runs syncd ARGS, passing SIGTERM on. The tmpfs is seen only inside the namespace, so what
    # is left next to the store is listed here, after syncd stopped, before the tmpfs is gone.
    cat >"$LOGDIR/tmpfs-syncd" <<EOF
#!/bin/bash
mount -t tmpfs -o size=${SIZE}k tmpfs '$FULL' || exit 1
mkdir '$FULL/store' && cp '$LOGDIR/copy.db' '$FULL/store/syncd.db' || exit 1
'$SYNCD' "\$@" &
pid=\$!
termed=0
trap 'termed=1; kill -TERM \$pid' TERM
wait \$pid
rc=\$?
# a wait cut short by the trap: wait again for syncd's own exit status
if [ \$termed = 1 ] && [ \$rc -gt 128 ]; then wait \$pid; rc=\$?; fi
ls -A '$FULL/store' >'$LOGDIR/full.ls'
exit \$rc
EOF
    chmod +x "$LOGDIR/tmpfs-syncd"
    full_syncd=(unshare -rm "$LOGDIR/tmpfs-syncd")
else
    echo "note: mounting a tmpfs is not allowed here: the full disk is a file size limit"
    full_errno="File too large"
    mkdir "$FULL/store" && cp "$LOGDIR/copy.db" "$FULL/store/syncd.db"
    SIZE=$(($(stat -c %s "$LOGDIR/copy.db") / 1024 + 64))
    printf '#!/bin/sh\ntrap "" XFSZ\nulimit -f %d\nexec "%s" "$@"\n' "$SIZE" "$SYNCD" >"$LOGDIR/small-syncd"
    chmod +x "$LOGDIR/small-syncd"
    full_syncd=("$LOGDIR/small-syncd")
fi
serve full "${full_syncd[@]}" serve --db "$FULL/store/syncd.db" --listen 127.0.0.1:0 || finish
curl --noproxy '*' -s -o "$LOGDIR/full.body" -w '%{http_code}' -H "$A_STAT" "$URL$EXPORT" >"$LOGDIR/full.code"
stop_syncd
echo "$SERVER_RC" >"$LOGDIR/full.rc"
[ "$full_syncd" = unshare ] || ls -A "$FULL/store" >"$LOGDIR/full.ls"
same "full disk: 503" "$(cat "$LOGDIR/full.code" 2>/dev/null)" 503
M=$(json_get "$LOGDIR/full.body" '$.error.message' 2>/dev/null)
case "$M" in
*"$full_errno"*) ok ;;
*) not_ok "full disk: the message does not say so: '$M'" ;;
esac
case "$M" in
*"$FULL"* | *syncd-export*) not_ok "full disk: the message shows the server's folders: '$M'" ;;
*) ok ;;
esac
same "full disk: nothing left next to the store" \
    "$(grep -v -x -e syncd.db -e syncd.db-wal -e syncd.db-shm "$LOGDIR/full.ls" 2>/dev/null)" ""
check "full disk: the server log says so" grep -q "syncd: export: .*$full_errno" "$LOGDIR/full.err"
same "full disk: the server stopped cleanly" "$(cat "$LOGDIR/full.rc" 2>/dev/null)" 0

finish
