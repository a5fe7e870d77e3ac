#!/usr/bin/env bash
# Regenerates the golden results compared by the e2e config tests, after a deliberate change
# to the model or the result format: tests/e2e/update-golden.sh [build/dmasim]
# Review the diff before committing it: every changed number should be explained.
set -euo pipefail
cd "$(dirname "$0")/../.."
dmasim=${1:-build/dmasim}
for name in map-register-limit pae-hang smp-uniprocessor; do
    out=$(mktemp -d)
    # outcomes such as a hang exit 10..14 and still write their results
    rc=0
    "$dmasim" run "configs/$name.yaml" -q -j 1 -o "$out" || rc=$?
    [ "$rc" -lt 64 ] || exit "$rc"
    cp "$out/result.json" "tests/data/golden/$name.json"
    rm -rf "$out"
    echo "updated tests/data/golden/$name.json"
done
