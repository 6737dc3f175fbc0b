#!/bin/bash
# review_pages.sh - the supervisors' review pages (/cases, /cases/UUID and their decisions) as
# people use them, through curl against a real syncd on 127.0.0.1 fed by real collectors: each
# role against each page and action (enumerators none; a supervisor their communes only, a case
# of another commune a 404 even by its address; statisticians read everything and decide only
# when the config says so; admins all); the list's filters and pages; a decision's per-session
# token, same-origin check and "moved since" refusal, each changing nothing; a send-back whose
# comment reaches the enumerator's laptop; a conflict made by two laptops resolved on the page,
# the losing laptop receiving the winner.
# usage: review_pages.sh SYNCD COLLECTOR SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
SRC=$3
. "$SRC/tests/integration/lib.sh"

need sqlite3 curl

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
has() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then ok; else not_ok "$1: '$3' not in $2"; fi
}
hasnt() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then not_ok "$1: '$3' in $2"; else ok; fi
}
# household FILE COMMUNE_FIELDS HH_NUMBER: one household of tests/data/answers as an import item
household() {
    q :memory: "SELECT json_set(readfile('$SRC/tests/data/answers/$1.json'), '\$.answers.hh_number', $2)"
}
# signin NAME: a browser session for NAME in LOGDIR/NAME.jar, through a one-time link
signin() {
    local link
    link=$(S user link "$1" --url "$URL" 2>&1 | grep -o 'http://[^ ]*')
    rm -f "$LOGDIR/$1.jar"
    curl -s -o /dev/null -c "$LOGDIR/$1.jar" "$link"
    grep -q dieutra_session "$LOGDIR/$1.jar" || not_ok "$1 could not sign in with $link"
}
# page NAME PATH: GETs PATH as NAME's session into LOGDIR/page.html; prints the status
page() { curl -s -b "$LOGDIR/$1.jar" -o "$LOGDIR/page.html" -w '%{http_code}' "$URL$2"; }
# field FILE NAME: the value of the first hidden input called NAME
field() { grep -o "name=\"$2\" value=\"[^\"]*\"" "$1" | head -1 | sed 's/.*value="//; s/"$//'; }
# decide NAME CASE ARGS...: POSTs the decision form as NAME's session, from this server's origin,
# with the page's own csrf, head and decisions unless ARGS give them; prints the status
decide() {
    local who=$1 case=$2
    shift 2
    page "$who" "/cases/$case" >/dev/null
    local csrf head n
    csrf=$(field "$LOGDIR/page.html" csrf)
    head=$(field "$LOGDIR/page.html" head)
    n=$(field "$LOGDIR/page.html" decisions)
    curl -s -b "$LOGDIR/$who.jar" -H "Origin: $URL" -o "$LOGDIR/post.html" -w '%{http_code}' \
        --data-urlencode "csrf=$csrf" --data-urlencode "head=$head" --data-urlencode "decisions=$n" \
        "$@" "$URL/cases/$case/decide"
}
decisions_of() { q "$SDB" "SELECT count(*) FROM decisions WHERE case_id = '$1'"; }

# ---- a centre, two enumerators, households in two communes

S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "publish: $(cat "$LOGDIR/publish.out")"
start_syncd "$SYNCD" "$SDB" || finish
T1=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
T2=$(token_of "$SYNCD" "$SDB" enum2 enumerator)
for u in "sup_04012 supervisor 04012" "sup_04045 supervisor 04045" "stat statistician" "boss admin"; do
    set -- $u
    [ -n "$(token_of "$SYNCD" "$SDB" "$@")" ] || not_ok "user $1"
done
for i in 1 2; do
    T=$T1
    [ $i = 2 ] && T=$T2
    C $i setup --enumerator "Điều tra viên $i" >/dev/null || not_ok "setup $i"
    C $i enroll "$URL/" "$T" >"$LOGDIR/enroll$i.out" 2>&1 || not_ok "enroll $i: $(cat "$LOGDIR/enroll$i.out")"
    C $i form install "$FORM" >/dev/null 2>&1 || not_ok "install the form on $i"
