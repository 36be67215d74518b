import path from 'node:path';
import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { DecodeError } from '../../model/image/decode.js';
import { imageInputError } from '../library/analyzer.js';
import { encodeFile } from '../../model/encode-file.js';
import type { Library } from '../library/library.js';
import type { ModelHost } from './model-host.js';

/** `model.encode`: the query network on single images (the similarity code by the library's head in use). */
export function modelHandlers(model: ModelHost, library: Library): HandlerGroup {
  return {
    'model.encode': async ({ path: file }) => {
      const encoder = await model.encoder();
      try {
        return await library.withSimilarityHead(encoder.backboneVersion, (head) =>
          encodeFile(path.resolve(file), { encoder, similarity: head ?? undefined }),
        );
      } catch (error) {
        if (error instanceof DecodeError || (error as NodeJS.ErrnoException).code?.startsWith('E')) {
          throw imageInputError(error, file);
        }
        throw new AppError('MODEL_ERROR', (error as Error).message);
      }
    },
  };
}
