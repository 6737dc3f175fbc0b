#!/bin/bash
# indicators.sh - `syncd indicators` and GET /api/v1/indicators on a store built through the real
# path (two laptops import households and refusals and sync to a real syncd on 127.0.0.1, a
# supervisor approves some): every figure is checked against values computed here
# independently (sqlite3 over the head revisions' raw answers, the Wilson interval and the
# Taylor-linearization variance in awk); refusals are reported; --status all and approved
# differ as they must; former-district and commune groups add up to the province; with a sample
# frame the estimates are weighted with design-based intervals. The store holds both versions of
# the form: version 1 cases (former communes, a few split, two refusals with codes in no table)
# synced before version 2 (the units of 1 July 2025) was published, then version 2 cases; every
# case is placed in a unit of today as computed here from schema/geography/sonla_2025.csv, and
# the cases that cannot be placed are listed by id.
# usage: indicators.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"

need sqlite3 curl awk

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
check() { # NAME COMMAND...
    local name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
# close NAME GOT WANT: numbers equal within 1e-6 (relative to the larger, at least 1)
close() {
    if awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a);
            if ((b < 0 ? -b : b) > m) m = (b < 0 ? -b : b); if (m < 1) m = 1;
            exit !(a != "" && b != "" && d <= 1e-6 * m) }'; then ok
    else not_ok "$1: got '$2', want '$3'"; fi
}
# j FILE PATH: a value of a JSON file
j() { q :memory: "SELECT json_extract(readfile('$1'), '$2')"; }
ngroups() { q :memory: "SELECT json_array_length(readfile('$1'), '\$.groups')"; }
# refusal N HH: an answers file with one refusal (consent = 2) in district 118
refusal() {
    printf '[{"form_id":"sonla_ict_household","form_version":1,"answers":{"district":118,"commune_code":"18%03d","commune_name":"Xã Từ Chối %d","village":"Bản Pá","hh_number":%d,"resp_name":"Lò Văn Từ","consent":2}}]\n' \
        "$1" "$1" "$2"
}

# ---- the store: two laptops sync through a real server

S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "form publish: $(cat "$LOGDIR/publish.out")"
start_syncd "$SYNCD" "$SDB" || finish

for i in 1 2; do
    T=$(token_of "$SYNCD" "$SDB" "enum$i" enumerator)
    [ -n "$T" ] || { not_ok "no token for enum$i"; finish; }
    C $i setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Điều tra viên $i" >/dev/null || not_ok "setup $i"
    C $i enroll "$URL/" "$T" >"$LOGDIR/enroll$i.out" 2>&1 || not_ok "enroll $i: $(cat "$LOGDIR/enroll$i.out")"
    "$GEN" 40 $((300 + i)) >"$LOGDIR/hh$i.json"
    refusal "$i" 9000 >"$LOGDIR/ref$i.json"
    C $i import "$LOGDIR/hh$i.json" >"$LOGDIR/import$i.out" 2>&1 || not_ok "import $i: $(tail -3 "$LOGDIR/import$i.out")"
    C $i import "$LOGDIR/ref$i.json" >>"$LOGDIR/import$i.out" 2>&1 || not_ok "import refusal $i: $(tail -3 "$LOGDIR/import$i.out")"
    C $i sync >"$LOGDIR/sync$i.out" 2>&1 || not_ok "sync $i: $(cat "$LOGDIR/sync$i.out")"
done
same "82 cases at the centre" "$(q "$SDB" "SELECT count(*) FROM cases")" 82

# Cases in an order that does not depend on their random ids (so that the same households are
# approved, left without a weight or alone in a stratum on every run)
BY_HH="(SELECT json_extract(r.answers, '\$.hh_number') FROM revisions r WHERE r.rev_id = cases.head_rev), enumerator"

# A supervisor approves laptop 1's cases (its refusal too) and 10 of laptop 2's; rejects one.
for c in $(q "$SDB" "SELECT case_id FROM cases WHERE enumerator = 'enum1' ORDER BY case_id"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done
for c in $(q "$SDB" "SELECT case_id FROM cases WHERE enumerator = 'enum2' AND outcome <> 'refusal' ORDER BY $BY_HH LIMIT 10"); do
    S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"
done
REJ=$(q "$SDB" "SELECT case_id FROM cases WHERE enumerator = 'enum2' AND status = 'finalized' AND outcome <> 'refusal' ORDER BY $BY_HH LIMIT 1")
S review reject "$REJ" --comment "Kiểm tra lại số thành viên" >/dev/null 2>&1 || not_ok "reject"
same "51 approved" "$(q "$SDB" "SELECT count(*) FROM cases WHERE status = 'approved'")" 51

# ---- the reform: version 2 is published; laptop 1 takes 20 households in the units of today,
# laptop 2 two more on version 1: one in Xã Chiềng Hắc (04012, split in 2025) in a village the
# frame puts in Phường Mộc Châu (03980), one in Xã Mường Bằng (04111, split too) in a village no
# frame names.
S form publish "$FORM2" >"$LOGDIR/publish2.out" 2>&1 || not_ok "publish v2: $(cat "$LOGDIR/publish2.out")"
printf 'assignment_id,enumerator,commune,village,hh_number\nMC-1,enum2,3980,Bản Khau Phạ,1\nCH-1,enum2,4078,Bản Nà Hiềng,1\n' >"$LOGDIR/frame2.csv"
S assign import "$LOGDIR/frame2.csv" >"$LOGDIR/assign2.out" 2>&1 || not_ok "assign import v2: $(cat "$LOGDIR/assign2.out")"
printf 'assignment_id,enumerator,commune,village,hh_number\nOLD-1,enum2,4012,Bản Áng,1\n' >"$LOGDIR/retired.csv"
S assign import "$LOGDIR/retired.csv" >"$LOGDIR/retired.out" 2>&1
same "a frame with a retired code is refused (exit 1)" "$?" 1
grep -qF "line 2: commune: 04012 Xã Chiềng Hắc is a former unit, not one of today: it was split between 03980 Phường Mộc Châu and 04078 Xã Chiềng Hặc" "$LOGDIR/retired.out" &&
    ok || not_ok "the refusal names the units of today: $(cat "$LOGDIR/retired.out")"
same "nothing of it is stored" "$(q "$SDB" "SELECT count(*) FROM assignments WHERE assignment_id = 'OLD-1'")" 0
C 1 sync >"$LOGDIR/sync1b.out" 2>&1 || not_ok "sync 1 after v2: $(cat "$LOGDIR/sync1b.out")"
"$GEN" 20 401 2 >"$LOGDIR/hh1v2.json"
C 1 import "$LOGDIR/hh1v2.json" >"$LOGDIR/import1b.out" 2>&1 || not_ok "import v2: $(tail -3 "$LOGDIR/import1b.out")"
"$GEN" 2 777 1 >"$LOGDIR/split.json"
q :memory: "SELECT json_set(readfile('$LOGDIR/split.json'),
  '\$[0].answers.commune_code', '04012', '\$[0].answers.village', 'Bản Khau Phạ',
  '\$[1].answers.commune_code', '04111', '\$[1].answers.village', 'Bản Không Có')" >"$LOGDIR/split2.json"
