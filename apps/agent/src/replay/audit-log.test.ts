import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayAuditEntry } from '@osloscope/shared';
import { AUDIT_FILE, createAuditLog } from './audit-log.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const entry = (replayId: string, at: number): ReplayAuditEntry => ({
  replayId,
  at,
  originalId: 3,
  newId: null,
  source: 'rabbit',
  exchange: 'openstack',
  routingKey: 'demo',
  kind: 'call',
  method: 'echo',
  signed: false,
  sent: '{}',
  outcome: 'sent',
  detail: null,
  finishedAt: null,
  retargetedFrom: null,
});

describe('replay audit log', () => {
  it('persists entries and folds outcomes in, newest first, across reopen', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
    dirs.push(dir);
    const log = createAuditLog(dir);
    log.record(entry('r1', 100));
    log.record(entry('r2', 200));
    log.update({ replayId: 'r1', outcome: 'ok', detail: null, finishedAt: 150, newId: 42 });
    appendFileSync(path.join(dir, AUDIT_FILE), '{"torn'); // crash mid-line
    const reopened = createAuditLog(dir).list();
    expect(reopened.map((e) => [e.replayId, e.outcome, e.newId])).toEqual([
      ['r2', 'sent', null],
      ['r1', 'ok', 42],
    ]);
  });
});
