/// <reference lib="webworker" />
// Pretty-prints large bodies off the main thread (see raw-body.ts).
import { prettyOsloBody } from './raw-body';

self.onmessage = (ev: MessageEvent<{ id: number; text: string }>) => {
  const pretty = prettyOsloBody(ev.data.text);
  (self as unknown as Worker).postMessage({ id: ev.data.id, pretty });
};