C 2 import "$LOGDIR/split2.json" >"$LOGDIR/import2b.out" 2>&1 || not_ok "import split: $(tail -3 "$LOGDIR/import2b.out")"
for i in 1 2; do
    C $i sync >>"$LOGDIR/sync$i.out" 2>&1 || not_ok "sync $i: $(tail -3 "$LOGDIR/sync$i.out")"
done
same "104 cases at the centre, 20 on version 2" \
    "$(q "$SDB" "SELECT count(*) || ' ' || sum(r.form_version = 2) FROM cases c JOIN revisions r ON r.rev_id = c.head_rev")" "104 20"

# Where each case lies today, computed here: the table's predecessors exploded in SQL, version 2
# codes as answered, a split former commune through the frame's villages.
geo_db "$GEO" || not_ok "the table of units in sqlite3"
same "the crosswalk: 200 former units into 75" \
    "$(q "$GEO" "SELECT count(DISTINCT old_code) || ' ' || count(DISTINCT new_code) FROM pred")" "200 75"
# g SQL: runs SQL with the store attached (read only) and a view 'placed' (case_id, version,
# outcome, unit, dists) over every case
g() {
    q "$GEO" "ATTACH 'file:$SDB?mode=ro' AS s;
CREATE TEMP VIEW k AS SELECT c.case_id, r.form_version v, c.outcome, json_extract(r.answers, '\$.commune') cm,
  json_extract(r.answers, '\$.commune_code') cc, json_extract(r.answers, '\$.village') vil
  FROM s.cases c JOIN s.revisions r ON r.rev_id = c.head_rev;
CREATE TEMP VIEW placed AS SELECT case_id, v AS version, outcome, u AS unit, (SELECT dists FROM geo WHERE new_code = u) AS dists
FROM (SELECT case_id, v, outcome, CASE WHEN v = 2 THEN (SELECT new_code FROM geo WHERE new_code = printf('%05d', cm))
  ELSE coalesce((SELECT new_code FROM pred WHERE old_code = cc AND partial = 0),
    (SELECT CASE WHEN count(DISTINCT a.commune_code) = 1 THEN max(a.commune_code) END FROM s.assignments a
     JOIN pred p ON p.new_code = a.commune_code AND p.old_code = cc AND p.partial = 1
     WHERE json_extract(a.prefill, '\$.village') = vil)) END AS u FROM k);
$1"
}
same "the split case in the frame's village is in Phường Mộc Châu" \
    "$(g "SELECT unit FROM placed JOIN k USING (case_id) WHERE k.cc = '04012' AND k.vil = 'Bản Khau Phạ'")" 03980

# ---- the expected figures, from the raw answers of the head revisions

# expected WHERE: "households refusals t1 t2 t3 t4n t4d t5n t5d" over the cases chosen
expected() {
    q -separator ' ' "$SDB" "
WITH h AS (SELECT c.outcome, r.answers a FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
           WHERE $1),
     ok AS (SELECT a FROM h WHERE outcome <> 'refusal'),
     m AS (SELECT m.value v FROM ok, json_each(ok.a, '\$.members') m)
SELECT (SELECT count(*) FROM ok), (SELECT count(*) FROM h WHERE outcome = 'refusal'),
  (SELECT total(json_extract(a, '\$.fixed_bb') = 1) FROM ok),
  (SELECT total(json_extract(a, '\$.signal') IN (4, 5)) FROM ok),
  (SELECT total(json_extract(a, '\$.n_smartphones') >= 1) FROM ok),
  (SELECT total(json_extract(v, '\$.m_age') >= 15 AND EXISTS (SELECT 1 FROM json_each(v, '\$.m_epay') e
                                                              WHERE e.value IN (1, 2, 3))) FROM m),
  (SELECT total(json_extract(v, '\$.m_age') >= 15) FROM m),
  (SELECT total(json_extract(v, '\$.m_age') >= 5 AND json_extract(v, '\$.m_internet') = 1) FROM m),
  (SELECT total(json_extract(v, '\$.m_age') >= 5) FROM m)"
}
wilson() { # K N: "estimate low high" in %, the 95% Wilson interval
    awk -v k="$1" -v n="$2" 'BEGIN { z = 1.96; p = k / n; d = 1 + z * z / n;
        c = (p + z * z / (2 * n)) / d; h = z / d * sqrt(p * (1 - p) / n + z * z / (4 * n * n));
        lo = c - h; hi = c + h; if (lo < 0) lo = 0; if (hi > 1) hi = 1;
        printf "%.12f %.12f %.12f\n", 100 * p, 100 * lo, 100 * hi }'
}
# check_unweighted FILE WHERE GROUP: the province figures of FILE against expected WHERE
check_unweighted() {
    local f=$1 e
    read -r HH REF T1 T2 T3 T4N T4D T5N T5D <<<"$(expected "$2")"
    local g='$.groups[0]'
    same "$3: households" "$(j "$f" "$g.households")" "$HH"
    same "$3: refusals" "$(j "$f" "$g.refusals")" "$REF"
    same "$3: refusals (report)" "$(j "$f" '$.refusals')" "$REF"
    local k=0
    for nd in "$T1 $HH" "$T2 $HH" "$T3 $HH" "$T4N $T4D" "$T5N $T5D"; do
        read -r n d <<<"$nd"
        local i="$g.indicators[$k]"
        close "$3: T$((k + 1)) numerator" "$(j "$f" "$i.numerator")" "$n"
        close "$3: T$((k + 1)) denominator" "$(j "$f" "$i.denominator")" "$d"
        close "$3: T$((k + 1)) n_units" "$(j "$f" "$i.n_units")" "$d"
        read -r est lo hi <<<"$(wilson "$n" "$d")"
        close "$3: T$((k + 1)) estimate" "$(j "$f" "$i.estimate")" "$est"
        close "$3: T$((k + 1)) ci_low" "$(j "$f" "$i.ci_low")" "$lo"
        close "$3: T$((k + 1)) ci_high" "$(j "$f" "$i.ci_high")" "$hi"
        e=$(j "$f" "$i.target")
        close "$3: T$((k + 1)) gap" "$(j "$f" "$i.gap")" "$(awk -v t="$e" -v x="$est" 'BEGIN { printf "%.12f", t - x }')"
        same "$3: T$((k + 1)) method" "$(j "$f" "$i.ci_method")" binomial
        k=$((k + 1))
    done
}

