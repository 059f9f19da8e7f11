/** Runs prettyOsloBody in a worker so MB bodies never block the main thread. */
let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (pretty: string | null) => void>();

export function prettyInWorker(text: string): Promise<string | null> {
  if (!worker) {
    worker = new Worker(new URL('./pretty.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<{ id: number; pretty: string | null }>) => {
      waiting.get(ev.data.id)?.(ev.data.pretty);
      waiting.delete(ev.data.id);
    };
  }
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker?.postMessage({ id, text });
  });
}
