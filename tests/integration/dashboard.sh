#!/bin/bash
# dashboard.sh - the dashboard at / as people use it: a sample frame, two laptops syncing to a
# real syncd on 127.0.0.1 (one interviews assigned households), a supervisor's decisions; then
# sign-in (token form, one-time links), sessions (sign-out, revocation, cross-site posts),
# roles and scope through curl; and the page opened in headless Chromium: the progress
# figures a person reads must be the store's (counted here with sqlite3) and the indicators
# must be `syncd indicators`'s. A screenshot is kept in DASHBOARD_SHOT when it is set.
# usage: dashboard.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"

need sqlite3 curl awk chromium

unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_SYNC_BATCH http_proxy HTTP_PROXY all_proxy ALL_PROXY
export DIEUTRA_SYNC_RETRY_MS=20
export NO_PROXY=127.0.0.1
FORM=$SRC/schema/forms/sonla_ict_household.json
SDB=$LOGDIR/syncd.db

S() { "$SYNCD" "$@" --db "$SDB"; }
C() { # N ARGS...: collector N with its own database
    local n=$1
    shift
    "$COLLECTOR" "$@" --db "$LOGDIR/c$n.db"
}
q() { sqlite3 "$@"; }
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
has() { # NAME FILE TEXT: FILE contains TEXT
    if grep -qF -- "$3" "$2"; then ok; else not_ok "$1: '$3' not in $2"; fi
}
hasnt() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then not_ok "$1: '$3' in $2"; else ok; fi
}
# status_of CURL-ARGS...: the HTTP status of a request
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# cells FILE ID: the numbers of the table row with that id, space-separated
cells() {
    grep -o "<tr[^>]* id=\"$2\">.*" "$1" | sed 's|</tr>.*||; s|<svg.*||; s|<td[^>]*>|\n|g; s|<[^>]*>||g' |
        tail -n +3 | tr '\n' ' ' | sed 's/ *$//'
}
# chrome URL ARGS...: headless Chromium with a fresh profile, only on loopback
chrome() {
    local url=$1
    shift
    rm -rf "$LOGDIR/profile"
    timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-quic \
        --user-data-dir="$LOGDIR/profile" "$@" "$url" 2>>"$LOGDIR/chromium.err"
}

# ---- the store: a sample frame, two laptops, a supervisor

S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "form publish: $(cat "$LOGDIR/publish.out")"
start_syncd "$SYNCD" "$SDB" || finish

T1=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
T2=$(token_of "$SYNCD" "$SDB" enum2 enumerator)
TSUP=$(token_of "$SYNCD" "$SDB" sup_moc_chau supervisor 23005,23008)
TSTAT=$(token_of "$SYNCD" "$SDB" stat statistician)
TSTAT2=$(token_of "$SYNCD" "$SDB" stat2 statistician)
for t in "$T1" "$T2" "$TSUP" "$TSTAT" "$TSTAT2"; do [ -n "$t" ] || { not_ok "a token is missing"; finish; }; done

# enum1's frame: 6 households in 23005 (Mộc Châu), 4 in 16001 (Thành phố Sơn La), weighted
{
    echo "assignment_id,enumerator,district,commune_code,commune_name,village,hh_number,weight,stratum,psu"
    for i in 1 2 3 4 5 6; do echo "MC-23005-00$i,enum1,123,23005,Chiềng Sơn,Bản Áng,$i,150,123,23005-01"; done
    for i in 1 2 3 4; do echo "SL-16001-00$i,enum1,116,16001,Chiềng Lề,Bản Cọ,$i,90,116,16001-01"; done
} >"$LOGDIR/frame.csv"
S assign import "$LOGDIR/frame.csv" >"$LOGDIR/assign.out" 2>&1 || not_ok "assign import: $(cat "$LOGDIR/assign.out")"

