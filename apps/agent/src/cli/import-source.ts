/**
 * `--import <file>`: an NDJSON capture loaded once at start, shown as a source (state
 * `imported`) so the health view says where the data came from. No broker is involved.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { SourceHealth } from '@osloscope/shared';
import type { Logger } from '../log.js';
import type { CaptureService } from '../ports/capture-service.js';
import type { CaptureSource } from '../ports/source.js';

export interface ImportSourceOptions {
  file: string;
  /** The core's import (with a source name for the imported records). */
  importNdjson: (lines: AsyncIterable<string>, opts: { source: string }) => ReturnType<CaptureService['importNdjson']>;
  logger: Logger;
}

export function createImportSource(opts: ImportSourceOptions): CaptureSource {
  const name = `import:${path.basename(opts.file)}`;
  let state: SourceHealth['state'] = 'stopped';
  let lastError: string | null = null;
  let result: { imported: number; errors: number } | null = null;
  let loadedAt: number | null = null;

  return {
    name,
    async start() {
      state = 'connecting';
      try {
        const lines = createInterface({ input: createReadStream(opts.file, 'utf8'), crlfDelay: Infinity });
        result = await opts.importNdjson(lines, { source: name });
        loadedAt = Date.now();
        state = 'imported';
        opts.logger.info('capture imported', { file: opts.file, ...result });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        lastError = `cannot import ${opts.file}${typeof code === 'string' ? ` (${code})` : ''}`;
        state = 'stopped';
        opts.logger.error(lastError);
      }
    },
    async stop() {
      if (state !== 'imported') state = 'stopped';
    },
    health(): SourceHealth {
      const warnings = result && result.errors > 0 ? [`${result.errors} line(s) of ${opts.file} could not be imported`] : [];
      return {
        name,
        url: `file://${path.resolve(opts.file)}`,
        mode: 'import',
        state,
        vhost: null,
        host: null,
        tracing: [],
        tracingEnabledByAgent: false,
        warnings,
        blindSpots: [],
        lastError,
        connectedSince: loadedAt,
        reconnects: 0,
        backlog: null,
      };
    },
  };
}
