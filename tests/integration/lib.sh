# lib.sh - shared helpers for the integration tests (sourced, not run)

fails=0
passes=0
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/dieutra-test.XXXXXX")

# Every laptop of a test has a PIN (its interviews are sealed, as in the field): the scripts'
# PIN, and a private runtime folder of the test's own for the sessions that keep it entered
# (tests of the PIN itself unset DIEUTRA_PIN).
export DIEUTRA_PIN=test-pin-2025
export XDG_RUNTIME_DIR=$LOGDIR/run
mkdir -m 700 "$XDG_RUNTIME_DIR"

# Keeps the logs of a failed run, removes them otherwise. A run in which no check ran has
# tested nothing: it fails.
finish() {
    echo "$passes passed, $fails failed"
    if [ "$fails" -eq 0 ] && [ "$passes" -eq 0 ]; then
        echo "FAIL: no check ran"
        fails=1
    fi
    if [ "$fails" -gt 0 ]; then
        echo "logs kept in $LOGDIR"
        exit 1
    fi
    rm -rf "$LOGDIR"
    exit 0
}

# cq DB SQL: a read-only query on a laptop's database, its sealed columns read with
# dt_open(answers) (collector query: the test's PIN unlocks it).
cq() {
    "$COLLECTOR" query --db "$1" "$2"
}

ok() {
    passes=$((passes + 1))
}

not_ok() {
    fails=$((fails + 1))
    echo "FAIL: $*"
}

# expect_lines FILE OUTPUT PREFIX: every line of FILE, prefixed, must occur in OUTPUT.
expect_lines() {
    _missing=0
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        if ! grep -qF -- "$3$line" "$2"; then
            echo "  missing: $3$line"
            _missing=1
        fi
    done <"$1"
    return $_missing
}

# need TOOL...: skips the test (status 77) when a tool is missing; packaging/install-deps
# installs every one of them.
need() {
    for _tool in "$@"; do
        if ! command -v "$_tool" >/dev/null 2>&1; then
            echo "skip: $_tool is missing (packaging/install-deps installs it)"
            rm -rf "$LOGDIR"
            exit 77
        fi
    done
}

# kill_plan COUNT_FILE RUNS: RUNS kill points for DIEUTRA_FAULT (common/fault.h), one per line,
# spread evenly over what one whole run wrote and synced (the last line that
# DIEUTRA_FAULT=count=COUNT_FILE left): four in five at a write, which is torn in its middle,
# one in five just after a sync, when the data is durable and nobody was told. The points are
# where the program is in its work, so no verdict depends on the machine's speed.
kill_plan() {
    tail -n 1 "$1" | awk -v runs="$2" '{
        split($1, w, "="); split($2, s, "=")
        ns = int(runs / 5); nw = runs - ns
        for (i = 0; i < nw; i++) printf "kill-at-write=%d\n", 1 + int(i * w[2] / nw)
        for (i = 0; i < ns; i++) printf "kill-at-sync=%d\n", 1 + int(i * s[2] / ns)
    }'
}

# token_of SYNCD DB NAME ROLE [COMMUNES]: adds the user to the store DB and prints the token
# that `syncd user add` shows once (nothing when it refused).
token_of() {
    "$1" user add --db "$2" "$3" --role "$4" ${5:+--communes "$5"} 2>&1 |
        sed -n 's/^token (shown once, keep it safe): *//p'
}

# ---- syncd servers. Every one started is stopped when the test ends (SIGTERM, as systemd
# does); at_exit CMD adds what else a test must undo then.
SERVERS=""
SERVER=""
PORT=""
URL=""
SERVER_RC=""
AT_EXIT=""
at_exit() {
    AT_EXIT="$AT_EXIT
$1"
}
lib_exit() {
    stop_all_syncd
    eval "$AT_EXIT"
}
trap lib_exit EXIT
trap 'exit 1' INT TERM

# With DT_TEST_TLS=1 a test's syncd speaks HTTPS: serve gives it a config with a certificate
# made once per test (`syncd tls init`, with $SYNCD), URL is https://, and the collectors trust
# that certificate through DIEUTRA_CA_FILE (as an office's own CA). SCHEME is http or https for
# the addresses a test writes itself.
SCHEME=http
[ "${DT_TEST_TLS:-}" = 1 ] && SCHEME=https
tls_conf() {
    if [ ! -f "$LOGDIR/tls/tls.conf" ]; then
        mkdir -p "$LOGDIR/tls"
        "$SYNCD" tls init --host 127.0.0.1,localhost --out "$LOGDIR/tls" >"$LOGDIR/tls/init.out" 2>&1 ||
            not_ok "syncd tls init: $(cat "$LOGDIR/tls/init.out")"
        printf 'tls_cert = %s\ntls_key = %s\n' "$LOGDIR/tls/syncd.crt" "$LOGDIR/tls/syncd.key" >"$LOGDIR/tls/tls.conf"
    fi
    export DIEUTRA_CA_FILE=$LOGDIR/tls/syncd.crt
}