# ---- unweighted, approved (the default) and all

S indicators --format json >"$LOGDIR/appr.json" 2>"$LOGDIR/appr.err" || not_ok "indicators: $(cat "$LOGDIR/appr.err")"
check_unweighted "$LOGDIR/appr.json" "c.status = 'approved'" approved
same "status approved by default" "$(j "$LOGDIR/appr.json" '$.status')" approved
same "unweighted" "$(j "$LOGDIR/appr.json" '$.weighted')" 0
same "binomial" "$(j "$LOGDIR/appr.json" '$.ci_method')" binomial
same "one province group" "$(j "$LOGDIR/appr.json" '$.groups[0].key')|$(ngroups "$LOGDIR/appr.json")" "|1"
REF_APPR=$(q "$SDB" "SELECT count(*) FROM cases WHERE status = 'approved' AND outcome = 'refusal'")
REF_ALL=$(q "$SDB" "SELECT count(*) FROM cases WHERE outcome = 'refusal'")
check "laptop 1's refusal is approved" [ "$REF_APPR" -ge 1 ]
same "approved: refusals" "$(j "$LOGDIR/appr.json" '$.refusals')" "$REF_APPR"
same "T6 is out of scope" \
    "$(j "$LOGDIR/appr.json" '$.groups[0].indicators[5].measurable')|$(j "$LOGDIR/appr.json" '$.groups[0].indicators[5].estimate')|$(j "$LOGDIR/appr.json" '$.groups[0].indicators[5].note')" \
    "0||not measurable from a household survey (out of scope)"
same "T5 target" "$(j "$LOGDIR/appr.json" '$.groups[0].indicators[4].target')" 48.56

S indicators --format json --status all >"$LOGDIR/all.json" 2>&1 || not_ok "indicators --status all"
check_unweighted "$LOGDIR/all.json" "1" all
same "all: every refusal" "$(j "$LOGDIR/all.json" '$.refusals')" "$REF_ALL"
check "all has more refusals than approved" [ "$REF_ALL" -gt "$REF_APPR" ]
same "all - approved = the 53 cases not approved (one rejected)" \
    "$(($(j "$LOGDIR/all.json" '$.cases') - $(j "$LOGDIR/appr.json" '$.cases')))" 53
same "all: every case" "$(j "$LOGDIR/all.json" '$.cases')" 104
same "units of today" "$(j "$LOGDIR/all.json" '$.units')" sonla_2025
same "placed: as recorded (version 2), mapped, by the frame, ambiguous, unknown" \
    "$(j "$LOGDIR/all.json" '$.placed.as_recorded') $(j "$LOGDIR/all.json" '$.placed.mapped') $(j "$LOGDIR/all.json" '$.placed.by_frame') $(j "$LOGDIR/all.json" '$.placed.ambiguous') $(j "$LOGDIR/all.json" '$.placed.unknown')" \
    "$(g "SELECT sum(version = 2), sum(version = 1 AND unit IS NOT NULL) - sum(unit = '03980' AND version = 1 AND case_id IN (SELECT case_id FROM k WHERE cc = '04012')),
  sum(unit = '03980' AND version = 1 AND case_id IN (SELECT case_id FROM k WHERE cc = '04012')),
  sum(unit IS NULL AND case_id IN (SELECT case_id FROM k JOIN pred ON old_code = cc)), sum(unit IS NULL AND case_id NOT IN (SELECT case_id FROM k JOIN pred ON old_code = cc)) FROM placed" | tr '|' ' ')"
same "every case not placed is listed by id, how and code" \
    "$(q :memory: "SELECT group_concat(x, ' ') FROM (SELECT json_extract(value, '\$.case_id') || ':' || json_extract(value, '\$.how') || ':' || json_extract(value, '\$.recorded') x
       FROM json_each(readfile('$LOGDIR/all.json'), '\$.unplaced') ORDER BY 1)")" \
    "$(g "SELECT group_concat(x, ' ') FROM (SELECT case_id || ':' || CASE WHEN EXISTS (SELECT 1 FROM pred WHERE old_code = k.cc) THEN 'ambiguous' ELSE 'unknown' END || ':' || k.cc x
       FROM placed JOIN k USING (case_id) WHERE unit IS NULL ORDER BY 1)")"
same "the ambiguous case names its two candidates" \
    "$(q :memory: "SELECT json_extract(value, '\$.candidates') FROM json_each(readfile('$LOGDIR/all.json'), '\$.unplaced') WHERE json_extract(value, '\$.recorded') = '04111' LIMIT 1")" \
    "03943 Xã Mường Bang; 04123 Xã Chiềng Mung"

# ---- exports over the same store: each case with its version, its geography as recorded and
# in the units of today, as computed here
S export --format csv --status all --out "$LOGDIR/exp" >"$LOGDIR/export.out" 2>&1 || not_ok "export csv: $(cat "$LOGDIR/export.out")"
q "$LOGDIR/exp.db" ".import --csv $LOGDIR/exp/households.csv h" ".import --csv $LOGDIR/exp/codebook.csv cb" ||
    not_ok "the export's files in sqlite3"
# e SQL: SQL over the placed view with the exported households (h) and codebook (cb) attached
e() { g "ATTACH '$LOGDIR/exp.db' AS x; $1"; }
same "every case is exported with its version" \
    "$(e "SELECT count(*) FROM x.h JOIN placed p USING (case_id) WHERE h.form_version = p.version")" 104
same "the area as recorded: version 1's former commune, version 2's unit" \
    "$(e "SELECT count(*) FROM x.h JOIN k USING (case_id) WHERE h.area_recorded = CASE WHEN k.v = 2 THEN printf('%05d', k.cm) ELSE k.cc END")" 104
same "the name as recorded is the table's (the former unit's then)" \
    "$(e "SELECT count(*) FROM x.h JOIN k USING (case_id) WHERE h.area_recorded_name = coalesce((SELECT new_name FROM geo WHERE new_code = h.area_recorded AND k.v = 2),
       (SELECT old_name FROM pred WHERE old_code = k.cc AND k.v = 1 LIMIT 1), '')")" 104
same "the unit of today, its choice code and its former districts" \
    "$(e "SELECT count(*) FROM x.h JOIN placed p USING (case_id) WHERE h.unit_today_code = coalesce(p.unit, '')
       AND h.unit_today = coalesce(CAST(p.unit AS INTEGER), '') AND h.former_districts = coalesce(p.dists, '')")" 104
