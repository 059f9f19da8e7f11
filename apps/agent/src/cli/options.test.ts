import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
      allowedHosts: [],
      demo: false,
      importFile: null,
      allowReplay: false,
      readOnly: false,
      keysFile: null,
      showSecrets: false,
      demoFallback: true,
      passwordOnCommandLine: false,
      logLevel: 'info',
    });
  });

  describe('transport URLs kept out of the process list', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'osloscope-cli-'));
    const file = (name: string, text: string) => {
      const p = path.join(tmp, name);
      writeFileSync(p, text);
      return p;
    };

    it('reads them from --transport-url-file (one per line, comments skipped)', () => {
      const f = file('urls', '# cell 1 and cell 2\nrabbit://nova:s3cret@rabbit1:5672/cell1\n\nrabbit://nova:s3cret@rabbit2:5672/cell2\n');
      expect(run(['--transport-url-file', f])).toMatchObject({
        transportUrls: ['rabbit://nova:s3cret@rabbit1:5672/cell1', 'rabbit://nova:s3cret@rabbit2:5672/cell2'],
        passwordOnCommandLine: false,
      });
    });

    it("reads [DEFAULT] transport_url from an OpenStack service's config, as oslo.config does", () => {
      const conf = file(
        'nova.conf',
        '[DEFAULT]\n# the broker\ndebug = true\ntransport_url = rabbit://nova:s3cret@ctl1:5672,nova:s3cret@ctl2:5672/\n\n[oslo_messaging_rabbit]\nssl = false\n',
      );
      expect(run(['--oslo-config', conf]).transportUrls).toEqual(['rabbit://nova:s3cret@ctl1:5672,nova:s3cret@ctl2:5672/']);
    });

    it('refuses a config whose broker uses TLS, and files it cannot read, naming the file but never its content', () => {
      const tls = file('tls.conf', '[DEFAULT]\ntransport_url = rabbit://nova:s3cret@ctl1:5671/\n[oslo_messaging_rabbit]\nssl = True\n');
      const r = parseCliArgs(['--oslo-config', tls], {}, '1.0.0');
      expect(r).toMatchObject({ kind: 'exit', exitCode: USAGE_EXIT_CODE, stderr: expect.stringMatching(/tls\.conf: the broker uses TLS/) });
      expect(JSON.stringify(r)).not.toContain('s3cret');
      expect(parseCliArgs(['--transport-url-file', path.join(tmp, 'missing')], {}, '1.0.0')).toMatchObject({
        kind: 'exit',
        stderr: expect.stringMatching(/missing: cannot read it \(no such file\)/),
      });
      expect(parseCliArgs(['--oslo-config', file('empty.conf', '[DEFAULT]\ndebug = true\n')], {}, '1.0.0')).toMatchObject({
        kind: 'exit',
        stderr: expect.stringMatching(/no \[DEFAULT\] transport_url/),
      });
    });

    it('says when a password was given as an argument (so the agent can warn), and not for the environment', () => {
      expect(run(['--transport-url', 'rabbit://nova:s3cret@rabbit1:5672/']).passwordOnCommandLine).toBe(true);
      expect(run(['--transport-url', 'rabbit://rabbit1:5672/']).passwordOnCommandLine).toBe(false);
      const fromEnv = parseCliArgs([], { OSLOSCOPE_TRANSPORT_URL: 'rabbit://nova:s3cret@rabbit1:5672/' }, '1.0.0');
      expect(fromEnv).toMatchObject({ kind: 'run', options: { passwordOnCommandLine: false, transportUrls: ['rabbit://nova:s3cret@rabbit1:5672/'] } });
    });
  });

  it('takes the DNS names the UI may be reached by (--allowed-host, repeatable), and refuses a URL', () => {
    expect(run(['--allowed-host', 'osloscope.example.org', '--allowed-host', 'scope.cell1']).allowedHosts).toEqual(['osloscope.example.org', 'scope.cell1']);
    const bad = parseCliArgs(['--allowed-host', 'http://x:1'], {}, '1.0.0');
    expect(bad).toMatchObject({ kind: 'exit', exitCode: 2, stderr: expect.stringMatching(/option --allowed-host: must be a DNS name/) });
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
