/**
 * The writer thread (see store-writer.ts): applies each batch to its own connection to the
 * capture store and reports the outcome. It posts the outcome before bumping the shared
 * signal, so the capture thread, woken by the signal, always finds the outcome on its port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureStore } from './capture-store.js';
import { EXITED, type WriteOutcome, type WriterRequest, type WriterThreadData } from './writer.js';
import { writeFailureOf } from './write-failure.js';

const { dataDir, retention, signal, port } = workerData as WriterThreadData;
const finished = new Int32Array(signal);
// Whatever ends this thread (an exception, process.exit), say so where the capture thread looks
// while it waits: blocked in Atomics.wait, it cannot get the worker's 'exit' event.
process.on('exit', () => {
  Atomics.store(finished, EXITED, 1);
  Atomics.notify(finished, 0);
});
// 16 MiB keeps the index pages recent rows go to hot; 64 measured no faster here and costs RSS (B5).
const store = new CaptureStore(dataDir, { cacheMiB: 16 });

function report(message: WriteOutcome | { type: 'done' }): void {
  port.postMessage(message);
  Atomics.add(finished, 0, 1);
  Atomics.notify(finished, 0);
}

parentPort?.on('message', (request: WriterRequest) => {
  switch (request.type) {
    case 'batch':
      try {
        report({ seq: request.seq, ok: true, result: store.applyBatch(request.batch, retention) });
      } catch (e) {
        report({ seq: request.seq, ok: false, failure: writeFailureOf(e) });
      }
      return;
    case 'close':
      try {
        store.close();
      } finally {
        report({ type: 'done' });
      }
      return;
  }
});
