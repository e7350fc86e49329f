#!/bin/bash
# --timeout SECONDS on an endless firmware: exit 73, the run's own wall time
# (the summary's "in X s wall", from the start of the simulation, which is
# what --timeout counts) within [LO, HI] seconds, and the whole process
# (start-up and exit included) at least LO and at most PROCESS_HI seconds.
# On a CPU-starved machine the process's start-up alone can take a second.
#   timeout_wall.sh MCUSIM ELF DEVICE SECONDS LO HI PROCESS_HI
set -u
mcusim=$1 elf=$2 device=$3 seconds=$4 lo=$5 hi=$6 process_hi=$7
tmp=$(mktemp) || exit 1
start=$(date +%s.%N)
"$mcusim" run "$elf" -d "$device" --no-db --timeout "$seconds" > /dev/null 2> "$tmp"
rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
err=$(cat "$tmp"); rm -f "$tmp"
run=$(echo "$err" | sed -n 's/.* in \([0-9.]*\) s wall.*/\1/p')
echo "exit $rc; the run took ${run:-?} s, the process $took s (--timeout $seconds)"
[ $rc -eq 73 ] || { echo "FAIL: exit code $rc, expected 73"; echo "$err"; exit 1; }
echo "$err" | grep -q "wall-clock timeout of $seconds s reached" || { echo "FAIL: no timeout message"; echo "$err"; exit 1; }
[ -n "$run" ] || { echo "FAIL: no wall time in the summary"; echo "$err"; exit 1; }
if [ "$(echo "$run < $lo || $run > $hi" | bc)" = 1 ]; then
  echo "FAIL: the run took $run s, expected $lo..$hi s"
  exit 1
fi
if [ "$(echo "$took < $lo || $took > $process_hi" | bc)" = 1 ]; then
  echo "FAIL: the process took $took s, expected $lo..$process_hi s"
  exit 1
fi
echo "ok"
