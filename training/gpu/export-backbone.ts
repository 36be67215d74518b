/**
 * Writes the ONNX backbone that training/gpu/finetune_cifar.py fine-tunes: an nsfwjs Keras model converted
 * by the project's own converter, input range [0, 1] (what nsfwjs feeds all its models), descriptor = the
 * last convolutional feature map global-average-pooled (L2-normalised). BatchNormalization is folded into
 * the convolutions, which the PyTorch side turns into trainable weights and biases.
 *
 * - `mobilenet_v2` (default): `out_relu` GAP, 1280-d;
 * - `inception_v3`: `mixed10` (the last concatenation) GAP, 2048-d; nsfwjs runs it at 299×299, and its
 *   smallest valid input is 75×75.
 *
 *   npx tsx training/gpu/export-backbone.ts --out DIR                  → DIR/backbone-full.onnx (MobileNetV2, 160)
 *   npx tsx training/gpu/export-backbone.ts --out DIR --model inception_v3 --size 299
 *                                                                       → DIR/backbone-inception_v3-299.onnx
 *
 * Any other model/size than MobileNetV2 at 160 is written as `backbone-<model>-<size>.onnx`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertBackbone, type BackboneSpec } from '../../model/backbone/convert.js';
import { loadNsfwjsKerasModel } from '../../model/backbone/keras.js';

/** The pooled layer per nsfwjs model directory. */
const FEATURE_LAYERS: Record<string, string> = { mobilenet_v2: 'out_relu', inception_v3: 'mixed10' };
const DEFAULT_MODEL = 'mobilenet_v2';
const DEFAULT_SIZE = 160;
const USAGE =
  'usage: npx tsx training/gpu/export-backbone.ts --out DIR [--model mobilenet_v2|inception_v3] [--size N (default 160)]';

function main(): void {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, model: { type: 'string' }, size: { type: 'string' } },
  });
  const modelName = values.model ?? DEFAULT_MODEL;
  const size = Number(values.size ?? DEFAULT_SIZE);
  const layer = FEATURE_LAYERS[modelName];
  if (!values.out || !layer || !Number.isInteger(size) || size < 32) throw new Error(USAGE);
  const spec: BackboneSpec = { inputSize: size, inputRange: 'unit', parts: [{ layer, pooling: 'gap' }] };
  mkdirSync(values.out, { recursive: true });
  const sizeNote = size === DEFAULT_SIZE ? '' : ` at ${size}x${size}`;
  const converted = convertBackbone(loadNsfwjsKerasModel(modelName), spec, {
    metadata: {
      source: `nsfwjs ${modelName} (Keras), converted by lookalike; ${layer} GAP${sizeNote}, for GPU fine-tuning`,
    },
  });
  const fileName =
    modelName === DEFAULT_MODEL && size === DEFAULT_SIZE ? 'backbone-full.onnx' : `backbone-${modelName}-${size}.onnx`;
  const file = path.join(values.out, fileName);
  writeFileSync(file, converted.bytes);
  process.stdout.write(
    `${file}: ${converted.bytes.length} bytes, descriptor ${converted.descriptorDim}-d (${layer} ${converted.layerShapes[layer]?.join('×')})\n`,
  );
}

main();