for i in 1 2; do
    T=$T1
    [ $i = 2 ] && T=$T2
    C $i setup --enumerator "Điều tra viên $i" >/dev/null || not_ok "setup $i"
    C $i enroll "$URL/" "$T" >"$LOGDIR/enroll$i.out" 2>&1 || not_ok "enroll $i: $(cat "$LOGDIR/enroll$i.out")"
done
# laptop 1 receives its frame, then interviews 4 of the 6 households of 23005 and 1 of 16001
C 1 sync >"$LOGDIR/pull1.out" 2>&1 || not_ok "first sync 1: $(cat "$LOGDIR/pull1.out")"
{
    echo "["
    n=0
    for a in MC-23005-001 MC-23005-002 MC-23005-003 MC-23005-004 SL-16001-001; do
        n=$((n + 1))
        cc=${a:3:5}
        d=123
        [ "$cc" = 16001 ] && d=116
        q :memory: "SELECT json_set(readfile('$SRC/tests/data/answers/household_4members.json'),
            '\$.assignment_id', '$a', '\$.answers.district', $d, '\$.answers.commune_code', '$cc',
            '\$.answers.hh_number', $n)"
        [ $n -lt 5 ] && echo ","
    done
    echo "]"
} >"$LOGDIR/assigned.json"
C 1 import "$LOGDIR/assigned.json" >"$LOGDIR/import1.out" 2>&1 || not_ok "import 1: $(cat "$LOGDIR/import1.out")"
"$GEN" 30 77 >"$LOGDIR/hh2.json"
C 2 import "$LOGDIR/hh2.json" >"$LOGDIR/import2.out" 2>&1 || not_ok "import 2: $(tail -3 "$LOGDIR/import2.out")"
for i in 1 2; do
    C $i sync >"$LOGDIR/sync$i.out" 2>&1 || not_ok "sync $i: $(cat "$LOGDIR/sync$i.out")"
done
same "35 cases at the centre" "$(q "$SDB" "SELECT count(*) FROM cases")" 35
same "5 of them from the frame" "$(q "$SDB" "SELECT count(*) FROM cases WHERE assignment_id IS NOT NULL")" 5

