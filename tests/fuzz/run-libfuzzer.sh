#!/bin/sh
# run-libfuzzer.sh - builds the fuzz targets of the push-body parser and of the .xlsx reader
# with clang's libFuzzer and runs each for SECONDS (default 30) over a scratch copy of its saved
# corpus. A crash fails the run and leaves the input in the scratch folder. Used by
# packaging/run-tests.
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
        common/uuid.c common/buf.c common/expr_eval.c common/expr_parse.c common/expr_fn.c \
        -lcjson -lsodium -lz -lm -o "$W/fuzz_push" 2>"$W/build.log"; then
    echo "run-libfuzzer: clang cannot build libFuzzer targets here (libclang-rt-14-dev?):"
    cat "$W/build.log"
    exit 1
fi
if ! clang $F tests/fuzz/fuzz_xlsx.c common/xlsx.c common/buf.c common/err.c -lzip -lexpat \
        -o "$W/fuzz_xlsx" 2>"$W/build.log"; then
    cat "$W/build.log"
    exit 1
fi
# fuzz NAME WHAT TIMEOUT RSS_MB MALLOC_MB: runs $W/fuzz_NAME over a copy of corpus/NAME
fuzz() {
    mkdir -p "$W/corpus-$1"
    cp "tests/fuzz/corpus/$1"/* "$W/corpus-$1/"
    echo "run-libfuzzer: fuzzing $2 for ${SECONDS_TO_RUN}s"
    if "$W/fuzz_$1" -max_total_time="$SECONDS_TO_RUN" -timeout="$3" -rss_limit_mb="$4" \
            -malloc_limit_mb="$5" -artifact_prefix="$W/" -print_final_stats=1 "$W/corpus-$1" \
            >"$W/fuzz.log" 2>&1; then
        grep -E "stat::number_of_executed_units|Done" "$W/fuzz.log" | head -3
    else
        tail -40 "$W/fuzz.log"
        echo "run-libfuzzer: a crash; the input is in $W"
        exit 1
    fi
}
fuzz push "the push parser" 5 1024 512
fuzz xlsx "the .xlsx reader" 10 2048 1024
rm -rf "$W"
