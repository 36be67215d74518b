#!/usr/bin/env bash
# One GPU run of the CIFAR-10 fine-tuning measurement (see training/gpu/README.md), from the repo root.
# Expects .gpu-carry/backbone-full.onnx and .gpu-carry/cifar10-jpeg.tar.gz; writes $OUT/finetune-cifar.json
# and $OUT/finetune-cifar.log. `timeout 480` leaves the results time to come back within a 10-minute call.
# Extra arguments go to the script (e.g. --epochs 10).
set -uo pipefail
OUT="${OUT:-bench-results/gpu}"
mkdir -p "$OUT"
CARRY=.gpu-carry
for f in "$CARRY/backbone-full.onnx" "$CARRY/cifar10-jpeg.tar.gz"; do
  [ -f "$f" ] || { echo "missing $f" | tee "$OUT/finetune-cifar.log"; exit 2; }
done
{ nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true; } 2>&1 | tee "$OUT/finetune-cifar.log"
PYTHONUNBUFFERED=1 timeout 480 python3 training/gpu/finetune_cifar.py \
  --onnx "$CARRY/backbone-full.onnx" \
  --cifar "$CARRY/cifar10-jpeg.tar.gz" \
  --out "$OUT/finetune-cifar.json" \
  "$@" 2>&1 | tee -a "$OUT/finetune-cifar.log"
rc=${PIPESTATUS[0]}
echo "exit $rc" | tee -a "$OUT/finetune-cifar.log"
exit "$rc"
