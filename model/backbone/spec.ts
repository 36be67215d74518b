/**
 * Which backbone the app ships, and the candidates the ablation benchmark compares.
 * Chosen by `npm run bench:backbone`; the table and the reasons are in model/README.md.
 */
import type { BackboneSpec } from './convert.js';

/** Bump when anything that changes descriptor values changes (spec, converter, weights). */
export const BACKBONE_VERSION = 'mnv2-160-b10e4-b13e-v1';

/**
 * 160×160 input in [0, 1] (what nsfwjs feeds the model; [−1, 1] measured worse), descriptor =
 * block_10_expand_relu global + 2×2 regional average pools (instance detail, the best near-duplicate
 * separation) and block_13_expand_relu global average (deeper, more semantic), 1920 + 576 = 2496-d.
 */
export const DEFAULT_BACKBONE_SPEC: BackboneSpec = {
  inputSize: 160,
  inputRange: 'unit',
  parts: [
    { layer: 'block_10_expand_relu', pooling: 'regions2x2' },
    { layer: 'block_13_expand_relu', pooling: 'gap' },
  ],
};

/** Layers whose conversion the equivalence test checks against tfjs (every layer any spec here exposes). */
export const VERIFIED_LAYERS = [
  'block_6_expand_relu',
  'block_10_project_BN',
  'block_10_expand_relu',
  'block_13_expand_relu',
  'block_16_project_BN',
  'out_relu',
] as const;
