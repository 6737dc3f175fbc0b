#!/bin/bash
# collector_faults.sh - bad input and a hostile environment: each gets a clear message, and
# nothing that was already committed is lost or changed.
# usage: collector_faults.sh COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u
COLLECTOR=$1
GEN=$2
SRC=$3
DATA=$SRC/tests/data/answers
. "$SRC/tests/integration/lib.sh"

fresh_db() { # DIR: a database with one imported household
    mkdir -p "$1"
    "$COLLECTOR" setup --db "$1/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Cầm Thị Ươi" >/dev/null &&
        "$COLLECTOR" import --db "$1/c.db" "$DATA/single_member.json" >/dev/null
}
count_cases() { sqlite3 "$1" "SELECT count(*) FROM cases"; }

# expect NAME STATUS PATTERN OUTFILE: the run ended with STATUS and said PATTERN.
expect() {
    if [ "$2" = "$4" ] && grep -qE -- "$3" "$5"; then ok; else
        not_ok "$1: exit $4 (want $2), output:"; cat "$5"; fi
}

# (a full disk: tests/fault/full_disk.sh, both as a small tmpfs and as a file size limit)

# --- a database that cannot be written (as an ordinary user: root ignores permissions)
# Its own folder that everyone may enter (LOGDIR is private), so that the user can read the
# database and the answers but write neither.
DIR=$(mktemp -d "${TMPDIR:-/tmp}/dieutra-ro.XXXXXX")
chmod 755 "$DIR"
fresh_db "$DIR"
cp "$DATA/household_4members.json" "$DIR/answers.json"
before=$(cq "$DIR/c.db" "SELECT dt_open(answers) FROM cases")
chmod 444 "$DIR/c.db" "$DIR/answers.json"
chmod 555 "$DIR"
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
as_user "$COLLECTOR" list --db "$DIR/c.db" >"$LOGDIR/ro-list.out" 2>&1
as_user "$COLLECTOR" import --db "$DIR/c.db" "$DIR/answers.json" >"$LOGDIR/ro.out" 2>&1
expect "read-only database" 3 "cannot be written.*readonly database" $? "$LOGDIR/ro.out"
chmod 755 "$DIR"
chmod 644 "$DIR/c.db"
[ "$(cq "$DIR/c.db" "SELECT dt_open(answers) FROM cases")" = "$before" ] && ok || not_ok "read-only: changed"
rm -rf "$DIR"

# --- a damaged file, and a file that is not a database at all
DIR=$LOGDIR/corrupt
fresh_db "$DIR"
printf 'this is not a SQLite database, it is a shopping list' >"$LOGDIR/notadb.db"
"$COLLECTOR" list --db "$LOGDIR/notadb.db" >"$LOGDIR/notadb.out" 2>&1
expect "not a database" 3 "damaged or is not a database" $? "$LOGDIR/notadb.out"
grep -q 'shopping list' "$LOGDIR/notadb.db" && ok || not_ok "the file that is not a database was changed"
dd if=/dev/urandom of="$DIR/c.db" bs=1024 seek=8 count=8 conv=notrunc 2>/dev/null
"$COLLECTOR" check --db "$DIR/c.db" >"$LOGDIR/corrupt.out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! grep -q '^ok$' "$LOGDIR/corrupt.out" && ok ||
    { not_ok "damaged database: check said ok"; cat "$LOGDIR/corrupt.out"; }

# --- a database from a newer program
DIR=$LOGDIR/newer
fresh_db "$DIR"
sqlite3 "$DIR/c.db" "PRAGMA user_version = 99"
"$COLLECTOR" list --db "$DIR/c.db" >"$LOGDIR/newer.out" 2>&1
expect "newer database" 3 "version 99, newer than this program" $? "$LOGDIR/newer.out"

# --- answers for a form version this laptop does not have
DIR=$LOGDIR/version
fresh_db "$DIR"
sed 's/"form_version": *1/"form_version": 2/' "$DATA/household_4members.json" >"$LOGDIR/v2.json"
"$COLLECTOR" import --db "$DIR/c.db" "$LOGDIR/v2.json" >"$LOGDIR/v2.out" 2>&1
expect "unknown form version" 1 "version 2 is not installed" $? "$LOGDIR/v2.out"
[ "$(count_cases "$DIR/c.db")" = 1 ] && ok || not_ok "unknown version: something was stored"

# --- answers that are not UTF-8, and a 10 MB text answer
printf '{"form_id": "sonla_ict_household", "form_version": 1,\n "answers": {"resp_name": "L\xf2 V\xe3n"}}' >"$LOGDIR/latin1.json"
"$COLLECTOR" import --db "$DIR/c.db" "$LOGDIR/latin1.json" >"$LOGDIR/latin1.out" 2>&1
expect "not UTF-8" 1 "line 2, column [0-9]+: text is not valid UTF-8" $? "$LOGDIR/latin1.out"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$LOGDIR/big.txt"
{ printf '{"form_id": "sonla_ict_household", "form_version": 1, "answers": {"district": 123, "resp_name": "'
  cat "$LOGDIR/big.txt"; printf '"}}'; } >"$LOGDIR/big.json"
"$COLLECTOR" import --db "$DIR/c.db" "$LOGDIR/big.json" >"$LOGDIR/big.out" 2>&1
expect "10 MB answer" 1 "resp_name: answer: text is longer than 65536 bytes" $? "$LOGDIR/big.out"
[ "$(count_cases "$DIR/c.db")" = 1 ] && ok || not_ok "bad answers: something was stored"

# --- two collectors at once on one database: both finish, nothing is lost
DIR=$LOGDIR/two
fresh_db "$DIR"
"$GEN" 60 8 >"$LOGDIR/a.json"
"$GEN" 60 9 >"$LOGDIR/b.json"
"$COLLECTOR" import --db "$DIR/c.db" "$LOGDIR/a.json" >"$LOGDIR/a.out" 2>&1 &
pa=$!
"$COLLECTOR" import --db "$DIR/c.db" "$LOGDIR/b.json" >"$LOGDIR/b.out" 2>&1
rb=$?
wait $pa
ra=$?
[ $ra = 0 ] && [ $rb = 0 ] && [ "$(count_cases "$DIR/c.db")" = 121 ] && ok ||
    { not_ok "two imports at once: exit $ra/$rb, $(count_cases "$DIR/c.db") cases"; cat "$LOGDIR/a.out" "$LOGDIR/b.out"; }

# --- a database held by another writer longer than we wait: a clear "busy"
(echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('hold', 'x');"; sleep 8; echo "ROLLBACK;") |
    sqlite3 "$DIR/c.db" &
holder=$!
# wait until the holder has the write lock (a loaded machine may take a while to start it)
for _ in $(seq 50); do
    sqlite3 "$DIR/c.db" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 || break
    sleep 0.1
done
"$COLLECTOR" import --db "$DIR/c.db" "$DATA/household_4members.json" >"$LOGDIR/busy.out" 2>&1
expect "busy database" 3 "busy: another program is writing" $? "$LOGDIR/busy.out"
wait $holder
[ "$(count_cases "$DIR/c.db")" = 121 ] && ok || not_ok "busy: something changed"

finish