same "how each case was placed" \
    "$(e "SELECT group_concat(placement || ':' || n, ' ') FROM (SELECT placement, count(*) n FROM x.h GROUP BY 1 ORDER BY 1)")" \
    "$(e "SELECT group_concat(how || ':' || n, ' ') FROM (SELECT how, count(*) n FROM (SELECT CASE
       WHEN p.version = 2 THEN CASE WHEN p.unit IS NULL THEN 'unknown' ELSE 'as_recorded' END
       WHEN p.unit IS NULL THEN CASE WHEN EXISTS (SELECT 1 FROM pred WHERE old_code = k.cc) THEN 'ambiguous' ELSE 'unknown' END
       WHEN EXISTS (SELECT 1 FROM pred WHERE old_code = k.cc AND partial = 0) THEN 'mapped' ELSE 'by_frame' END how
       FROM placed p JOIN k USING (case_id)) GROUP BY 1 ORDER BY 1)")"
same "an ambiguous case lists the units it may be in" \
    "$(e "SELECT placement_candidates FROM x.h JOIN k USING (case_id) WHERE k.cc = '04111' AND h.placement = 'ambiguous'")" \
    "$(g "SELECT group_concat(new_code, ' ') FROM (SELECT new_code FROM pred WHERE old_code = '04111' ORDER BY 1)")"
same "version 1's own questions are gone from version 2's columns" \
    "$(e "SELECT count(*) FROM x.cb WHERE variable IN ('district', 'commune_code', 'commune_name')")" 0
e "SELECT value_labels FROM x.cb WHERE variable = 'unit_today'" | grep -qF "3980=Phường Mộc Châu" &&
    ok || not_ok "unit_today has the units' names as value labels"
grep -qF "Units of today (sonla_2025): $(e "SELECT sum(placement = 'as_recorded') || ' cases recorded in them, ' || sum(placement = 'mapped') || ' placed from a former unit, ' ||
    sum(placement = 'by_frame') || ' by the frame''s village; ' || sum(placement = 'ambiguous') || ' ambiguous, ' || sum(placement = 'unknown') || ' unknown.' FROM x.h")" \
    "$LOGDIR/export.out" && ok || not_ok "the export says how it placed the cases: $(cat "$LOGDIR/export.out")"
S export --format json --status all --out "$LOGDIR/expj" >"$LOGDIR/exportj.out" 2>&1 || not_ok "export json: $(cat "$LOGDIR/exportj.out")"
same "JSON: the split case in the frame's village" \
    "$(q :memory: "SELECT json_extract(value, '\$.place.how') || ' ' || json_extract(value, '\$.place.unit') || ' ' || json_extract(value, '\$.place.recorded_name')
       FROM json_each('[' || replace(trim(readfile('$LOGDIR/expj/households.jsonl'), char(10)), char(10), ',') || ']')
       WHERE json_extract(value, '\$.place.recorded') = '04012' AND json_extract(value, '\$.answers.village') = 'Bản Khau Phạ'")" \
    "by_frame 03980 Xã Chiềng Hắc"

# ---- groups add up