# serve NAME COMMAND...: runs COMMAND (a `syncd serve ...`, or a function that ends by exec'ing
# one) in the background, its output appended to LOGDIR/NAME.out and NAME.err; waits (polling,
# up to 30 s) until it says where it listens. Its arguments give the store and --listen:
# 127.0.0.1:0 for a free port, 127.0.0.1:PORT to come back where laptops enrolled. Sets SERVER
# (its pid), PORT and URL. Returns 1, having said why, when it did not start.
serve() {
    _name=$1
    shift
    : >"$LOGDIR/$_name.out"
    if [ "$SCHEME" = https ]; then
        tls_conf
        set -- "$@" --config "$LOGDIR/tls/tls.conf"
    fi
    "$@" >>"$LOGDIR/$_name.out" 2>>"$LOGDIR/$_name.err" &
    SERVER=$!
    SERVERS="$SERVERS $SERVER"
    PORT=""
    URL=""
    for _ in $(seq 300); do
        PORT=$(sed -n 's/^syncd: listening on 127\.0\.0\.1:\([0-9][0-9]*\),.*/\1/p' "$LOGDIR/$_name.out")
        [ -n "$PORT" ] && break
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$PORT" ] || [ "$PORT" = 0 ]; then
        PORT=""
        not_ok "syncd serve ($_name) did not say where it listens: $(cat "$LOGDIR/$_name.out" "$LOGDIR/$_name.err")"
        return 1
    fi
    URL=$SCHEME://127.0.0.1:$PORT
    if [ "$SCHEME" = https ] && ! grep -q ", HTTPS$" "$LOGDIR/$_name.out"; then
        not_ok "syncd serve ($_name) is not on HTTPS: $(cat "$LOGDIR/$_name.out")"
        return 1
    fi
}

# start_syncd SYNCD DB [ARGS...]: serve, named "serve", with the store DB on a free port of
# 127.0.0.1.
start_syncd() {
    _syncd=$1
    _db=$2
    shift 2
    serve serve "$_syncd" serve --db "$_db" --listen 127.0.0.1:0 "$@"
}

# stop_syncd [PID]: stops that server (the last started when no PID is given) with SIGTERM and
# waits for it; its exit status goes to SERVER_RC. A server already gone (killed by a test)
# is only waited for.
stop_syncd() {
    _pid=${1:-$SERVER}
    [ -n "$_pid" ] || return 0
    kill -TERM "$_pid" 2>/dev/null
    wait "$_pid" 2>/dev/null
    SERVER_RC=$?
    SERVERS=$(echo " $SERVERS " | sed "s/ $_pid / /g")
    [ "$_pid" = "$SERVER" ] && SERVER=""
    return 0
}

# stop_all_syncd: stops every server still running.
stop_all_syncd() {
    for _p in $SERVERS; do
        stop_syncd "$_p"
    done
}

# geo_db DB: the table of units (schema/geography/sonla_2025.csv and its district names) in a
# fresh SQLite file, read independently of the programs: geo(new_code, new_name, dists, olds),
# above(code, name_vi, name_en), and pred(new_code, old_code, partial, old_name) with the predecessor
# column exploded in SQL. Needs SRC.
geo_db() {
    sqlite3 "$1" "CREATE TABLE geo(new_code TEXT, new_name TEXT, dists TEXT, olds TEXT);
CREATE TABLE above(code TEXT, name_vi TEXT, name_en TEXT);" &&
        sqlite3 "$1" ".import --csv --skip 1 $SRC/schema/geography/sonla_2025.csv geo" &&
        sqlite3 "$1" ".import --csv --skip 1 $SRC/schema/geography/sonla_2025_above.csv above" &&
        sqlite3 "$1" "CREATE TABLE pred AS WITH RECURSIVE x(new_code, rest, item) AS (
  SELECT new_code, olds || ';', NULL FROM geo
  UNION ALL SELECT new_code, substr(rest, instr(rest, ';') + 1), substr(rest, 1, instr(rest, ';') - 1)
  FROM x WHERE rest <> '')
SELECT new_code, substr(item, 1, instr(item, ':') - 1) AS old_code, item LIKE '%(partial)' AS partial,
  substr(item, instr(item, ':') + 1, length(item) - instr(item, ':') - CASE WHEN item LIKE '%(partial)' THEN 9 ELSE 6 END) AS old_name
FROM x WHERE item IS NOT NULL"
}