# the supervisor of 23005/23008 approves 3 of 23005 and rejects 1; 12 of laptop 2 approved centrally
for c in $(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '23005' ORDER BY case_id LIMIT 3"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done
REJ=$(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '23005' AND status = 'finalized' LIMIT 1")
S review reject "$REJ" --comment "Hỏi lại số điện thoại thông minh" >/dev/null 2>&1 || not_ok "reject"
for c in $(q "$SDB" "SELECT case_id FROM cases WHERE enumerator = 'enum2' ORDER BY case_id LIMIT 12"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done

# ---- signing in, sessions and roles (curl)

same "/ without a session goes to the sign-in page" \
    "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/")" "303 $URL/signin"
same "the sign-in page" "$(status_of "$URL/signin")" 200
curl -s "$URL/signin" >"$LOGDIR/signin.html"
has "sign-in form" "$LOGDIR/signin.html" '<form method="post" action="/signin">'
same "a wrong token" "$(status_of -d "token=$(printf 'f%.0s' $(seq 64))" "$URL/signin")" 401
same "no token" "$(status_of -d "token=" "$URL/signin")" 400
same "an enumerator may not sign in" "$(status_of -d "token=$T1" "$URL/signin")" 403
curl -s -D "$LOGDIR/signin.hdr" -o /dev/null -d "token=$TSTAT" "$URL/signin"
has "signed in: sent to /" "$LOGDIR/signin.hdr" "Location: /"
COOKIE=$(sed -n 's/^Set-Cookie: dieutra_session=\([0-9a-f]*\);.*/\1/p' "$LOGDIR/signin.hdr" | tr -d '\r')
same "a session cookie of 64 hex digits" "${#COOKIE}" 64
has "the cookie is HttpOnly" "$LOGDIR/signin.hdr" "HttpOnly"
has "the cookie is SameSite" "$LOGDIR/signin.hdr" "SameSite=Lax"
same "the token itself is not kept" "$(q "$SDB" "SELECT count(*) FROM sessions WHERE id_hash = '$COOKIE'")" 0
same "the page with the session" "$(status_of -b "dieutra_session=$COOKIE" "$URL/")" 200
same "a made-up session" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
    -b "dieutra_session=$(printf 'a%.0s' $(seq 64))" "$URL/")" "303 $URL/signin?ended=1"
same "the API accepts the session too" "$(status_of -b "dieutra_session=$COOKIE" "$URL/api/v1/indicators")" 200
same "a bearer token works on the page" "$(status_of -H "Authorization: Bearer $TSTAT" "$URL/")" 200
same "an enumerator's bearer token on the page" "$(status_of -H "Authorization: Bearer $T1" "$URL/")" 403
same "status must be approved or all" "$(status_of -b "dieutra_session=$COOKIE" "$URL/?status=maybe")" 400
curl -s -b "dieutra_session=$COOKIE" "$URL/?status=maybe" >"$LOGDIR/bad.html"
has "the error is a page that says why" "$LOGDIR/bad.html" "status: expected approved or all"
same "a sign-out posted from another site" \
    "$(status_of -b "dieutra_session=$COOKIE" -H "Origin: http://elsewhere.example" -d "" "$URL/signout")" 403
same "still signed in" "$(status_of -b "dieutra_session=$COOKIE" "$URL/")" 200
curl -s -D "$LOGDIR/signout.hdr" -o /dev/null -b "dieutra_session=$COOKIE" -H "Origin: $URL" -d "" "$URL/signout"
has "signed out: sent to the sign-in page" "$LOGDIR/signout.hdr" "Location: /signin"
has "signed out: the cookie is cleared" "$LOGDIR/signout.hdr" "Max-Age=0"
same "the old cookie no longer works" "$(status_of -b "dieutra_session=$COOKIE" "$URL/")" 303

# one-time links: good once; a revoked user's session ends at once
LINK=$(S user link stat2 --url "$URL" 2>/dev/null)
case $LINK in "$URL/signin?code="*) ok ;; *) not_ok "user link printed '$LINK'" ;; esac
curl -s -D "$LOGDIR/link.hdr" -o /dev/null "$LINK"
COOKIE2=$(sed -n 's/^Set-Cookie: dieutra_session=\([0-9a-f]*\);.*/\1/p' "$LOGDIR/link.hdr" | tr -d '\r')
same "the link signs in" "${#COOKIE2}" 64
same "a link works once" "$(status_of "$LINK")" 401
if S user link nobody >/dev/null 2>&1; then not_ok "a link for an unknown user"; else ok; fi
same "the session works" "$(status_of -b "dieutra_session=$COOKIE2" "$URL/")" 200
S user revoke stat2 >/dev/null 2>&1
same "revoked: the session ends at once" "$(status_of -b "dieutra_session=$COOKIE2" "$URL/")" 303

# the supervisor sees their communes only
curl -s -o /dev/null -c "$LOGDIR/sup.jar" -d "token=$TSUP" "$URL/signin"
curl -s -b "$LOGDIR/sup.jar" "$URL/" >"$LOGDIR/sup.html"
has "supervisor: their commune" "$LOGDIR/sup.html" '<tr id="c-23005">'
hasnt "supervisor: not another's" "$LOGDIR/sup.html" '<tr id="c-16001">'
hasnt "supervisor: no downloads" "$LOGDIR/sup.html" 'id="exports"'

# ---- what a person sees: the page in Chromium

chrome "$(S user link stat --url "$URL" 2>/dev/null)" --dump-dom >"$LOGDIR/page.html"
has "Chromium shows the dashboard" "$LOGDIR/page.html" 'id="progress"'

