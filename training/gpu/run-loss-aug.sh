#!/usr/bin/env bash
# One GPU call: the loss (pairwise vs hash centres) × augmentation (pad-crop vs strong) grid on CIFAR-10, the
# MobileNetV2 at 224 px, every block but the stem fine-tuned, 40 epochs, backbone lr 3e-4, weight decay 0.05 (the
# best setting of training/gpu/README.md, "Input size"). The four runs share the GPU. Expects
# .gpu-carry/backbone-mobilenet_v2-224.onnx (npx tsx training/gpu/export-backbone.ts --out .gpu-carry --size 224)
# and .gpu-carry/cifar10-jpeg.tar.gz; writes <name>.json and <name>.log per run to $OUT. Each python process is
# stopped after $LIMIT seconds (default 400). Extra arguments go to every run.
set -u
OUT="${OUT:-bench-results/gpu}"
LIMIT="${LIMIT:-400}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true; } 2>&1 | tee "$OUT/gpu.txt"
run() {
  local name="$1"; shift
  timeout "$LIMIT" python3 training/gpu/finetune_cifar.py --onnx .gpu-carry/backbone-mobilenet_v2-224.onnx \
    --cifar .gpu-carry/cifar10-jpeg.tar.gz --out "$OUT/$name.json" --modes finetune --from-block 1 --epochs 40 \
    --lr-backbone 3e-4 --weight-decay 0.05 --workers 4 "$@" > "$OUT/$name.log" 2>&1
  echo "$name exit $?" >> "$OUT/$name.log"
}
EXTRA=("$@")
run pairwise-crop --loss pairwise --augment crop "${EXTRA[@]}" &
run centers-crop --loss centers --augment crop "${EXTRA[@]}" &
run pairwise-strong --loss pairwise --augment strong "${EXTRA[@]}" &
run centers-strong --loss centers --augment strong "${EXTRA[@]}" &
wait
for f in "$OUT"/*.log; do echo "== $f"; grep -E "bits: MAP|exit|epoch (10|20|30|40)/" "$f"; done
