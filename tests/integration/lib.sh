# lib.sh - shared helpers for the integration tests (sourced, not run)

fails=0
passes=0
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/dieutra-test.XXXXXX")

# Keeps the logs of a failed run, removes them otherwise.
finish() {
    echo "$passes passed, $fails failed"
    if [ "$fails" -gt 0 ]; then
        echo "logs kept in $LOGDIR"
        exit 1
    fi
    rm -rf "$LOGDIR"
    exit 0
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

SERVER=""
PORT=""
URL=""

SERVER_RC=""

# stop_syncd: stops the server start_syncd started (SIGTERM, as systemd does), if any; its
# exit status goes to SERVER_RC.
stop_syncd() {
    if [ -n "$SERVER" ]; then
        kill -TERM "$SERVER" 2>/dev/null
        wait "$SERVER" 2>/dev/null
        SERVER_RC=$?
        SERVER=""
    fi
}

# start_syncd SYNCD DB [ARGS...]: `syncd serve` on 127.0.0.1:0 (its output in LOGDIR/serve.out
# and serve.err); sets SERVER (its pid), PORT and URL, and stops it when the test ends.
# Returns 1, having said why, when it did not start.
start_syncd() {
    _syncd=$1
    _db=$2
    shift 2
    "$_syncd" serve --db "$_db" --listen 127.0.0.1:0 "$@" >"$LOGDIR/serve.out" 2>"$LOGDIR/serve.err" &
    SERVER=$!
    trap stop_syncd EXIT
    trap 'stop_syncd; exit 1' INT TERM
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n 's/^syncd: listening on 127\.0\.0\.1:\([0-9][0-9]*\),.*/\1/p' "$LOGDIR/serve.out")
        [ -n "$PORT" ] && break
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$PORT" ] || [ "$PORT" = 0 ]; then
        not_ok "syncd serve did not say where it listens: $(cat "$LOGDIR/serve.out" "$LOGDIR/serve.err")"
        return 1
    fi
    URL=http://127.0.0.1:$PORT
}
