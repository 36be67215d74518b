#!/usr/bin/env bash
# The CIFAR-10 fine-tuning measurement (see training/gpu/README.md, "InceptionV3") for the nsfwjs InceptionV3,
# from the repo root: frozen `mixed10` GAP vs fine-tuning the mixed9 and mixed10 blocks (30 epochs), at 160×160,
# then at 299×299 (nsfwjs' own input size).
#
# Expects .gpu-carry/cifar10-jpeg.tar.gz and .gpu-carry/backbone-inception_v3-160.onnx (or .onnx.gz: 87 MB
# raw, 26 MB gzipped). The 299 run uses .gpu-carry/backbone-inception_v3-299.onnx[.gz] when present, else the
# 160 graph with --input-size 299 (InceptionV3's pads do not depend on the input size: its stride-2 layers are
# "valid"; finetune_cifar.py refuses the override for graphs where they do).
# Writes inception-<size>.json and inception-<size>.log to $OUT (4 files); `timeout` keeps the whole script
# under 540 s. Extra arguments go to both python calls (e.g. --epochs 15).
set -uo pipefail
OUT="${OUT:-bench-results/gpu}"
mkdir -p "$OUT"
CARRY=.gpu-carry
CIFAR="$CARRY/cifar10-jpeg.tar.gz"
PREFIXES=mixed9,mixed10
EPOCHS=30

find_graph() { # first existing of .onnx / .onnx.gz for a size
  for f in "$CARRY/backbone-inception_v3-$1.onnx" "$CARRY/backbone-inception_v3-$1.onnx.gz"; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}

run_size() { # size graph seconds [extra args…]
  local size=$1 graph=$2 seconds=$3 log="$OUT/inception-$1.log"
  shift 3
  { nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true; } >"$log" 2>&1
  echo "size $size: $graph ($seconds s)" | tee -a "$log"
  PYTHONUNBUFFERED=1 timeout "$seconds" python3 training/gpu/finetune_cifar.py \
    --onnx "$graph" --cifar "$CIFAR" --out "$OUT/inception-$size.json" \
    --modes frozen,finetune --trainable-prefixes "$PREFIXES" --epochs "$EPOCHS" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  echo "exit $rc" | tee -a "$log"
  return "$rc"
}

[ -f "$CIFAR" ] || { echo "missing $CIFAR"; exit 2; }
G160=$(find_graph 160) || { echo "missing $CARRY/backbone-inception_v3-160.onnx[.gz]"; exit 2; }
run_size 160 "$G160" 190 "$@"
rc=$?
if G299=$(find_graph 299); then
  run_size 299 "$G299" 330 "$@"
else
  run_size 299 "$G160" 330 --input-size 299 "$@"
fi
rc2=$?
exit $((rc != 0 ? rc : rc2))
