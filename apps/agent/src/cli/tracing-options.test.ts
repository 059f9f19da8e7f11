import { describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from './options.js';
import { parseTracingArgs } from './tracing-options.js';

describe('osloscope tracing off|status', () => {
  it('takes the action and the broker options with the agent defaults', () => {
    expect(parseTracingArgs(['off'], {})).toEqual({
      kind: 'run',
      options: { action: 'off', transportUrls: ['rabbit://guest:guest@127.0.0.1:5672/'], managementUrl: null, dataDir: '.osloscope' },
    });
    const status = parseTracingArgs(
      [
        'status',
        '--transport-url',
        'rabbit://a:b@mq1/nova',
        '--transport-url',
        'rabbit://mq2/',
        '--management-url',
        'http://mq1:15672',
        '--data-dir',
        '/var/lib/o',
      ],
      {},
    );
    expect(status).toEqual({
      kind: 'run',
      options: { action: 'status', transportUrls: ['rabbit://a:b@mq1/nova', 'rabbit://mq2/'], managementUrl: 'http://mq1:15672', dataDir: '/var/lib/o' },
    });
  });

  it('reads OSLOSCOPE_TRANSPORT_URL like the agent', () => {
    const r = parseTracingArgs(['status'], { OSLOSCOPE_TRANSPORT_URL: 'rabbit://u:p@h1/ rabbit://u:p@h2/' });
    expect(r.kind === 'run' && r.options.transportUrls).toEqual(['rabbit://u:p@h1/', 'rabbit://u:p@h2/']);
  });

  it.each([
    [[], /missing required argument 'action'/],
    [['on'], /Allowed choices are off, status/],
    [['off', '--transport-url', 'http://x/'], /--transport-url: unsupported transport scheme "http"/],
    [['off', 'extra'], /too many arguments/],
  ])('%j exits 2 with a clear message', (argv, message) => {
    const r = parseTracingArgs(argv, {});
    expect(r).toMatchObject({ kind: 'exit', exitCode: USAGE_EXIT_CODE });
    expect(r.kind === 'exit' && r.stderr).toMatch(message);
  });

  it('never echoes a password from a bad transport URL', () => {
    const r = parseTracingArgs(['off', '--transport-url', 'rabbit://admin:hunter2@host:notaport/'], {});
    expect(r.kind === 'exit' && r.stderr).not.toContain('hunter2');
  });

  it('--help lists the actions and exits 0', () => {
    const r = parseTracingArgs(['--help'], {});
    expect(r).toMatchObject({ kind: 'exit', exitCode: 0 });
    expect(r.kind === 'exit' && r.stdout).toMatch(/off: switch tracing off; status:/);
  });
});
