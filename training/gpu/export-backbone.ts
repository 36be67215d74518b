/**
 * Writes the ONNX backbone that training/gpu/finetune_cifar.py fine-tunes: the nsfwjs MobileNetV2
 * converted by the project's own converter at 160×160, input range [0, 1], descriptor = `out_relu`
 * global average pool (1280-d, L2-normalised). BatchNormalization is folded into the convolutions,
 * which the PyTorch side turns into trainable weights and biases.
 *
 *   npx tsx training/gpu/export-backbone.ts --out DIR   → DIR/backbone-full.onnx
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertBackbone, type BackboneSpec } from '../../model/backbone/convert.js';
import { loadNsfwjsKerasModel } from '../../model/backbone/keras.js';

const FULL_BACKBONE_FILE = 'backbone-full.onnx';

const FULL_BACKBONE_SPEC: BackboneSpec = {
  inputSize: 160,
  inputRange: 'unit',
  parts: [{ layer: 'out_relu', pooling: 'gap' }],
};

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: npx tsx training/gpu/export-backbone.ts --out DIR');
  mkdirSync(values.out, { recursive: true });
  const converted = convertBackbone(loadNsfwjsKerasModel('mobilenet_v2'), FULL_BACKBONE_SPEC, {
    metadata: { source: 'nsfwjs mobilenet_v2 (Keras), converted by lookalike; out_relu GAP, for GPU fine-tuning' },
  });
  const file = path.join(values.out, FULL_BACKBONE_FILE);
  writeFileSync(file, converted.bytes);
  process.stdout.write(
    `${file}: ${converted.bytes.length} bytes, descriptor ${converted.descriptorDim}-d (out_relu ${converted.layerShapes.out_relu?.join('×')})\n`,
  );
}

main();