for level in former-district commune; do
    S indicators --format json --status all --by $level >"$LOGDIR/$level.json" 2>&1 || not_ok "--by $level"
    f=$LOGDIR/$level.json
    sum() { # FIELD of the groups / of indicator CODE
        if [ $# = 1 ]; then
            q :memory: "SELECT total(json_extract(g.value, '\$.$1')) FROM json_each(readfile('$f'), '\$.groups') g"
        else
            q :memory: "SELECT total(json_extract(i.value, '\$.$2')) FROM json_each(readfile('$f'), '\$.groups') g,
                        json_each(g.value, '\$.indicators') i WHERE json_extract(i.value, '\$.code') = '$1'"
        fi
    }
    for field in households refusals persons cases; do
        close "$level groups: $field add up" "$(sum $field)" "$(j "$LOGDIR/all.json" "\$.groups[0].$field")"
    done
    for k in 0 1 2 3 4; do
        for field in numerator denominator; do
            close "$level groups: T$((k + 1)) $field adds up" "$(sum "T$((k + 1))" $field)" \
                "$(j "$LOGDIR/all.json" "\$.groups[0].indicators[$k].$field")"
        done
    done
done
same "one group per unit of today, and one of the cases not placed" \
    "$(q :memory: "SELECT group_concat(k || ':' || n, ' ') FROM (SELECT json_extract(value, '\$.key') k, json_extract(value, '\$.cases') n FROM json_each(readfile('$LOGDIR/commune.json'), '\$.groups') ORDER BY 1)")" \
    "$(g "SELECT group_concat(k || ':' || n, ' ') FROM (SELECT coalesce(unit, 'unplaced') k, count(*) n FROM placed GROUP BY 1 ORDER BY 1)")"
same "units are named as version 2 names them, with their former districts" "$(q :memory: "
SELECT count(*) FROM json_each(readfile('$LOGDIR/commune.json'), '\$.groups') g
WHERE json_extract(g.value, '\$.key') <> 'unplaced' AND (json_extract(g.value, '\$.name') || '|' || json_extract(g.value, '\$.name_en') || '|' || json_extract(g.value, '\$.former_districts')) IS NOT (
  SELECT json_extract(c.value, '\$.label.vi') || '|' || json_extract(c.value, '\$.label.en') || '|' || json_extract(c.value, '\$.former_districts')
  FROM json_each(readfile('$FORM2'), '\$.choices.commune_2025') c
  WHERE json_extract(c.value, '\$.unit_code') = json_extract(g.value, '\$.key'))")" 0
same "one group per former district (a unit made from two is a group of its own)" \
    "$(q :memory: "SELECT group_concat(k || ':' || n, ' ') FROM (SELECT json_extract(value, '\$.key') k, json_extract(value, '\$.cases') n FROM json_each(readfile('$LOGDIR/former-district.json'), '\$.groups') ORDER BY 1)")" \
    "$(g "SELECT group_concat(k || ':' || n, ' ') FROM (SELECT coalesce(dists, 'unplaced') k, count(*) n FROM placed GROUP BY 1 ORDER BY 1)")"
same "former districts are named from the table" \
    "$(q :memory: "SELECT json_extract(value, '\$.name') || ' / ' || json_extract(value, '\$.name_en') FROM json_each(readfile('$LOGDIR/former-district.json'), '\$.groups') WHERE json_extract(value, '\$.key') = '123'")" \
    "$(q "$GEO" "SELECT name_vi || ' / ' || name_en FROM above WHERE code = '123'")"
same "the refusals with codes in no table are in the group of the cases not placed" \
    "$(q :memory: "SELECT json_extract(g.value, '\$.refusals') FROM json_each(readfile('$LOGDIR/commune.json'), '\$.groups') g WHERE json_extract(g.value, '\$.key') = 'unplaced'")" \
    "$(g "SELECT count(*) FROM placed WHERE unit IS NULL AND outcome = 'refusal'")"
same "groups in code order" \
    "$(q :memory: "SELECT group_concat(json_extract(value, '\$.key')) FROM json_each(readfile('$LOGDIR/former-district.json'), '\$.groups')")" \
    "$(g "SELECT group_concat(d) FROM (SELECT DISTINCT coalesce(dists, 'unplaced') d FROM placed ORDER BY d GLOB '*[^0-9]*', length(d), d)")"
S indicators --by district --format json --status all >"$LOGDIR/district.json" 2>&1
same "--by district is read as --by former-district" "$(j "$LOGDIR/district.json" '$.level')" former-district

# ---- the table and CSV

S indicators >"$LOGDIR/table.out" 2>&1 || not_ok "indicators (table)"
for want in "T1 " "Hộ gia đình có băng rộng cố định — Households with fixed broadband" \
    "not measurable from a household survey (out of scope)" "Refusals (non-response, left out of every estimate): $REF_APPR of 51 cases" \
    "binomial, no design" "95% CI" "households"; do
    grep -qF -- "$want" "$LOGDIR/table.out" && ok || not_ok "table: missing '$want'"
done
T1=$(j "$LOGDIR/appr.json" '$.groups[0].indicators[0].estimate')
grep -qF "$(awk -v x="$T1" 'BEGIN { printf "%.1f%%", x }')" "$LOGDIR/table.out" && ok || not_ok "table: T1 estimate $T1"
S indicators --by former-district --status all --format csv >"$LOGDIR/district.csv" 2>"$LOGDIR/district.err" || not_ok "csv"
same "csv: a header and 6 rows per former district" "$(wc -l <"$LOGDIR/district.csv")" \
    "$((1 + 6 * $(ngroups "$LOGDIR/former-district.json")))"
same "csv: the cases not placed are listed on standard error" "$(grep -c '^  not placed: case ' "$LOGDIR/district.err")" \
    "$(q :memory: "SELECT json_array_length(readfile('$LOGDIR/all.json'), '\$.unplaced')")"
head -1 "$LOGDIR/district.csv" | grep -q "^level,key,name,code,label_vi,label_en,unit,target" && ok || not_ok "csv header"
S indicators --by village >"$LOGDIR/by_village.out" 2>&1
same "--by village (a text question, no categories named): exit 1" $? 1
grep -qF "village is a text: name its categories (--by village=A,B)" "$LOGDIR/by_village.out" && ok ||
    not_ok "--by village: $(cat "$LOGDIR/by_village.out")"
S indicators --by nosuch >"$LOGDIR/by_nosuch.out" 2>&1
same "--by nosuch: exit 1" $? 1
grep -qF "'nosuch' is not a question of sonla_ict_household, nor urban_rural" "$LOGDIR/by_nosuch.out" && ok ||
    not_ok "--by nosuch: $(cat "$LOGDIR/by_nosuch.out")"
S indicators --by commune --by province >/dev/null 2>&1
same "two levels: a usage error" $? 2
S indicators --status finalized >/dev/null 2>&1
same "--status finalized is a usage error" $? 2

# ---- over HTTP

STAT=$(token_of "$SYNCD" "$SDB" stat1 statistician)
SUP=$(token_of "$SYNCD" "$SDB" sup1 supervisor 18001)
ENUM=$(token_of "$SYNCD" "$SDB" enum3 enumerator)
get() { # TOKEN QUERY OUT: prints the status
    curl -s -o "$3" -w '%{http_code}' -H "Authorization: Bearer $1" "$URL/api/v1/indicators$2"
}
same "statistician: 200" "$(get "$STAT" "?by=former-district&status=all" "$LOGDIR/http.json")" 200
same "the same JSON as the command line" \
    "$(q :memory: "SELECT json(readfile('$LOGDIR/http.json')) = json(readfile('$LOGDIR/former-district.json'))")" 1
same "defaults: province, approved" "$(get "$SUP" "" "$LOGDIR/http2.json")" 200
same "supervisor gets the province, approved" \
    "$(q :memory: "SELECT json(readfile('$LOGDIR/http2.json')) = json(readfile('$LOGDIR/appr.json'))")" 1
same "enumerator: 403" "$(get "$ENUM" "" /dev/null)" 403
same "no token: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/indicators")" 401
same "bad by: 400" "$(get "$STAT" "?by=village" "$LOGDIR/bad.json")" 400
grep -q '"error"' "$LOGDIR/bad.json" && ok || not_ok "a JSON error body"
same "bad status: 400" "$(get "$STAT" "?status=draft" /dev/null)" 400
same "POST: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $STAT" "$URL/api/v1/indicators")" 405
S indicators --format json --status all --by m_sex >"$LOGDIR/sex_all.json" 2>&1 || not_ok "--by m_sex, all"
same "a domain over HTTP: 200" "$(get "$STAT" "?status=all&domain=m_sex" "$LOGDIR/http3.json")" 200
same "the same JSON as --by m_sex" \
    "$(q :memory: "SELECT json(readfile('$LOGDIR/http3.json')) = json(readfile('$LOGDIR/sex_all.json'))")" 1
same "a domain that is no question: 400" "$(get "$STAT" "?domain=nosuch" "$LOGDIR/bad2.json")" 400
grep -qF "is not a question of" "$LOGDIR/bad2.json" && ok || not_ok "the domain's error: $(cat "$LOGDIR/bad2.json")"
stop_syncd

# ---- weighted: a sample frame with weights, strata (district) and PSUs (village)

# Every approved case gets a frame row but one (left unweighted: reported, left out); one
# household sits alone in stratum 999 (a single-PSU stratum). The frame goes in through
# `syncd assign import`; the link case -> assignment is what `collector interview
# --assignment` records, written here directly because that command is interactive.
NOW=$(q "$SDB" "SELECT case_id FROM cases WHERE status = 'approved' AND outcome <> 'refusal' ORDER BY $BY_HH LIMIT 1")
LONE=$(q "$SDB" "SELECT case_id FROM cases WHERE status = 'approved' AND outcome <> 'refusal' ORDER BY $BY_HH LIMIT 1 OFFSET 1")
{
    echo "assignment_id,enumerator,weight,stratum,psu"
    q -separator ',' "$SDB" "
SELECT 'A-' || c.case_id, c.enumerator,
       50 + (json_extract(r.answers, '\$.hh_number') * 37) % 300 + 0.25,
       CASE WHEN c.case_id = '$LONE' THEN '999' ELSE json_extract(r.answers, '\$.district') END,
       json_extract(r.answers, '\$.commune_code') || '-' || (unicode(json_extract(r.answers, '\$.village')) % 3)
FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
WHERE c.status = 'approved' AND c.case_id <> '$NOW' ORDER BY c.case_id"
} >"$LOGDIR/frame.csv"
S assign import "$LOGDIR/frame.csv" >"$LOGDIR/assign.out" 2>&1 || not_ok "assign import: $(cat "$LOGDIR/assign.out")"
q "$SDB" "UPDATE cases SET assignment_id = 'A-' || case_id WHERE status = 'approved' AND case_id <> '$NOW'"

