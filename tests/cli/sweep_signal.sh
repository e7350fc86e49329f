#!/bin/bash
# A sweep stopped by SIGINT: the running points stop and are stored, the
# others are not started, every point keeps its row, and the exit code is 75.
#   sweep_signal.sh MCUSIM ELF DEVICE WORKDIR
# ELF spins forever; three clocks on two threads: two points run, one waits.
set -u
mcusim=$1 elf=$2 device=$3 dir=$4
fail() { echo "FAIL: $*"; echo "--- stdout:"; cat "$dir/out"; echo "--- stderr:"; cat "$dir/err"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || exit 1
"$mcusim" sweep "$elf" -d "$device" --mhz 16,48,80 --jobs 2 --timeout 30 --db "$dir/runs.db" > "$dir/out" 2> "$dir/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 75 ] || fail "exit code $rc, expected 75"
grep -Eq "^ +1 +$device +16 .*failed \(exit 75\): interrupted by SIGINT \(run [12]\)$" "$dir/out" || fail "point 1 not stopped and stored"
grep -Eq "^ +2 +$device +48 .*failed \(exit 75\): interrupted by SIGINT \(run [12]\)$" "$dir/out" || fail "point 2 not stopped and stored"
grep -Eq "^ +3 +$device +80 .*failed \(exit 75\): not run: interrupted by SIGINT$" "$dir/out" || fail "point 3 started"
grep -q "mcusim: 2 runs stored in" "$dir/err" || fail "not 2 runs stored"
n=$("$mcusim" runs --db "$dir/runs.db" | grep -c "interrupted by")
[ "$n" -eq 2 ] || fail "$n interrupted runs in the database, expected 2"
echo "ok"
