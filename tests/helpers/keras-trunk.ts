/**
 * Test support for the backbone converter's equivalence tests: an nsfwjs Keras model in tfjs, cut after one
 * layer (the models' pooling/dense tails only fit their native input size) with its input resized, and the
 * error measures the tests compare with.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { readNsfwjsArtifacts } from '../../model/backbone/keras.js';

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The Keras model `model` of nsfwjs in tfjs, cut after `lastLayer`, its input resized to `size` × `size`. */
export async function loadKerasTrunk(
  model: Parameters<typeof readNsfwjsArtifacts>[0],
  lastLayer: string,
  size: number,
): Promise<tf.LayersModel> {
  const artifacts = readNsfwjsArtifacts(model);
  const topology = structuredClone(artifacts.modelTopology) as {
    model_config: {
      config: { layers: { name: string; config: Record<string, unknown> }[]; output_layers: unknown[] };
    };
  };
  const config = topology.model_config.config;
  config.layers = config.layers.slice(0, config.layers.findIndex((l) => l.name === lastLayer) + 1);
  config.layers[0].config.batch_input_shape = [null, size, size, 3];
  config.output_layers = [[lastLayer, 0, 0]];
  return tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology } as tf.io.ModelArtifacts), {
    strict: false,
  });
}