S indicators --format json >"$LOGDIR/w.json" 2>"$LOGDIR/w.err" || not_ok "weighted: $(cat "$LOGDIR/w.err")"
same "weighted" "$(j "$LOGDIR/w.json" '$.weighted')|$(j "$LOGDIR/w.json" '$.ci_method')|$(j "$LOGDIR/w.json" '$.lonely_psu')" "1|taylor|adjust"
same "one completed case without a weight, left out" "$(j "$LOGDIR/w.json" '$.no_weight')" 1
LONELY=$(q "$SDB" "SELECT count(*) FROM (SELECT s.stratum FROM cases c JOIN assignments s ON s.assignment_id = c.assignment_id
          WHERE c.status = 'approved' AND c.outcome <> 'refusal' GROUP BY s.stratum HAVING count(DISTINCT s.psu) = 1)")
check "stratum 999 has a single PSU" [ "$LONELY" -ge 1 ]
same "single-PSU strata counted" "$(j "$LOGDIR/w.json" '$.lonely_strata')" "$LONELY"
same "strata counted" "$(j "$LOGDIR/w.json" '$.strata')" \
    "$(q "$SDB" "SELECT count(DISTINCT s.stratum) FROM cases c JOIN assignments s ON s.assignment_id = c.assignment_id WHERE c.status = 'approved' AND c.outcome <> 'refusal'")"

# taylor K: "estimate se" in %, computed here from the frame's design: per household the
# stratum, the PSU, the weight, y and x of indicator K (1 T1 ... 5 T5)
taylor() {
    local y x
    case $1 in
    1) y="json_extract(a, '\$.fixed_bb') = 1" x=1 ;;
    2) y="json_extract(a, '\$.signal') IN (4, 5)" x=1 ;;
    3) y="json_extract(a, '\$.n_smartphones') >= 1" x=1 ;;
    4) y="(SELECT count(*) FROM json_each(a, '\$.members') m WHERE json_extract(m.value, '\$.m_age') >= 15
           AND EXISTS (SELECT 1 FROM json_each(m.value, '\$.m_epay') e WHERE e.value IN (1, 2, 3)))"
       x="(SELECT count(*) FROM json_each(a, '\$.members') m WHERE json_extract(m.value, '\$.m_age') >= 15)" ;;
    5) y="(SELECT count(*) FROM json_each(a, '\$.members') m WHERE json_extract(m.value, '\$.m_age') >= 5
           AND json_extract(m.value, '\$.m_internet') = 1)"
       x="(SELECT count(*) FROM json_each(a, '\$.members') m WHERE json_extract(m.value, '\$.m_age') >= 5)" ;;
    esac
    q -separator '|' "$SDB" "
SELECT stratum, psu, weight, $y, $x FROM (
  SELECT s.stratum, s.psu, s.weight, r.answers a FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
  JOIN assignments s ON s.assignment_id = c.assignment_id
  WHERE c.status = 'approved' AND c.outcome <> 'refusal')" |
        awk -F'|' '{ p = $1 SUBSEP $2; st[p] = $1; Y[p] += $3 * $4; X[p] += $3 * $5; TY += $3 * $4; TX += $3 * $5 }
        END { R = TY / TX
              for (p in Y) { z = (Y[p] - R * X[p]) / TX; h = st[p]; n[h]++; s[h] += z; ss[h] += z * z }
              for (h in n) if (n[h] > 1) v += n[h] / (n[h] - 1) * (ss[h] - s[h] * s[h] / n[h]); else v += ss[h]
              printf "%.12f %.12f %.12f %.12f\n", 100 * R, 100 * sqrt(v), TY, TX }'
}
for k in 1 2 3 4 5; do
    read -r est se ny dx <<<"$(taylor $k)"
    i="\$.groups[0].indicators[$((k - 1))]"
    close "weighted T$k estimate" "$(j "$LOGDIR/w.json" "$i.estimate")" "$est"
    close "weighted T$k se" "$(j "$LOGDIR/w.json" "$i.se")" "$se"
    close "weighted T$k numerator" "$(j "$LOGDIR/w.json" "$i.numerator")" "$ny"
    close "weighted T$k denominator" "$(j "$LOGDIR/w.json" "$i.denominator")" "$dx"
    lo=$(awk -v e="$est" -v s="$se" 'BEGIN { v = e - 1.96 * s; if (v < 0) v = 0; printf "%.12f", v }')
    hi=$(awk -v e="$est" -v s="$se" 'BEGIN { v = e + 1.96 * s; if (v > 100) v = 100; printf "%.12f", v }')
    close "weighted T$k ci_low" "$(j "$LOGDIR/w.json" "$i.ci_low")" "$lo"
    close "weighted T$k ci_high" "$(j "$LOGDIR/w.json" "$i.ci_high")" "$hi"
    same "weighted T$k method" "$(j "$LOGDIR/w.json" "$i.ci_method")" taylor
done
S indicators --format json --by former-district >"$LOGDIR/wd.json" 2>&1 || not_ok "weighted --by former-district"
for k in 0 3 4; do
    close "weighted former-district numerators add up (T$((k + 1)))" \
        "$(q :memory: "SELECT total(json_extract(g.value, '\$.indicators[$k].numerator')) FROM json_each(readfile('$LOGDIR/wd.json'), '\$.groups') g")" \
        "$(j "$LOGDIR/w.json" "\$.groups[0].indicators[$k].numerator")"
done
S indicators >"$LOGDIR/wtable.out" 2>&1
grep -qF "Design: weighted" "$LOGDIR/wtable.out" && grep -qF "Taylor linearization" "$LOGDIR/wtable.out" &&
    grep -qE "$LONELY single-PSU strat(um|a) \(rule: adjust\)" "$LOGDIR/wtable.out" &&
    grep -qF "Left out: 1 completed interview without a sample weight" "$LOGDIR/wtable.out" && ok ||
    not_ok "weighted table notes: $(tail -5 "$LOGDIR/wtable.out")"

