#!/bin/bash
# `mcusim run FW | head -n 1` with an endless printer: the closed output stops
# the run (exit 75, not 141), which is stored in the default database
# (./mcusim-runs.db) with the stop reason naming SIGPIPE.
#   output_closed.sh MCUSIM ELF DEVICE WORKDIR
set -u
mcusim=$1 elf=$2 device=$3 dir=$4
fail() { echo "FAIL: $*"; echo "--- stderr:"; cat "$dir/err" 2>/dev/null; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
text="stopped by SIGPIPE (output closed)"

"$mcusim" run "$elf" -d "$device" 2> err | head -n 1 > out
rc=${PIPESTATUS[0]}
echo "exit $rc"
[ $rc -eq 75 ] || fail "exit code $rc, expected 75"
[ "$(cat out)" = "line 1" ] || fail "head printed '$(cat out)'"
grep -qF "mcusim: $text after" err || fail "no '$text' in the summary"
grep -q "mcusim: run 1 stored in .*mcusim-runs.db" err || fail "the run was not stored"
json=$("$mcusim" report last --format json) || fail "mcusim report last failed"
echo "$json" | grep -qF "\"stop_reason\": \"$text\"" || fail "stored stop reason: $(echo "$json" | grep stop_reason)"
echo "$json" | grep -q '"instructions": *[1-9]' || fail "the stored run has no instructions"
echo "ok"
