#!/bin/bash
# flow.sh - the whole weighting flow through the programs against R's survey package: a laptop
# interviews generated households (and takes refusals) and syncs them to a real syncd on
# 127.0.0.1; R draws a stratified cluster sample frame over them (unequal weights, a
# single-PSU stratum, households refused or never reached) and the totals to calibrate to; the
# frame goes in with `syncd assign import`; `syncd indicators` runs with nonresponse classes,
# linear and raking calibration, domains (a member question, urban/rural), communes against the
# province, JKn replicates, and the bootstrap replicate weights `syncd export --weights`
# writes; R checks every estimate, standard error, total, design effect and difference with
# svyratio, svytotal, svyby-style domains, calibrate, svycontrast and as.svrepdesign/svrepdesign
# to 1e-9 (flow.R). Skipped (77) when R or its survey package is not installed.
# usage: flow.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"

if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(survey)' >/dev/null 2>&1; then
    echo "skipped: Rscript with the survey package (r-base-core, r-cran-survey) is not installed"
    rm -rf "$LOGDIR"
    exit 77
fi
need sqlite3 curl

unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_SYNC_BATCH http_proxy HTTP_PROXY all_proxy ALL_PROXY
export DIEUTRA_SYNC_RETRY_MS=20
export NO_PROXY=127.0.0.1
SDB=$LOGDIR/syncd.db
S() { "$SYNCD" "$@" --db "$SDB"; }
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
q() { sqlite3 "$@"; }

# ---- the interviews: 420 households and 14 refusals on version 2 (the units of today)
S form publish "$SRC/schema/forms/sonla_ict_household.json" >"$LOGDIR/publish.out" 2>&1 &&
    S form publish "$SRC/schema/forms/sonla_ict_household_v2.json" >>"$LOGDIR/publish.out" 2>&1 ||
    not_ok "form publish: $(cat "$LOGDIR/publish.out")"
start_syncd "$SYNCD" "$SDB" || finish
T=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
C setup --form "$SRC/schema/forms/sonla_ict_household_v2.json" --enumerator "Điều tra viên" >/dev/null ||
    not_ok "setup"
C enroll "$URL/" "$T" >"$LOGDIR/enroll.out" 2>&1 || not_ok "enroll: $(cat "$LOGDIR/enroll.out")"
"$GEN" 420 2025 2 >"$LOGDIR/hh.json"
# a refusal in the commune and village of every 30th household
q :memory: "SELECT '[' || group_concat(json_object('form_id', 'sonla_ict_household',
    'form_version', 2, 'answers', json_object('commune', json_extract(h.value, '\$.answers.commune'),
    'village', json_extract(h.value, '\$.answers.village'), 'hh_number', 9000 + h.key,
    'resp_name', 'Lò Văn Từ', 'consent', 2)), ',') || ']'
    FROM json_each(readfile('$LOGDIR/hh.json')) h WHERE h.key % 30 = 0" >"$LOGDIR/refusals.json"
C import "$LOGDIR/hh.json" >"$LOGDIR/import.out" 2>&1 || not_ok "import: $(tail -3 "$LOGDIR/import.out")"
C import "$LOGDIR/refusals.json" >>"$LOGDIR/import.out" 2>&1 || not_ok "import refusals: $(tail -3 "$LOGDIR/import.out")"
C sync >"$LOGDIR/sync.out" 2>&1 || not_ok "sync: $(cat "$LOGDIR/sync.out")"
stop_syncd
n=$(q "$SDB" "SELECT count(*) FROM cases")
[ "$n" = 434 ] && ok || not_ok "434 cases at the centre, got $n"

# ---- each household's figures, computed here from the raw answers (docs/questionnaire.md)
M="json_each(a, '\$.members') m"
AGE="json_extract(m.value, '\$.m_age')"
SEX="json_extract(m.value, '\$.m_sex')"
EPAY="EXISTS (SELECT 1 FROM json_each(m.value, '\$.m_epay') e WHERE e.value IN (1, 2, 3))"
INET="json_extract(m.value, '\$.m_internet') = 1"
members() { # CONDITION
    echo "(SELECT count(*) FROM $M WHERE $1)"
}
q -header -csv "$SDB" "
SELECT case_id, printf('%05d', json_extract(a, '\$.commune')) AS unit, json_extract(a, '\$.village') AS village,
  coalesce(json_extract(a, '\$.fixed_bb') = 1, 0) AS y1, json_extract(a, '\$.fixed_bb') IS NOT NULL AS x1,
  coalesce(json_extract(a, '\$.signal') IN (4, 5), 0) AS y2, json_extract(a, '\$.signal') IS NOT NULL AS x2,
  coalesce(json_extract(a, '\$.n_smartphones') >= 1, 0) AS y3, json_extract(a, '\$.n_smartphones') IS NOT NULL AS x3,
  $(members "$AGE >= 15 AND $EPAY") AS y4, $(members "$AGE >= 15") AS x4,
  $(members "$AGE >= 5 AND $INET") AS y5, $(members "$AGE >= 5") AS x5,
  $(members "$SEX = 1 AND $AGE >= 15 AND $EPAY") AS y4_s1, $(members "$SEX = 1 AND $AGE >= 15") AS x4_s1,
  $(members "$SEX = 1 AND $AGE >= 5 AND $INET") AS y5_s1, $(members "$SEX = 1 AND $AGE >= 5") AS x5_s1,
  $(members "$SEX = 2 AND $AGE >= 15 AND $EPAY") AS y4_s2, $(members "$SEX = 2 AND $AGE >= 15") AS x4_s2,
  $(members "$SEX = 2 AND $AGE >= 5 AND $INET") AS y5_s2, $(members "$SEX = 2 AND $AGE >= 5") AS x5_s2,
  $(members "1") AS n_members, $(members "$SEX = 1") AS n_s1, $(members "$SEX = 2") AS n_s2