# ---- nonresponse: the frame's households refused or not reached, weighting classes by stratum

# Two more households of the first stratum in the frame that nobody reached; the refusals
# approved above are linked to their rows. Each class's factor and the weighted numerators are
# computed here from the frame and the cases in SQL.
FIRST=$(q "$SDB" "SELECT stratum FROM assignments WHERE stratum <> '999' ORDER BY assignment_id LIMIT 1")
WHO=$(q "$SDB" "SELECT enumerator FROM assignments LIMIT 1")
printf 'assignment_id,enumerator,weight,stratum,psu\nNR-1,%s,120.5,%s,nr-1\nNR-2,%s,80,%s,nr-2\n' \
    "$WHO" "$FIRST" "$WHO" "$FIRST" >"$LOGDIR/frame_nr.csv"
S assign import "$LOGDIR/frame_nr.csv" >"$LOGDIR/assign_nr.out" 2>&1 || not_ok "assign import (not reached): $(cat "$LOGDIR/assign_nr.out")"
S indicators --format json --nonresponse stratum --min-respondents 1 --max-factor 1000 \
    >"$LOGDIR/nr.json" 2>"$LOGDIR/nr.err" || not_ok "--nonresponse stratum: $(cat "$LOGDIR/nr.err")"
RESP="c.status = 'approved' AND c.outcome <> 'refusal'"
FACTORS="SELECT a.stratum s, total(a.weight) / total(CASE WHEN $RESP THEN a.weight END) f
FROM assignments a LEFT JOIN cases c ON c.assignment_id = a.assignment_id
WHERE a.weight > 0 GROUP BY a.stratum"
same "classes: one per stratum" "$(q :memory: "SELECT json_array_length(readfile('$LOGDIR/nr.json'), '\$.nonresponse.classes')")" \
    "$(q "$SDB" "SELECT count(DISTINCT stratum) FROM assignments WHERE weight > 0")"
q "$SDB" "$FACTORS" >"$LOGDIR/factors.txt"
while IFS='|' read -r st f; do
    close "stratum $st's factor" "$(q :memory: "SELECT json_extract(c.value, '\$.factor') FROM json_each(readfile('$LOGDIR/nr.json'), '\$.nonresponse.classes') c WHERE json_extract(c.value, '\$.key') = '$st'")" "$f"
done <"$LOGDIR/factors.txt"
same "sampled, responded, refused, not reached" \
    "$(j "$LOGDIR/nr.json" '$.nonresponse.sampled') $(j "$LOGDIR/nr.json" '$.nonresponse.responded') $(j "$LOGDIR/nr.json" '$.nonresponse.refused') $(j "$LOGDIR/nr.json" '$.nonresponse.not_reached')" \
    "$(q "$SDB" "SELECT count(*), total($RESP), total(c.case_id IS NOT NULL AND NOT ($RESP)), total(c.case_id IS NULL) FROM assignments a LEFT JOIN cases c ON c.assignment_id = a.assignment_id WHERE a.weight > 0" | awk -F'|' '{ printf "%d %d %d %d", $1, $2, $3, $4 }')"
# T1's weighted numerator and denominator with the adjusted weights
q "$SDB" "WITH f AS ($FACTORS)
SELECT total(a.weight * f.f * (json_extract(r.answers, '\$.fixed_bb') = 1)),
       total(CASE WHEN json_extract(r.answers, '\$.fixed_bb') IS NOT NULL THEN a.weight * f.f END)
FROM cases c JOIN revisions r ON r.rev_id = c.head_rev JOIN assignments a ON a.assignment_id = c.assignment_id
JOIN f ON f.s = a.stratum WHERE $RESP" >"$LOGDIR/nr_t1.txt"
close "T1 numerator, adjusted" "$(j "$LOGDIR/nr.json" '$.groups[0].indicators[0].numerator')" "$(cut -d'|' -f1 "$LOGDIR/nr_t1.txt")"
close "T1 denominator, adjusted" "$(j "$LOGDIR/nr.json" '$.groups[0].indicators[0].denominator')" "$(cut -d'|' -f2 "$LOGDIR/nr_t1.txt")"
# the default rule (20 respondents) collapses this small store's classes into groups
S indicators --nonresponse stratum >"$LOGDIR/nr_table.out" 2>&1
grep -qF "Nonresponse: weights adjusted in classes by stratum (a class needs 20 respondents" "$LOGDIR/nr_table.out" &&
    grep -qE "^  class $FIRST: [0-9]+ of [0-9]+ responded" "$LOGDIR/nr_table.out" &&
    grep -qF "(with class" "$LOGDIR/nr_table.out" && ok ||
    not_ok "nonresponse table notes: $(grep -A3 Nonresponse "$LOGDIR/nr_table.out")"
same "without --nonresponse: null in the JSON" "$(j "$LOGDIR/w.json" '$.nonresponse')" ""
S indicators --nonresponse nosuch >"$LOGDIR/nr_bad.out" 2>&1
same "a class no frame row has: exit 1" "$?" 1
grep -qF "no household of the frame has a value for 'nosuch'" "$LOGDIR/nr_bad.out" && ok ||
    not_ok "class no frame row has: $(cat "$LOGDIR/nr_bad.out")"
S indicators --min-respondents 3 >"$LOGDIR/nr_bad2.out" 2>&1
same "--min-respondents without --nonresponse: exit 2" "$?" 2

# ---- calibration, domains, replicates, the export's weights (R checks the figures themselves:
# tests/r/flow.sh; here the commands, their errors and what must add up)
HH=$(q "$SDB" "SELECT total(weight) * 1.05 FROM assignments WHERE weight > 0")
printf 'margin,category,total\nhouseholds,,%s\nm_sex,1,%s\nm_sex,2,%s\n' "$HH" \
    "$(q :memory: "SELECT $HH * 2.1")" "$(q :memory: "SELECT $HH * 2.2")" >"$LOGDIR/totals.csv"
S indicators --format json --calibrate "$LOGDIR/totals.csv" --calfun raking >"$LOGDIR/cal.json" 2>"$LOGDIR/cal.err" ||
    not_ok "--calibrate: $(cat "$LOGDIR/cal.err")"
for i in 0 1 2; do
    close "calibrated margin $i met" "$(j "$LOGDIR/cal.json" "\$.calibration.margins[$i].after")" \
        "$(j "$LOGDIR/cal.json" "\$.calibration.margins[$i].total")"