# progress per commune and the total, against the store
expect_row() { # WHERE-for-assignments WHERE-for-cases
    q -separator ' ' "$SDB" "
SELECT (SELECT count(*) FROM assignments WHERE $1),
  (SELECT count(*) FROM assignments a WHERE $1 AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.assignment_id = a.assignment_id)),
  count(*), total(status = 'finalized'), total(status = 'approved'), total(status = 'rejected'),
  total(conflict), total(duplicate), total(outcome = 'refusal') FROM cases WHERE $2" | sed 's/\.0\b//g'
}
same "total row" "$(cells "$LOGDIR/page.html" total)" "$(expect_row 1 1)"
SCOPE="commune_code IN ('23005', '23008')"
same "supervisor: the total of their communes" "$(cells "$LOGDIR/sup.html" total)" "$(expect_row "$SCOPE" "$SCOPE")"
same "supervisor: 23005 as planned" "$(cells "$LOGDIR/sup.html" c-23005 | cut -d' ' -f1,2,5,6)" "6 2 3 1"
for cc in 23005 16001 $(q "$SDB" "SELECT DISTINCT commune_code FROM cases WHERE enumerator = 'enum2' LIMIT 3"); do
    same "commune $cc" "$(cells "$LOGDIR/page.html" "c-$cc")" \
        "$(expect_row "commune_code = '$cc'" "commune_code = '$cc'")"
done
same "district 123" "$(cells "$LOGDIR/page.html" d-123)" \
    "$(expect_row "json_extract(prefill, '\$.district') = 123" \
        "(SELECT json_extract(answers, '\$.district') FROM revisions WHERE rev_id = head_rev) = 123")"
has "district names from the questionnaire" "$LOGDIR/page.html" "123 Huyện Mộc Châu"
has "statisticians can download" "$LOGDIR/page.html" 'href="/api/v1/export?format=dta&amp;status=approved"'

# indicators: the figures `syncd indicators` prints, as the page writes them (one decimal)
j() { q :memory: "SELECT json_extract(readfile('$1'), '$2')"; }
one() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
check_indicators() { # PAGE STATUS
    local f=$LOGDIR/ind-$2.json k i
    S indicators --format json --status "$2" >"$f" 2>&1 || not_ok "indicators --status $2"
    for k in 1 2 3 4 5; do
        i="\$.groups[0].indicators[$((k - 1))]"
        same "$2: T$k estimate" "$(sed -n "s|.*<b id=\"T$k-estimate\">\([^<]*\)</b>.*|\1|p" "$1")" \
            "$(one "$(j "$f" "$i.estimate")")%"
        same "$2: T$k interval" "$(sed -n "s|.*<span id=\"T$k-ci\">\([^<]*\)</span>.*|\1|p" "$1")" \
            "$(one "$(j "$f" "$i.ci_low")")–$(one "$(j "$f" "$i.ci_high")")"
        same "$2: T$k target" "$(sed -n "s|.*<span id=\"T$k-target\">\([^<]*\)</span>.*|\1|p" "$1")" \
            "$(j "$f" "$i.target")%"
        has "$2: T$k chart" "$1" "id=\"T$k-chart\""
    done
    same "$2: weighted from the frame" "$(j "$f" '$.weighted')" 1
    has "$2: T6 out of scope" "$1" 'id="T6-scope"'
}
check_indicators "$LOGDIR/page.html" approved
chrome "$(S user link stat --url "$URL" 2>/dev/null | sed 's|$|\&status=all|')" --dump-dom >"$LOGDIR/all.html"
check_indicators "$LOGDIR/all.html" all

# the screenshot, to look at
chrome "$(S user link stat --url "$URL" 2>/dev/null)" --window-size=1280,2400 \
    --screenshot="$LOGDIR/dashboard.png" >/dev/null
if [ -s "$LOGDIR/dashboard.png" ] && [ "$(head -c 8 "$LOGDIR/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    [ -n "${DASHBOARD_SHOT:-}" ] && cp "$LOGDIR/dashboard.png" "$DASHBOARD_SHOT"
else
    not_ok "no screenshot: $(tail -3 "$LOGDIR/chromium.err")"
fi

S check >"$LOGDIR/check.out" 2>&1 || not_ok "syncd check: $(cat "$LOGDIR/check.out")"
stop_syncd
finish
