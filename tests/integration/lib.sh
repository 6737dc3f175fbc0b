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