FROM (SELECT c.case_id, r.answers a FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
      WHERE c.outcome <> 'refusal') ORDER BY case_id" >"$LOGDIR/households.csv"
q -header -csv "$SDB" "SELECT c.case_id, printf('%05d', json_extract(r.answers, '\$.commune')) AS unit,
  json_extract(r.answers, '\$.village') AS village FROM cases c JOIN revisions r ON r.rev_id = c.head_rev
  WHERE c.outcome = 'refusal' ORDER BY c.case_id" >"$LOGDIR/refusals.csv"

# ---- R draws the frame and the totals; the frame goes in, the cases are linked to it (what
# `collector interview --assignment` records, written here because that command is interactive)
Rscript "$SRC/tests/r/flow.R" make "$LOGDIR" "$SRC/schema/geography/sonla_2025.csv" \
    >"$LOGDIR/make.out" 2>&1 || { not_ok "flow.R make: $(tail -5 "$LOGDIR/make.out")"; finish; }
S assign import "$LOGDIR/frame.csv" >"$LOGDIR/assign.out" 2>&1 || not_ok "assign import: $(tail -3 "$LOGDIR/assign.out")"
q "$SDB" "CREATE TEMP TABLE link (case_id TEXT PRIMARY KEY, assignment_id TEXT)" \
    ".import --csv --skip 1 '$LOGDIR/link.csv' link" \
    "UPDATE cases SET assignment_id = (SELECT assignment_id FROM link WHERE link.case_id = cases.case_id)" \
    || not_ok "link the cases to the frame"

# ---- the runs R checks: name, then the options
NR="--status all --nonresponse stratum --min-respondents 1 --max-factor 100"
CAL="--calibrate $LOGDIR/totals.csv"
cat >"$LOGDIR/runs.txt" <<EOF
nr $NR
lin $NR $CAL
rak $NR $CAL --calfun raking
sex $NR $CAL --calfun raking --by m_sex
ur $NR $CAL --by urban_rural
com $NR --by commune
jkn $NR $CAL --calfun raking --variance replicate --replicates jkn
boot $NR $CAL --calfun raking --variance replicate --replicates bootstrap --reps 40 --seed 11
EOF
while read -r name opts; do
    # shellcheck disable=SC2086 # the options are words
    if S indicators --format json $opts >"$LOGDIR/$name.json" 2>"$LOGDIR/$name.err"; then
        ok
        q :memory: "SELECT '$name', replace(fullkey, '\"', ''), atom FROM json_tree(readfile('$LOGDIR/$name.json'))
                    WHERE atom IS NOT NULL" >>"$LOGDIR/figures.txt"
    else
        not_ok "indicators $name: $(cat "$LOGDIR/$name.err")"
    fi
done <"$LOGDIR/runs.txt"
# the bootstrap's replicate weights, as the export writes them for R's svrepdesign
# shellcheck disable=SC2086
S export --format csv --out "$LOGDIR/exp" --status all --weights $NR $CAL --calfun raking \
    --variance replicate --replicates bootstrap --reps 40 --seed 11 >"$LOGDIR/export.out" 2>&1 ||
    not_ok "export --weights: $(tail -3 "$LOGDIR/export.out")"

# ---- R checks every figure
if Rscript "$SRC/tests/r/flow.R" check "$LOGDIR" "$SRC/schema/geography/sonla_2025.csv" >"$LOGDIR/check.out" 2>&1; then
    ok
    grep -E "^(compared|largest)" "$LOGDIR/check.out"
else
    not_ok "flow.R check: $(grep -E "FAIL|Error|error" "$LOGDIR/check.out" | head -20)"
fi
finish
