#!/bin/sh
# form_cli.sh - runs `collector form check` and `collector form simulate` on the good and bad
# forms and answer files of tests/data, and checks exit statuses and what a person reads.
# usage: form_cli.sh COLLECTOR SOURCE_DIR
set -u
COLLECTOR=$1
SRC=$2
DATA=$SRC/tests/data
FORM=$SRC/schema/forms/sonla_ict_household.json
. "$SRC/tests/integration/lib.sh"

# The shipped questionnaire and every good form pass, with a summary.
for f in "$FORM" "$DATA"/forms/good/*.json; do
    out=$LOGDIR/$(basename "$f").out
    if "$COLLECTOR" form check "$f" >"$out" 2>&1 && grep -q '^OK$' "$out" &&
        grep -q 'languages:' "$out"; then
        ok
    else
        not_ok "form check $f should pass"; cat "$out"
    fi
done

# The questionnaire's summary names the roster and its count.
if "$COLLECTOR" form check "$FORM" | grep -q 'members: .*count = ${hh_size}'; then ok; else
    not_ok "summary of $FORM should show the members roster counted by hh_size"; fi

# Every bad form fails with exit 1 and every expected problem as FILE: where: what: message.
nbad=0
for f in "$DATA"/forms/bad/*.json; do
    nbad=$((nbad + 1))
    out=$LOGDIR/$(basename "$f").out
    "$COLLECTOR" form check "$f" >"$out" 2>&1
    rc=$?
    if [ $rc -ne 1 ]; then
        not_ok "form check $f: exit $rc, expected 1"; cat "$out"; continue
    fi
    if expect_lines "${f%.json}.expect" "$out" "$f: "; then ok; else
        not_ok "form check $f: expected problems missing"; cat "$out"; fi
done
[ "$nbad" -gt 0 ] && ok || not_ok "no bad forms found in $DATA/forms/bad"

# A roster inside a roster: each repeat with the questions of its own, the one inside named
# with the one around it.
out=$LOGDIR/nested.out
if "$COLLECTOR" form check "$DATA/forms/nested/roster_in_roster.json" >"$out" 2>&1 &&
    grep -q "^    members: 1 questions, open-ended$" "$out" &&
    grep -q "^      phones (in members): 1 questions, open-ended$" "$out"; then
    ok; else not_ok "a nested roster checked"; cat "$out"; fi

# A file that does not exist is a clear error, not a crash.
out=$LOGDIR/missing.out
"$COLLECTOR" form check "$DATA/no-such-form.json" >"$out" 2>&1
if [ $? -eq 1 ] && grep -q 'cannot open' "$out"; then ok; else not_ok "missing file"; cat "$out"; fi

# Valid households can be finalized; the refusal is recorded as one.
for a in household_4members single_member refusal; do
    out=$LOGDIR/sim-$a.out
    if "$COLLECTOR" form simulate "$FORM" "$DATA/answers/$a.json" --today 2026-11-29 >"$out" 2>&1 &&
        grep -q '^verdict: .*can be finalized' "$out"; then ok; else
        not_ok "simulate $a should be finalizable"; cat "$out"; fi
done
grep -q '^verdict: refusal' "$LOGDIR/sim-refusal.out" && ok || not_ok "refusal verdict"

# The household of 4 shows its members and skips what does not apply.
out=$LOGDIR/sim-household_4members.out
grep -q 'members\[4\]/' "$out" && ok || not_ok "member 4 should be shown"
grep -q '^  skipped ' "$out" && ok || not_ok "something should be skipped"

# Bad answers: exit 1, and every expected message appears.
for a in "$DATA"/answers/bad_*.json; do
    out=$LOGDIR/sim-$(basename "$a").out
    "$COLLECTOR" form simulate "$FORM" "$a" --today 2026-11-29 >"$out" 2>&1
    rc=$?
    if [ $rc -ne 1 ]; then not_ok "simulate $a: exit $rc, expected 1"; cat "$out"; continue; fi
    if expect_lines "${a%.json}.expect" "$out" ""; then ok; else
        not_ok "simulate $a: expected messages missing"; cat "$out"; fi
    grep -q '^verdict: cannot be finalized' "$out" && ok || not_ok "simulate $a: verdict"
done

# Version 2 (the units of 2025): the household of 4 in Phường Mộc Châu can be finalized, the
# head of 12 cannot, with the same messages as version 1.
FORM2=$SRC/schema/forms/sonla_ict_household_v2.json
out=$LOGDIR/sim-v2-household_4members.out
if "$COLLECTOR" form simulate "$FORM2" "$DATA/answers/v2/household_4members.json" --today 2026-11-29 >"$out" 2>&1 &&
    grep -q '^verdict: .*can be finalized' "$out" && grep -q '^  shown    commune  *= 3980 (Phường Mộc Châu)$' "$out"; then
    ok; else not_ok "simulate v2 household_4members"; cat "$out"; fi
out=$LOGDIR/sim-v2-bad_head_age.out
"$COLLECTOR" form simulate "$FORM2" "$DATA/answers/v2/bad_head_age.json" --today 2026-11-29 >"$out" 2>&1
if [ $? -eq 1 ] && expect_lines "$DATA/answers/v2/bad_head_age.expect" "$out" ""; then ok; else
    not_ok "simulate v2 bad_head_age"; cat "$out"; fi

# Answers for another form version are refused with a clear message.
out=$LOGDIR/wrong-version.out
sed 's/"form_version": *1/"form_version": 7/' "$DATA/answers/single_member.json" >"$LOGDIR/v7.json"
"$COLLECTOR" form simulate "$FORM" "$LOGDIR/v7.json" >"$out" 2>&1
if [ $? -eq 1 ] && grep -q 'version 7' "$out"; then ok; else not_ok "wrong version"; cat "$out"; fi

# Malformed answers JSON names the line and column.
printf '{"form_id": "sonla_ict_household",\n "form_version": 1,\n "answers": {"district": }\n}\n' >"$LOGDIR/broken.json"
out=$LOGDIR/broken.out
"$COLLECTOR" form simulate "$FORM" "$LOGDIR/broken.json" >"$out" 2>&1
if [ $? -eq 1 ] && grep -q 'line 3, column' "$out"; then ok; else not_ok "malformed answers"; cat "$out"; fi

# Answers that are not UTF-8 are refused before anything else.
printf '{"form_id": "sonla_ict_household", "form_version": 1, "answers": {"resp_name": "L\377"}}' >"$LOGDIR/latin1.json"
out=$LOGDIR/latin1.out
"$COLLECTOR" form simulate "$FORM" "$LOGDIR/latin1.json" >"$out" 2>&1
if [ $? -eq 1 ] && grep -q 'not valid UTF-8' "$out"; then ok; else not_ok "non-UTF-8 answers"; cat "$out"; fi

# Usage errors exit 2.
"$COLLECTOR" form simulate "$FORM" >/dev/null 2>&1
[ $? -eq 2 ] && ok || not_ok "usage error should exit 2"
"$COLLECTOR" no-such-command >/dev/null 2>&1
[ $? -eq 2 ] && ok || not_ok "unknown command should exit 2"

finish
