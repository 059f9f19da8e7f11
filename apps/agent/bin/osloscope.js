#!/usr/bin/env -S node --max-semi-space-size=8
// The `osloscope` command (`npx osloscope ...`): runs the built agent, apps/agent/dist/main.js,
// with the same Node flags. A file of its own because npm links a bin only when the file exists
// at install time, and dist/ exists only after the build.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('osloscope is not built yet: run `npx tsc -b` (or `npm start`) first\n');
  process.exit(1);
}
await import(main.href);
