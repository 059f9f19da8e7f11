import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, USAGE_EXIT_CODE, type AgentOptions } from './options.js';
import { parseRetention } from './retention.js';
import { uniqueSourceNames } from './source-names.js';
import { parseTransportUrl } from '@osloscope/shared';

function run(argv: string[], env: NodeJS.ProcessEnv = {}): AgentOptions {
  const result = parseCliArgs(argv, env, '1.2.3');
  if (result.kind !== 'run') throw new Error(`expected options, got exit ${result.exitCode}: ${result.stderr}`);
  return result.options;
}

function usageError(argv: string[]): string {
  const result = parseCliArgs(argv, {}, '1.2.3');
  expect(result).toMatchObject({ kind: 'exit', exitCode: USAGE_EXIT_CODE });
  return result.kind === 'exit' ? result.stderr : '';
}

describe('--help', () => {
  it('lists every option with its default and exits 0', () => {
    const result = parseCliArgs(['--help'], {}, '1.2.3');
    expect(result.kind === 'exit' && result.exitCode).toBe(0);
    const help = result.kind === 'exit' ? result.stdout.replace(/\s+/g, ' ') : '';
    const expected: [string, string][] = [
      ['--transport-url <url>', 'rabbit://guest:guest@127.0.0.1:5672/'],
      ['--mode <mode>', '"firehose"'],
      ['--exchange <name>', 'every topic exchange except amq.*'],
      ['--management-url <url>', 'http://<transport host>:15672'],
      ['--data-dir <dir>', '".osloscope"'],
      ['--retention <spec>', '"1000000,2GB"'],
      ['--host <host>', '"127.0.0.1"'],
      ['--port <port>', '"7420"'],
      ['--demo', 'false'],
      ['--import <file>', 'none'],
      ['--allow-replay', 'false'],
      ['--keys <file>', 'none'],
      ['--show-secrets', 'false'],
      ['--no-demo-fallback', 'fall back to the demo'],
      ['--log-level <level>', '"info"'],
    ];
    for (const [option, dflt] of expected) {
      const at = help.indexOf(option);
      expect(at, option).toBeGreaterThanOrEqual(0);
      // The default is printed in the option's own description, before the next option.
      const next = help.indexOf(' --', at + option.length);
      const description = help.slice(at, next < 0 ? undefined : next);
      expect(description, option).toContain(`default: ${dflt}`);
    }
    expect(help).toContain('OSLOSCOPE_TRANSPORT_URL');
    expect(help).toContain('osloscope tracing off|status');
  });
});

describe('option values', () => {
  it('has the documented defaults', () => {
    expect(run([])).toEqual({
      transportUrls: ['rabbit://guest:guest@127.0.0.1:5672/'],
      mode: 'firehose',
      exchanges: [],
      managementUrl: null,
      dataDir: '.osloscope',
      retention: { maxMessages: 1_000_000, maxBytes: 2 * 1024 ** 3 },
      host: '127.0.0.1',
      port: 7420,
      demo: false,
      importFile: null,
      allowReplay: false,
      keysFile: null,
      showSecrets: false,
      demoFallback: true,
      logLevel: 'info',
    });
  });

  it('repeats --transport-url and --exchange, replacing the defaults', () => {
    const o = run(['--transport-url', 'rabbit://a:1/', '--transport-url', 'rabbit://b:2/x', '--mode', 'tap', '--exchange', 'nova', '--exchange', 'neutron']);
    expect(o.transportUrls).toEqual(['rabbit://a:1/', 'rabbit://b:2/x']);
    expect(o.exchanges).toEqual(['nova', 'neutron']);
  });

  it('reads OSLOSCOPE_TRANSPORT_URL when no --transport-url is given', () => {
    expect(run([], { OSLOSCOPE_TRANSPORT_URL: 'rabbit://u:p@h1:5672/ rabbit://u:p@h2:5672/' }).transportUrls).toEqual([
      'rabbit://u:p@h1:5672/',
      'rabbit://u:p@h2:5672/',
    ]);
    expect(run(['--transport-url', 'rabbit://x/'], { OSLOSCOPE_TRANSPORT_URL: 'rabbit://env/' }).transportUrls).toEqual(['rabbit://x/']);
  });

  it('parses the switches', () => {
    const o = run([
      '--demo',
      '--allow-replay',
      '--show-secrets',
      '--no-demo-fallback',
      '--port',
      '0',
      '--log-level',
      'debug',
      '--import',
      'cap.ndjson',
      '--keys',
      'k.json',
    ]);
    expect(o).toMatchObject({
      demo: true,
      allowReplay: true,
      showSecrets: true,
      demoFallback: false,
      port: 0,
      logLevel: 'debug',
      importFile: 'cap.ndjson',
      keysFile: 'k.json',
    });
  });
});

describe('bad options', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--mode', 'sniff'], /Allowed choices are firehose, tap/],
    [['--port', 'http'], /--port: must be a number/],
    [['--port', '70000'], /--port: must be 0-65535/],
    [['--retention', '5 parsecs'], /--retention/],
    [['--transport-url', 'http://broker/'], /--transport-url: unsupported transport scheme "http"/],
    [['--management-url', 'ftp://x'], /--management-url: must be an http\(s\):\/\/ URL/],
    [['--log-level', 'loud'], /Allowed choices are debug, info, warn, error/],
    [['--exchange', 'nova'], /--exchange only applies with --mode tap/],
    [['stray'], /too many arguments/],
  ])('%j exits 2 with a clear message', (argv, message) => {
    expect(usageError(argv)).toMatch(message);
  });

  it('never echoes a password from a bad transport URL', () => {
    const err = usageError(['--transport-url', 'rabbit://admin:hunter2@host:notaport/']);
    expect(err).toMatch(/--transport-url/);
    expect(err).not.toContain('hunter2');
  });

  it('the real process exits 2 on a bad option', () => {
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const res = spawnSync(process.execPath, ['--import', 'tsx', main, '--bogus'], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(USAGE_EXIT_CODE);
    expect(res.stderr).toContain("unknown option '--bogus'");
    expect(res.stdout).toBe('');
  }, 70_000);
});

describe('retention specs', () => {
  it.each([
    ['1000000', { maxMessages: 1_000_000, maxBytes: 2 * 1024 ** 3 }],
    ['500k', { maxMessages: 500_000, maxBytes: 2 * 1024 ** 3 }],
    ['512MB', { maxMessages: 1_000_000, maxBytes: 512 * 1024 ** 2 }],
    ['2M,1.5GiB', { maxMessages: 2_000_000, maxBytes: 1.5 * 1024 ** 3 }],
  ])('%s', (spec, value) => {
    expect(parseRetention(spec)).toEqual({ ok: true, value });
  });

  it.each(['', '0', '1,2', '10GB,1TB', 'lots'])('rejects %j', (spec) => {
    expect(parseRetention(spec).ok).toBe(false);
  });
});

describe('source names', () => {
  it('are host or host/vhost, unique, without credentials', () => {
    const urls = ['rabbit://u:secret@mq1:5672/', 'rabbit://mq1:5673//', 'rabbit://mq2/nova', 'rabbit://u:p@[::1]:5672/'].map((u) => parseTransportUrl(u));
    expect(uniqueSourceNames(urls)).toEqual(['mq1', 'mq1#2', 'mq2/nova', '[::1]']);
  });
});
