#!/bin/sh
# run-libfuzzer.sh - builds the push-body parser's fuzz target with clang's libFuzzer and runs
# it for SECONDS (default 30) over a scratch copy of the saved corpus. A crash fails the run
# and leaves the input in the scratch folder. Used by packaging/run-tests.
# usage: run-libfuzzer.sh BUILD_DIR [SECONDS]
set -eu
BUILD=$1
SECONDS_TO_RUN=${2:-30}
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "run-libfuzzer: no clang, skipped"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/dieutra-fuzz.XXXXXX")
F="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer
   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Icommon -I$BUILD/generated"
# shellcheck disable=SC2086
if ! clang $F tests/fuzz/fuzz_push.c common/proto.c common/seal.c common/json.c common/utf8.c common/err.c \
        common/uuid.c common/buf.c common/expr_eval.c common/expr_parse.c \
        -lcjson -lsodium -lz -lm -o "$W/fuzz_push" 2>"$W/build.log"; then
    echo "run-libfuzzer: clang cannot build libFuzzer targets here (libclang-rt-14-dev?):"
    cat "$W/build.log"
    exit 1
fi
mkdir -p "$W/corpus"
cp tests/fuzz/corpus/push/* "$W/corpus/"
echo "run-libfuzzer: fuzzing the push parser for ${SECONDS_TO_RUN}s"
if "$W/fuzz_push" -max_total_time="$SECONDS_TO_RUN" -timeout=5 -rss_limit_mb=1024 \
        -malloc_limit_mb=512 -artifact_prefix="$W/" -print_final_stats=1 "$W/corpus" \
        >"$W/fuzz.log" 2>&1; then
    grep -E "stat::number_of_executed_units|Done" "$W/fuzz.log" | head -3
    rm -rf "$W"
else
    tail -40 "$W/fuzz.log"
    echo "run-libfuzzer: a crash; the input is in $W"
    exit 1
fi
