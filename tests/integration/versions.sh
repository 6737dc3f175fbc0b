#!/bin/sh
# versions.sh - both programs start, answer --help and --version, and report the libraries
# they were linked with.
# usage: versions.sh COLLECTOR SYNCD
set -u
. "$(dirname "$0")/lib.sh"

"$1" --version >"$LOGDIR/c.out" 2>&1 && grep -q '^collector [0-9]' "$LOGDIR/c.out" &&
    grep -q 'sqlite' "$LOGDIR/c.out" && grep -q 'libcurl' "$LOGDIR/c.out" && ok ||
    { not_ok "collector --version"; cat "$LOGDIR/c.out"; }
"$1" --help >"$LOGDIR/ch.out" 2>&1 && grep -q 'form check' "$LOGDIR/ch.out" && ok ||
    { not_ok "collector --help"; cat "$LOGDIR/ch.out"; }
"$2" --version >"$LOGDIR/s.out" 2>&1 && grep -q '^syncd [0-9]' "$LOGDIR/s.out" &&
    grep -q 'libmicrohttpd' "$LOGDIR/s.out" && ok || { not_ok "syncd --version"; cat "$LOGDIR/s.out"; }
"$2" --help >/dev/null 2>&1 && ok || not_ok "syncd --help"
finish
