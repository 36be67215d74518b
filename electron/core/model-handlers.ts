import path from 'node:path';
import type { HandlerGroup } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { DecodeError } from '../../model/image/decode.js';
import { imageInputError } from '../library/analyzer.js';
import { encodeFile } from '../../model/encode-file.js';
import type { ModelHost } from './model-host.js';

/** `model.*`: the query network on single images. */
export function modelHandlers(model: ModelHost): HandlerGroup {
  return {
    'model.encode': async ({ path: file }) => {
      const encoder = await model.encoder();
      try {
        return await encodeFile(path.resolve(file), { encoder });
      } catch (error) {
        if (error instanceof DecodeError || (error as NodeJS.ErrnoException).code?.startsWith('E')) {
          throw imageInputError(error, file);
        }
        throw new AppError('MODEL_ERROR', (error as Error).message);
      }
    },
  };
}