done
same "calibration reported" "$(j "$LOGDIR/cal.json" '$.calibration.calfun')" raking
printf 'margin,category,total\nhouseholds,,100\nnosuch,1,5\ncommune,99999,7\nm_sex,3,1\n' >"$LOGDIR/bad_totals.csv"
S indicators --calibrate "$LOGDIR/bad_totals.csv" >"$LOGDIR/bad_cal.out" 2>&1
same "a bad totals file: exit 1" "$?" 1
grep -qF "line 3: margin: 'nosuch' is not households" "$LOGDIR/bad_cal.out" &&
    grep -qF "line 4: category: 99999 is not a unit of today in sonla_2025" "$LOGDIR/bad_cal.out" &&
    grep -qF "line 5: category: '3' is not a choice of m_sex" "$LOGDIR/bad_cal.out" &&
    grep -qF "3 problems: nothing computed" "$LOGDIR/bad_cal.out" && ok ||
    not_ok "bad totals: $(cat "$LOGDIR/bad_cal.out")"
printf 'margin,category,total\nhouseholds,,%s\nurban_rural,urban,%s\n' "$HH" "$HH" >"$LOGDIR/tight.csv"
S indicators --calibrate "$LOGDIR/tight.csv" --bounds 0.9,1.1 >"$LOGDIR/tight.out" 2>&1
same "totals the bounds cannot meet: exit 1" "$?" 1
grep -qE "line [23]: the weights of the sample cannot meet .* within the bounds \[0.9, 1.1\]" "$LOGDIR/tight.out" && ok ||
    not_ok "bounds not met: $(cat "$LOGDIR/tight.out")"
S indicators --format json --by m_sex >"$LOGDIR/sex.json" 2>"$LOGDIR/sex.err" || not_ok "--by m_sex: $(cat "$LOGDIR/sex.err")"
same "--by m_sex: the province, men, women" "$(ngroups "$LOGDIR/sex.json")|$(j "$LOGDIR/sex.json" '$.groups[2].domain.label')" "3|Nữ"
same "no household indicator for a member domain" "$(j "$LOGDIR/sex.json" '$.groups[1].indicators[0].estimate')" ""
close "men's and women's T5 numerators add up" \
    "$(q :memory: "SELECT json_extract(readfile('$LOGDIR/sex.json'), '\$.groups[1].indicators[4].numerator') + json_extract(readfile('$LOGDIR/sex.json'), '\$.groups[2].indicators[4].numerator')")" \
    "$(j "$LOGDIR/sex.json" '$.groups[0].indicators[4].numerator')"
close "women - men, as the report says" "$(j "$LOGDIR/sex.json" '$.groups[2].indicators[4].diff_reference.estimate')" \
    "$(q :memory: "SELECT json_extract(readfile('$LOGDIR/sex.json'), '\$.groups[2].indicators[4].estimate') - json_extract(readfile('$LOGDIR/sex.json'), '\$.groups[1].indicators[4].estimate')")"
S indicators --format json --by commune >"$LOGDIR/wc.json" 2>&1 || not_ok "weighted --by commune"
close "a commune against the province" "$(j "$LOGDIR/wc.json" '$.groups[0].indicators[4].diff_province.estimate')" \
    "$(q :memory: "SELECT json_extract(readfile('$LOGDIR/wc.json'), '\$.groups[0].indicators[4].estimate') - json_extract(readfile('$LOGDIR/w.json'), '\$.groups[0].indicators[4].estimate')")"
S indicators --variance replicate --replicates jk1 >"$LOGDIR/jk1.out" 2>&1
same "JK1 on a stratified design: exit 1" "$?" 1
grep -qF "use jkn (R's as.svrepdesign refuses JK1 on a stratified design too)" "$LOGDIR/jk1.out" && ok ||
    not_ok "jk1: $(cat "$LOGDIR/jk1.out")"
S indicators --format json --variance replicate >"$LOGDIR/jkn.json" 2>"$LOGDIR/jkn.err" || not_ok "jkn: $(cat "$LOGDIR/jkn.err")"
same "JKn: one replicate per PSU" "$(j "$LOGDIR/jkn.json" '$.variance.method') $(j "$LOGDIR/jkn.json" '$.variance.replicates')" \
    "jkn $(j "$LOGDIR/jkn.json" '$.psus')"
S indicators --format json --by commune --variance replicate >"$LOGDIR/jknc.json" 2>"$LOGDIR/jknc.err" ||
    not_ok "jkn by commune: $(cat "$LOGDIR/jknc.err")"
# a commune of one village: the replicate that drops it has no estimate there, left out
q :memory: "SELECT json_extract(g.value, '\$.key'), json_extract(g.value, '\$.indicators[4].replicates_dropped'),
    json_extract(g.value, '\$.indicators[4].se') IS NOT NULL
    FROM json_each(readfile('$LOGDIR/jknc.json'), '\$.groups') g
    WHERE json_extract(g.value, '\$.indicators[4].replicates_dropped') > 0 LIMIT 1" >"$LOGDIR/dropped.txt"
[ -s "$LOGDIR/dropped.txt" ] && [ "$(cut -d'|' -f3 "$LOGDIR/dropped.txt")" = 1 ] && ok ||
    not_ok "a commune's empty replicates left out, its se still given: $(cat "$LOGDIR/dropped.txt")"
S indicators --calibrate "$LOGDIR/totals.csv" --calfun logit --bounds 1,2 >/dev/null 2>&1
same "logit with a lower bound of 1: exit 2" "$?" 2
S indicators --variance replicate --reps 10 >/dev/null 2>&1
same "--reps without the bootstrap: exit 2" "$?" 2
S export --format csv --out "$LOGDIR/wexp" --weights --calibrate "$LOGDIR/totals.csv" --variance replicate \
    --replicates bootstrap --reps 5 >"$LOGDIR/wexp.out" 2>&1 || not_ok "export --weights: $(cat "$LOGDIR/wexp.out")"
q :memory: ".import --csv '$LOGDIR/wexp/households.csv' h" "SELECT total(wt_final), total(rw_5) FROM h WHERE wt_final <> ''" >"$LOGDIR/wsum.txt" 2>&1
close "the exported final weights add up to the households' total" "$(cut -d'|' -f1 "$LOGDIR/wsum.txt")" "$HH"
close "so does each replicate" "$(cut -d'|' -f2 "$LOGDIR/wsum.txt")" "$HH"
grep -qF "svrepdesign(data = households, weights = ~wt_final" "$LOGDIR/wexp/codebook.csv" && ok ||
    not_ok "the codebook says how to declare the design"
S export --format csv --out "$LOGDIR/wexp2" --calibrate "$LOGDIR/totals.csv" >/dev/null 2>&1
same "a weighting option without --weights: exit 2" "$?" 2

finish
