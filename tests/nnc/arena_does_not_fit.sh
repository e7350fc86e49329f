#!/bin/sh
# The link of a model whose arena does not fit the device's RAM fails with the
# clear message of firmware/ld/common.ld (docs/tinyml.md, "The memory plan"):
# FP32 IC (arena 196,608 B) for the STM32G0B1 (144 KiB RAM), linked as the
# firmware build links a model image, but outside it (the pair is not built).
#
#   arena_does_not_fit.sh MCUSIM_NNC ARM_GCC SOURCE_DIR WORK_DIR
set -u
nnc=$1 gcc=$2 src=$3 work=$4
fw=$src/firmware
rm -rf "$work" && mkdir -p "$work" || exit 1
"$nnc" "$src/models/mlperf-tiny/pretrainedResnet.tflite" -o "$work/ic_f32" --target cortex-m0plus --quiet || {
  echo "FAIL: mcusim-nnc could not generate the model"; exit 1; }
"$gcc" -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft -O2 -ffp-contract=off -ffunction-sections -fdata-sections \
  -DMCUSIM_NN_MARKERS -DMCUSIM_MARKERS_SIMULATOR_ONLY -DNN_FIRMWARE -DNN_MODEL=ic_f32_model -DNN_MODEL_HEADER='"ic_f32.h"' \
  -I"$fw/include" -I"$fw/nn/include" -I"$fw/nn/runner" -I"$work" \
  "$work/ic_f32.c" "$fw"/nn/src/*/*.c "$fw/nn/runner/nn_runner.c" "$fw/nn/runner/fw_main.c" \
  "$fw/src/startup.c" "$fw/src/mcusim.c" \
  --specs=nano.specs --specs=rdimon.specs -nostartfiles -Wl,--gc-sections -L"$fw/ld" -T"$fw/ld/stm32g0b1.ld" \
  -lm -o "$work/model-ic_f32-stm32g0b1.elf" >"$work/link.log" 2>&1
rc=$?
cat "$work/link.log"
if [ $rc -eq 0 ]; then
  echo "FAIL: the link succeeded although the arena does not fit"; exit 1
fi
if grep -q "undefined reference\|error:" "$work/link.log" && ! grep -q "ld returned" "$work/link.log"; then
  echo "FAIL: the build failed before the link"; exit 1
fi
if grep -q "undefined reference" "$work/link.log"; then
  echo "FAIL: the link failed for another reason (undefined references)"; exit 1
fi
if ! grep -q "the model arena (.bss.nn_arena + .bss.nn_scratch) does not fit the device's RAM.*see mcusim-nnc --plan" "$work/link.log"; then
  echo "FAIL: the link failed without the arena message"; exit 1
fi
echo "ok: the link fails with the arena message"
