#!/bin/bash
# A run stopped by a signal is stored, exits 75 and names the signal.
#   signal_stop.sh MCUSIM ELF DEVICE SIGNAL WORKDIR "TEXT" [stdin-open]
# Starts `mcusim run ELF --db WORKDIR/runs.db` (an endless firmware), sends
# SIGNAL once the run has started, then checks the exit code (75), that TEXT
# is in the summary on stderr, and that the run database holds one run whose
# stop reason is TEXT and that has its profile (--db FILE turns profiling on).
# With stdin-open, mcusim's stdin is a pipe kept open and empty, so a firmware
# that reads stdin is blocked in that read when the signal comes.
set -u
mcusim=$1 elf=$2 device=$3 sig=$4 dir=$5 text=$6 mode=${7:-}
fail() { echo "FAIL: $*"; echo "--- stderr:"; cat "$dir/err" 2>/dev/null; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || exit 1
db=$dir/runs.db

if [ "$mode" = stdin-open ]; then
  mkfifo "$dir/in" || exit 1
  "$mcusim" run "$elf" -d "$device" --db "$db" < "$dir/in" > "$dir/out" 2> "$dir/err" &
  pid=$!
  exec 3> "$dir/in" # the writer end, held open (and empty) until the end
else
  "$mcusim" run "$elf" -d "$device" --db "$db" > "$dir/out" 2> "$dir/err" &
  pid=$!
fi
# The "timing:" line is printed just before the simulation starts.
for _ in $(seq 200); do
  grep -q "timing:" "$dir/err" && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
grep -q "timing:" "$dir/err" || { kill -KILL $pid 2>/dev/null; fail "the run did not start"; }
sleep 0.3
sent=$(date +%s.%N)
kill -s "$sig" $pid
wait $pid
rc=$?
exec 3>&-
took=$(echo "$(date +%s.%N) - $sent" | bc)
echo "exit $rc, $took s after $sig"

[ $rc -eq 75 ] || fail "exit code $rc, expected 75"
grep -q "mcusim: $text after [0-9,]* instructions" "$dir/err" || fail "no '$text after ... instructions' in the summary"
grep -q "mcusim: run 1 stored in" "$dir/err" || fail "the run was not stored"
json=$("$mcusim" report last --db "$db" --format json) || fail "mcusim report last failed"
echo "$json" | grep -q "\"stop_reason\": *\"$text\"" || fail "stored stop reason is not '$text': $(echo "$json" | grep stop_reason)"
echo "$json" | grep -q '"profiled": *true' || fail "the stored run has no profile"
echo "$json" | grep -q '"cycles": *[1-9]' || fail "the stored run has no cycles"
echo "ok: $text, stored"
