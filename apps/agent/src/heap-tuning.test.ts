import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS } from './heap-tuning.js';

const read = (rel: string) => fs.readFileSync(new URL(rel, import.meta.url), 'utf8');

describe("the agent's Node options", () => {
  // V8 reads them only when the process starts, so every way of starting the agent must pass them.
  it("are passed by the start script and by the osloscope bin's shebang", () => {
    const startLine = read('../../../scripts/start.sh')
      .split('\n')
      .find((l) => l.startsWith('exec node '));
    const shebang = read('./main.ts').split('\n')[0];
    expect(AGENT_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of AGENT_NODE_FLAGS) {
      expect(startLine).toContain(` ${flag} `);
      expect(shebang).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(' ')}`);
    }
  });
});
