#!/bin/bash
# dashboard.sh - the dashboard at / as people use it: a sample frame, two laptops syncing to a
# real syncd on 127.0.0.1 (one interviews assigned households), a supervisor's decisions; then
# sign-in (token form, one-time links), sessions (sign-out, revocation, cross-site posts),
# roles and scope through curl; and the page opened in headless Chromium: the progress
# figures a person reads must be the store's (counted here with sqlite3) and the indicators
# must be `syncd indicators`'s. The store straddles the reform: laptop 2's households were
# taken on version 1 (former communes) before version 2 (the units of 1 July 2025) was
# published; laptop 1 interviews a frame in 2025 units. Progress is by unit of today, folded by
# former district, as computed here from the table of units. A screenshot is kept in
# DASHBOARD_SHOT when it is set.
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
FORM2=$SRC/schema/forms/sonla_ict_household_v2.json
SDB=$LOGDIR/syncd.db
GEO=$LOGDIR/geo.db

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
TSUP=$(token_of "$SYNCD" "$SDB" sup_moc_chau supervisor 03980,04078)
TSTAT=$(token_of "$SYNCD" "$SDB" stat statistician)
TSTAT2=$(token_of "$SYNCD" "$SDB" stat2 statistician)
for t in "$T1" "$T2" "$TSUP" "$TSTAT" "$TSTAT2"; do [ -n "$t" ] || { not_ok "a token is missing"; finish; }; done

for i in 1 2; do
    T=$T1
    [ $i = 2 ] && T=$T2
    C $i setup --enumerator "Điều tra viên $i" >/dev/null || not_ok "setup $i"
    C $i enroll "$URL/" "$T" >"$LOGDIR/enroll$i.out" 2>&1 || not_ok "enroll $i: $(cat "$LOGDIR/enroll$i.out")"
done
# laptop 2: 30 households on version 1, synced before the reform reaches the centre
C 2 form install "$FORM" >/dev/null 2>&1 || not_ok "install v1 on laptop 2"
"$GEN" 30 77 >"$LOGDIR/hh2.json"
C 2 import "$LOGDIR/hh2.json" >"$LOGDIR/import2.out" 2>&1 || not_ok "import 2: $(tail -3 "$LOGDIR/import2.out")"
C 2 sync >"$LOGDIR/sync2.out" 2>&1 || not_ok "sync 2: $(cat "$LOGDIR/sync2.out")"

# version 2, and enum1's frame in 2025 units: 6 households in Phường Mộc Châu (03980), 4 in
# Phường Tô Hiệu (03646), weighted
S form publish "$FORM2" >>"$LOGDIR/publish.out" 2>&1 || not_ok "form publish v2: $(cat "$LOGDIR/publish.out")"
{
    echo "assignment_id,enumerator,commune,village,hh_number,weight,stratum,psu"
    for i in 1 2 3 4 5 6; do echo "MC-03980-00$i,enum1,3980,Tiểu khu 3,$i,150,123,03980-01"; done
    for i in 1 2 3 4; do echo "TH-03646-00$i,enum1,3646,Tổ 2,$i,90,116,03646-01"; done
} >"$LOGDIR/frame.csv"
S assign import "$LOGDIR/frame.csv" >"$LOGDIR/assign.out" 2>&1 || not_ok "assign import: $(cat "$LOGDIR/assign.out")"
# laptop 1 receives version 2 and its frame, then interviews 4 of the 6 households of 03980
# and 1 of 03646
C 1 sync >"$LOGDIR/pull1.out" 2>&1 || not_ok "first sync 1: $(cat "$LOGDIR/pull1.out")"
{
    echo "["
    n=0
    for a in MC-03980-001 MC-03980-002 MC-03980-003 MC-03980-004 TH-03646-001; do
        n=$((n + 1))
        cc=${a:3:5}
        q :memory: "SELECT json_set(json_remove(readfile('$SRC/tests/data/answers/household_4members.json'),
            '\$.answers.district', '\$.answers.commune_code', '\$.answers.commune_name'),
            '\$.form_version', 2, '\$.assignment_id', '$a', '\$.answers.commune', ${cc#0},
            '\$.answers.village', 'Tiểu khu 3', '\$.answers.hh_number', $n)"
        [ $n -lt 5 ] && echo ","
    done
    echo "]"
} >"$LOGDIR/assigned.json"
C 1 import "$LOGDIR/assigned.json" >"$LOGDIR/import1.out" 2>&1 || not_ok "import 1: $(cat "$LOGDIR/import1.out")"
C 1 sync >"$LOGDIR/sync1.out" 2>&1 || not_ok "sync 1: $(cat "$LOGDIR/sync1.out")"
same "35 cases at the centre" "$(q "$SDB" "SELECT count(*) FROM cases")" 35
same "5 of them from the frame" "$(q "$SDB" "SELECT count(*) FROM cases WHERE assignment_id IS NOT NULL")" 5

