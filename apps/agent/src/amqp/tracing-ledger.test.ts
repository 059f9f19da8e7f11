import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTransportUrl } from '@osloscope/shared';
import { describe, expect, it } from 'vitest';
import { brokerKey, openTracingLedger, parseTracingLedger, serializeTracingLedger, TRACING_LEDGER_FILE, type TracingLedgerEntry } from './tracing-ledger.js';

const entry: TracingLedgerEntry = { broker: '10.0.0.1:5672', vhost: 'nova', nodes: ['rabbit@a'], since: 1000, run: 'r1', pid: 42, host: 'ctl-1' };
const tempDir = () => fs.mkdtempSync(path.join(tmpdir(), 'osloscope-ledger-'));

describe('tracing ledger file', () => {
  it('reads back what it wrote', () => {
    expect(parseTracingLedger(serializeTracingLedger([entry]))).toEqual([entry]);
  });

  it('skips malformed entries and reads a malformed file as empty, never throwing', () => {
    const text = JSON.stringify({ version: 1, entries: [entry, { ...entry, pid: 'x' }, 'junk', { ...entry, nodes: ['rabbit@b', 7] }] });
    expect(parseTracingLedger(text)).toEqual([entry, { ...entry, nodes: ['rabbit@b'] }]);
    expect(parseTracingLedger('{not json')).toEqual([]);
    expect(parseTracingLedger('[]')).toEqual([]);
  });

  it('keys a broker by its hosts, without credentials', () => {
    const url = parseTransportUrl('rabbit://nova:s3cret@10.0.0.1:5672,nova:s3cret@[fd00::2]:5673/nova');
    expect(brokerKey(url)).toBe('10.0.0.1:5672,[fd00::2]:5673');
  });
});

describe('tracing ledger in a data dir', () => {
  it("records this run's tracing per broker and vhost, finds it, and forgets it (the file goes with the last entry)", () => {
    const dir = tempDir();
    const ledger = openTracingLedger(dir, { id: 'run-2', pid: 7, host: 'ctl-2' });
    expect(ledger.find('10.0.0.1:5672', 'nova')).toBeNull();
    ledger.record({ broker: '10.0.0.1:5672', vhost: 'nova', nodes: ['rabbit@a'], since: 5000 });
    ledger.record({ broker: '10.0.0.1:5672', vhost: 'cell1', nodes: [], since: 6000 });
    expect(ledger.find('10.0.0.1:5672', 'nova')).toEqual({
      broker: '10.0.0.1:5672',
      vhost: 'nova',
      nodes: ['rabbit@a'],
      since: 5000,
      run: 'run-2',
      pid: 7,
      host: 'ctl-2',
    });
    expect(ledger.find('10.0.0.2:5672', 'nova')).toBeNull();
    // Another process (the next run, `osloscope tracing off`) sees it in the file.
    expect(openTracingLedger(dir, { id: 'run-3', pid: 8, host: 'ctl-2' }).find('10.0.0.1:5672', 'cell1')?.run).toBe('run-2');
    ledger.forget('10.0.0.1:5672', 'nova');
    expect(ledger.find('10.0.0.1:5672', 'nova')).toBeNull();
    ledger.forget('10.0.0.1:5672', 'cell1');
    expect(fs.existsSync(path.join(dir, TRACING_LEDGER_FILE))).toBe(false);
  });

  it('takes an entry over when recorded again by another run', () => {
    const dir = tempDir();
    openTracingLedger(dir, { id: 'killed', pid: 1, host: 'h' }).record({ broker: 'b:1', vhost: '/', nodes: ['rabbit@a'], since: 100 });
    const next = openTracingLedger(dir, { id: 'next', pid: 2, host: 'h' });
    next.record({ broker: 'b:1', vhost: '/', nodes: ['rabbit@a'], since: 100 });
    expect(parseTracingLedger(fs.readFileSync(path.join(dir, TRACING_LEDGER_FILE), 'utf8'))).toEqual([
      { broker: 'b:1', vhost: '/', nodes: ['rabbit@a'], since: 100, run: 'next', pid: 2, host: 'h' },
    ]);
  });
});