done
# laptop 1: households 1-3 of Bản Áng (04012) and one of Mường Lạn (04045); laptop 2: household
# 1 of Bản Áng again (a possible duplicate)
{
    echo "[$(household household_4members 1), $(household household_4members 2),"
    echo " $(household household_4members 3), $(household single_member 3)]"
} >"$LOGDIR/hh1.json"
echo "[$(household household_4members 1)]" >"$LOGDIR/hh2.json"
for i in 1 2; do
    C $i import "$LOGDIR/hh$i.json" >"$LOGDIR/import$i.out" 2>&1 || not_ok "import $i: $(cat "$LOGDIR/import$i.out")"
    C $i sync >"$LOGDIR/sync$i.out" 2>&1 || not_ok "sync $i: $(cat "$LOGDIR/sync$i.out")"
done
same "five cases at the centre" "$(q "$SDB" "SELECT count(*) FROM cases")" 5
C1=$(q "$SDB" "SELECT case_id FROM cases WHERE household_key = '04012|Bản Áng|2'")
C3=$(q "$SDB" "SELECT case_id FROM cases WHERE household_key = '04012|Bản Áng|3'")
CX=$(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '04045'")
DUP=$(q "$SDB" "SELECT case_id FROM cases WHERE household_key = '04012|Bản Áng|1' AND enumerator = 'enum1'")

# ---- roles against pages and actions

for who in sup_04012 sup_04045 stat boss; do signin $who; done
same "enumerator: no list" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" "$URL/cases")" 403
same "enumerator: no case, not even their own" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" "$URL/cases/$C1")" 403
same "enumerator: no decision" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T1" -H "Origin: $URL" -d decision=approve "$URL/cases/$C1/decide")" 403
same "no session: the list sends to sign-in" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/cases")" "303 $URL/signin"

same "supervisor: the list" "$(page sup_04012 /cases)" 200
has "the list counts the commune's four" "$LOGDIR/page.html" "1–4 / 4"
has "a household of the commune is listed" "$LOGDIR/page.html" "04012|Bản Áng|2"
hasnt "another commune's is not" "$LOGDIR/page.html" "04045|"
same "supervisor: their case" "$(page sup_04012 "/cases/$C1")" 200
has "the answers by question" "$LOGDIR/page.html" "Họ và tên người trả lời"
has "the roster as a table" "$LOGDIR/page.html" "class=\"answers roster\""
has "a decision form carries the session's token" "$LOGDIR/page.html" "name=\"csrf\" value=\""
same "supervisor: another commune's case is not found" "$(page sup_04012 "/cases/$CX")" 404
page sup_04012 "/cases/$C1" >/dev/null
CSRF=$(field "$LOGDIR/page.html" csrf)
HEADX=$(q "$SDB" "SELECT head_rev FROM cases WHERE case_id = '$CX'")
same "supervisor: deciding on it is not found either" "$(curl -s -o /dev/null -w '%{http_code}' -b "$LOGDIR/sup_04012.jar" -H "Origin: $URL" -d "csrf=$CSRF" -d "head=$HEADX" -d decisions=0 -d decision=approve "$URL/cases/$CX/decide")" 404
same "and nothing was recorded" "$(decisions_of "$CX")" 0
same "the other commune's supervisor sees it" "$(page sup_04045 "/cases/$CX")" 200

same "statistician: the list" "$(page stat /cases)" 200
has "every commune" "$LOGDIR/page.html" "1–5 / 5"
same "statistician: a case" "$(page stat "/cases/$CX")" 200
hasnt "without decision forms" "$LOGDIR/page.html" "id=\"approve\""
same "statistician: deciding is refused" "$(decide stat "$CX" -d decision=approve)" 403
same "and nothing was recorded" "$(decisions_of "$CX")" 0
same "admin: every case" "$(page boss "/cases/$CX")" 200
has "with decision forms" "$LOGDIR/page.html" "id=\"approve\""

# ---- the list's filters and pages

page sup_04012 "/cases?flag=duplicate" >/dev/null
has "the duplicate filter: the pair" "$LOGDIR/page.html" "1–2 / 2"
page sup_04012 "/cases?sort=household&order=asc&limit=1" >/dev/null
has "a page of one" "$LOGDIR/page.html" "1–1 / 4"
has "with the next page's link" "$LOGDIR/page.html" "offset=1\">Trang sau"
page sup_04012 "/cases?village=B%E1%BA%A3n%20%C3%81ng&status=finalized" >/dev/null
has "village and state" "$LOGDIR/page.html" "1–4 / 4"
same "a wrong state is a 400" "$(page sup_04012 "/cases?status=lost")" 400
same "a wrong day is a 400" "$(page sup_04012 "/cases?from=7/12/2026")" 400

# ---- decisions: token, origin, comment, moved since; each refusal changes nothing

HEAD1=$(q "$SDB" "SELECT head_rev FROM cases WHERE case_id = '$C1'")

same "without the token: refused" "$(curl -s -o /dev/null -w '%{http_code}' -b "$LOGDIR/sup_04012.jar" -H "Origin: $URL" -d decision=approve -d head=x -d decisions=0 "$URL/cases/$C1/decide")" 403
page sup_04045 "/cases/$CX" >/dev/null
OTHER=$(field "$LOGDIR/page.html" csrf)
same "another session's token: refused" "$(curl -s -o /dev/null -w '%{http_code}' -b "$LOGDIR/sup_04012.jar" -H "Origin: $URL" -d "csrf=$OTHER" -d "head=$HEAD1" -d decisions=0 -d decision=approve "$URL/cases/$C1/decide")" 403
same "from another site: refused" "$(curl -s -o /dev/null -w '%{http_code}' -b "$LOGDIR/sup_04012.jar" -H "Origin: http://evil.example" -d decision=approve "$URL/cases/$C1/decide")" 403
same "a send-back without a comment: refused" "$(decide sup_04012 "$C1" -d decision=reject)" 400
has "saying what is missing" "$LOGDIR/post.html" "Hãy viết lời nhắn"
same "nothing was recorded" "$(decisions_of "$C1")" 0
same "sent back with a comment" "$(decide sup_04012 "$C1" -d decision=reject --data-urlencode "comment=Hỏi lại tuổi chủ hộ")" 303
same "recorded with who" "$(q "$SDB" "SELECT decision || ' ' || by_user || ' ' || comment FROM decisions WHERE case_id = '$C1'")" "rejected sup_04012 Hỏi lại tuổi chủ hộ"
# a page drawn before that decision: its approve is refused
same "a page drawn before: refused" "$(curl -s -o "$LOGDIR/post.html" -w '%{http_code}' -b "$LOGDIR/sup_04012.jar" -H "Origin: $URL" --data-urlencode "csrf=$(field "$LOGDIR/page.html" csrf)" -d "head=$HEAD1" -d decisions=0 -d decision=approve "$URL/cases/$C1/decide")" 409
has "saying the case changed" "$LOGDIR/post.html" "Phiếu đã thay đổi"
same "and nothing more was recorded" "$(decisions_of "$C1")" 1
same "the page says it was sent back" "$(page sup_04012 "/cases/$C1?done=rejected")" 200
has "the message" "$LOGDIR/page.html" "Đã trả lại"
has "the decisions so far" "$LOGDIR/page.html" "Hỏi lại tuổi chủ hộ"

# the comment reaches the enumerator's laptop
C 1 sync >"$LOGDIR/sync1b.out" 2>&1 || not_ok "sync 1 after the send-back: $(cat "$LOGDIR/sync1b.out")"
has "the sync says it was sent back, with the comment" "$LOGDIR/sync1b.out" "Hỏi lại tuổi chủ hộ"
C 1 status >"$LOGDIR/status1.out" 2>&1
has "collector status shows the comment" "$LOGDIR/status1.out" "Hỏi lại tuổi chủ hộ"
same "the laptop's case is sent back" "$(q "$LOGDIR/c1.db" "SELECT status FROM cases WHERE case_id = '$C1'")" rejected

# a possible duplicate: side by side, then "not a duplicate"
same "the duplicate's page" "$(page sup_04012 "/cases/$DUP")" 200
has "its twin beside it" "$LOGDIR/page.html" "Phiếu kia · The other"
same "not a duplicate" "$(decide sup_04012 "$DUP" -d decision=distinct --data-urlencode "comment=Hai hộ khác nhau")" 303
same "neither is flagged now" "$(q "$SDB" "SELECT sum(duplicate) FROM cases WHERE household_key = '04012|Bản Áng|1'")" 0
same "recorded, not sent to the laptop" "$(q "$SDB" "SELECT d.decision || ' ' || (SELECT count(*) FROM changes WHERE kind = 'decision' AND ref = d.seq) FROM decisions d WHERE case_id = '$DUP'")" "distinct 0"
same "admin: deciding on any commune's case" "$(decide boss "$CX" -d decision=reject --data-urlencode "comment=Kiểm tra lại")" 303
same "recorded as the admin's" "$(q "$SDB" "SELECT decision || ' ' || by_user FROM decisions WHERE case_id = '$CX'")" "rejected boss"
same "approving another" "$(decide sup_04012 "$C3" -d decision=approve)" 303
same "approved" "$(q "$SDB" "SELECT status FROM cases WHERE case_id = '$C3'")" approved

# statisticians decide when the config says so
printf 'review_statisticians = yes\n' >"$LOGDIR/stat.conf"
OLDPORT=$PORT
stop_syncd
serve serve "$SYNCD" serve --db "$SDB" --listen "127.0.0.1:$OLDPORT" --config "$LOGDIR/stat.conf" || finish
signin stat
same "statistician with review_statisticians = yes" "$(decide stat "$CX" -d decision=approve)" 303
same "recorded as theirs" "$(q "$SDB" "SELECT by_user FROM decisions WHERE case_id = '$CX' ORDER BY seq DESC LIMIT 1")" stat

# ---- a conflict made by two laptops, resolved on the page; the loser receives the winner

q "$LOGDIR/c1.db" ".backup '$LOGDIR/c3.db'"
q "$LOGDIR/c3.db" "UPDATE meta SET value = lower(hex(randomblob(4))) || '-0000-4000-8000-' || lower(hex(randomblob(6))) WHERE key = 'device_id'"
edit() { # N CASE NAME: laptop N changes the respondent's name
    printf ':j resp_name\n%s\n:f\nc\n' "$3" | C "$1" edit "$2" >"$LOGDIR/edit.out" 2>&1
    grep -q "Đã hoàn thành và lưu phỏng vấn" "$LOGDIR/edit.out" || not_ok "edit on $1: $(tail -5 "$LOGDIR/edit.out")"
}
edit 1 "$C3" "Sửa Trên Máy Một"
edit 3 "$C3" "Sửa Trên Máy Ba"
WIN=$(q "$LOGDIR/c3.db" "SELECT head_rev FROM cases WHERE case_id = '$C3'")
C 1 sync >/dev/null 2>&1
C 3 sync >"$LOGDIR/sync3.out" 2>&1
same "a conflict at the centre" "$(q "$SDB" "SELECT conflict FROM cases WHERE case_id = '$C3'")" 1
page sup_04012 "/cases?status=conflict" >/dev/null
has "listed under conflicts" "$LOGDIR/page.html" "1–1 / 1"
same "the case page" "$(page sup_04012 "/cases/$C3")" 200
has "the two branches side by side" "$LOGDIR/page.html" "Sửa Trên Máy Ba"
has "beside each other" "$LOGDIR/page.html" "Sửa Trên Máy Một"
hasnt "no approve while in conflict" "$LOGDIR/page.html" "id=\"approve\""
same "keep laptop 3's" "$(decide sup_04012 "$C3" -d decision=resolve -d "rev_id=$WIN")" 303
same "the conflict is over, laptop 3's is the head" "$(q "$SDB" "SELECT conflict || ' ' || head_rev FROM cases WHERE case_id = '$C3'")" "0 $WIN"
C 1 sync >"$LOGDIR/sync1c.out" 2>&1 || not_ok "sync 1 after the resolve: $(cat "$LOGDIR/sync1c.out")"
same "laptop 1, whose branch lost, holds the winner" "$(cq "$LOGDIR/c1.db" "SELECT head_rev || ' ' || json_extract(dt_open(answers), '\$.resp_name') FROM cases WHERE case_id = '$C3'")" "$WIN Sửa Trên Máy Ba"

finish