# the supervisor of 03980/04078 approves 3 of 03980 and rejects 1; 12 of laptop 2 approved centrally
for c in $(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '03980' ORDER BY case_id LIMIT 3"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done
REJ=$(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '03980' AND status = 'finalized' LIMIT 1")
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
has "supervisor: their commune" "$LOGDIR/sup.html" '<tr id="c-03980">'
hasnt "supervisor: not another's" "$LOGDIR/sup.html" '<tr id="c-03646">'
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
geo_db "$GEO" || not_ok "the table of units in sqlite3"
# codes_of WHERE: the codes recorded anywhere in the units of today that WHERE (over geo) picks,
# as an SQL list: each unit's own code and the former units that lie whole in it
codes_of() {
    q "$GEO" "SELECT group_concat(quote(c)) FROM (SELECT new_code c FROM geo WHERE $1
      UNION SELECT old_code FROM pred WHERE partial = 0 AND new_code IN (SELECT new_code FROM geo WHERE $1))"
}
same "total row" "$(cells "$LOGDIR/page.html" total)" "$(expect_row 1 1)"
# the supervisor's units and every former unit they were made from, wholly or in part
SCOPE="commune_code IN ('03980', '04078', $(q "$GEO" "SELECT group_concat(quote(old_code)) FROM pred WHERE new_code IN ('03980', '04078')"))"
same "supervisor: the total of their communes" "$(cells "$LOGDIR/sup.html" total)" "$(expect_row "$SCOPE" "$SCOPE")"
same "supervisor: 03980 as planned" "$(cells "$LOGDIR/sup.html" c-03980 | cut -d' ' -f1,2,5,6)" "6 2 3 1"
for u in 03980 03646 $(q "$SDB" "SELECT DISTINCT commune_code FROM cases WHERE enumerator = 'enum2' LIMIT 3"); do
    placed=$(q "$GEO" "SELECT coalesce((SELECT new_code FROM geo WHERE new_code = '$u'), (SELECT new_code FROM pred WHERE old_code = '$u' AND partial = 0))")
    [ -n "$placed" ] || continue # a split former commune: its own row, checked below
    IN=$(codes_of "new_code = '$placed'")
    same "unit $placed (recorded $u)" "$(cells "$LOGDIR/page.html" "c-$placed")" \
        "$(expect_row "commune_code IN ($IN)" "commune_code IN ($IN)")"
done
IN=$(codes_of "dists = '123'")
same "former district 123" "$(cells "$LOGDIR/page.html" d-123)" "$(expect_row "commune_code IN ($IN)" "commune_code IN ($IN)")"
has "former district names from the table" "$LOGDIR/page.html" "123 Huyện Mộc Châu"
has "unit names from version 2" "$LOGDIR/page.html" "03980 Phường Mộc Châu"
same "one row per unit of today, the split and unknown codes apart" \
    "$(grep -o '<tr id="c-[^"]*"' "$LOGDIR/page.html" | sort -u | wc -l)" \
    "$(q "$GEO" "ATTACH 'file:$SDB?mode=ro' AS s; SELECT count(DISTINCT coalesce((SELECT new_code FROM geo WHERE new_code = cc),
        (SELECT new_code FROM pred WHERE old_code = cc AND partial = 0), 'x' || cc))
      FROM (SELECT commune_code cc FROM s.cases UNION SELECT commune_code FROM s.assignments)")"
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
