#!/bin/sh
# primitives.sh - runs primitives.R (the weighting chain against R's survey package) in a
# fresh folder; skipped (77) when R or its survey package is not installed.
set -eu
check=$1
here=$(dirname "$0")
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(survey)' >/dev/null 2>&1; then
    echo "skipped: Rscript with the survey package (r-base-core, r-cran-survey) is not installed"
    exit 77
fi
dir=$(mktemp -d /tmp/dieutra-test.r.XXXXXX)
trap 'rm -rf "$dir"' EXIT
Rscript "$here/primitives.R" "$check" "$dir"
