/**
 * Command-line options of the `osloscope` agent (commander + zod). Parsing never exits the
 * process itself: it returns either the options or what to print and the exit code, so
 * main.ts decides and tests can check both. Bad options exit with code 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { parseTransportUrl, TransportUrlError } from '@osloscope/shared';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { DEFAULT_RETENTION_SPEC, parseRetention, type RetentionLimits } from './retention.js';
import { hasPassword, TransportUrlSourceError, urlFromOsloConfig, urlsFromFile } from './transport-url-sources.js';

export const DEFAULT_TRANSPORT_URL = 'rabbit://guest:guest@127.0.0.1:5672/';
export const TRANSPORT_URL_ENV = 'OSLOSCOPE_TRANSPORT_URL';
export const DEFAULT_PORT = 7420;
/** Exit code for bad command-line options (a usage error, as with most Unix tools). */
export const USAGE_EXIT_CODE = 2;

export interface AgentOptions {
  /** One capture source per URL. */
  transportUrls: string[];
  mode: 'firehose' | 'tap';
  /** Tap mode: exchanges to tap. `[]` = the tap source's default (every topic exchange except `amq.*`). */
  exchanges: string[];
  /** `null` = derived per source: `http://<transport host>:15672`. */
  managementUrl: string | null;
  dataDir: string;
  retention: RetentionLimits;
  host: string;
  /** 0 = pick a free port. */
  port: number;
  /** DNS names (besides IP literals and localhost) the HTTP server answers to. */
  allowedHosts: string[];
  demo: boolean;
  /** NDJSON capture loaded at start; no broker is needed then. */
  importFile: string | null;
  allowReplay: boolean;
  /** Refuses replay whatever else is given. */
  readOnly: boolean;
  keysFile: string | null;
  showSecrets: boolean;
  /** Start the demo when no broker is reachable at start (and no --import). */
  demoFallback: boolean;
  /** A broker password was given as a --transport-url argument: visible in the process list. */
  passwordOnCommandLine: boolean;
  logLevel: LogLevel;
}

/** --help / --version / a usage error: print `stdout`/`stderr`, exit with `exitCode`. */
export interface CliExit {
  kind: 'exit';
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type CliResult = { kind: 'run'; options: AgentOptions } | CliExit;

/** The parser's own message (it never contains a password) as a zod issue. */
function checkTransportUrl(url: string, ctx: z.RefinementCtx): void {
  try {
    parseTransportUrl(url);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof TransportUrlError ? err.message : 'not a transport URL' });
  }
}

/** The options that say which broker, vhost and data dir: the agent's and `osloscope tracing`'s. */
export const brokerOptionsSchema = z.object({
  transportUrl: z.array(z.string().superRefine(checkTransportUrl)).min(1),
  managementUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  dataDir: z.string().min(1),
});

const optionsSchema = brokerOptionsSchema.extend({
  mode: z.enum(['firehose', 'tap']),
  exchange: z.array(z.string().min(1, 'must not be empty')),
  retention: z.string(),
  host: z.string().min(1),
  allowedHost: z.array(z.string().regex(/^[a-zA-Z0-9.-]+$/, 'must be a DNS name (no port, no scheme)')),
  port: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0-65535').max(65535, 'must be 0-65535'),
  demo: z.boolean(),
  import: z.string().min(1).optional(),
  allowReplay: z.boolean(),
  readOnly: z.boolean(),
  keys: z.string().min(1).optional(),
  showSecrets: z.boolean(),
  demoFallback: z.boolean(),
  logLevel: z.enum(LOG_LEVELS),
});

/** Repeatable option: the first use replaces the default, later uses append. */
function collect(value: string, previous: string[] | undefined, defaults: readonly string[]): string[] {
  return previous === undefined || previous === defaults ? [value] : [...previous, value];
}

const NO_EXCHANGES: string[] = [];
const NO_ALLOWED_HOSTS: string[] = [];
const NO_FILES: string[] = [];
const DEFAULT_URLS: string[] = [DEFAULT_TRANSPORT_URL];

/** `--transport-url <url>` (repeatable; env OSLOSCOPE_TRANSPORT_URL when not given, see `withEnvUrls`). */
export function transportUrlOption(what: string): Option {
  return new Option('--transport-url <url>', `oslo transport URL ${what}; repeatable (env ${TRANSPORT_URL_ENV})`)
    .argParser((v: string, prev: string[] | undefined) => collect(v, prev, DEFAULT_URLS))
    .default(DEFAULT_URLS, DEFAULT_TRANSPORT_URL);
}

export const managementUrlOption = (): Option => new Option('--management-url <url>', 'RabbitMQ management API URL (default: http://<transport host>:15672)');

export const dataDirOption = (what: string): Option => new Option('--data-dir <dir>', what).default('.osloscope');

/** The env var only applies when no --transport-url was given; it may list several URLs. */
export function withEnvUrls(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const envUrls = env[TRANSPORT_URL_ENV]?.split(/\s+/).filter(Boolean) ?? [];
  return raw['transportUrl'] === DEFAULT_URLS && envUrls.length > 0 ? { ...raw, transportUrl: envUrls } : raw;
}

/**
 * Run commander on argv: its `--help`, `--version` and errors become a CliExit (0 for help and
 * version, USAGE_EXIT_CODE otherwise); else what it printed so far (nothing, normally).
 */
export function parseWithCommander(program: Command, argv: readonly string[]): { stdout: string } | CliExit {
  let stdout = '';
  let stderr = '';
  program.exitOverride().configureOutput({ writeOut: (s) => void (stdout += s), writeErr: (s) => void (stderr += s) });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const helpOrVersion = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      return { kind: 'exit', exitCode: helpOrVersion ? 0 : USAGE_EXIT_CODE, stdout, stderr };
    }
    throw err;
  }
  return { stdout };
}

/** A usage error as the agent prints it (exit code 2). */
export function usageError(message: string, stdout = ''): CliExit {
  return { kind: 'exit', exitCode: USAGE_EXIT_CODE, stdout, stderr: `error: ${message}\n(run osloscope --help for usage)\n` };
}

/** A zod failure of the options as a usage error naming the option (`--management-url: ...`). */
export function optionIssue(error: z.ZodError, stdout: string): CliExit {
  const issue = error.issues[0];
  const option = issue ? '--' + String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) : '';
  return usageError(`option ${option}: ${issue?.message ?? 'invalid value'}`, stdout);
}

/** The commander program; exported so `--help` text is testable without a process. */
export function buildProgram(version: string): Command {
  return new Command('osloscope')
    .description('Visual message-flow debugger for OpenStack oslo.messaging RPC over RabbitMQ')
    .version(version, '-V, --version')
    .addOption(transportUrlOption('to capture from'))
    .addOption(new Option('--mode <mode>', 'capture mode').choices(['firehose', 'tap']).default('firehose'))
    .addOption(
      new Option('--exchange <name>', 'tap mode: exchange to tap; repeatable')
        .argParser((v: string, prev: string[] | undefined) => collect(v, prev, NO_EXCHANGES))
        .default(NO_EXCHANGES, 'every topic exchange except amq.*'),
    )
    .addOption(
      new Option('--transport-url-file <file>', 'read transport URLs from a file (one per line), keeping passwords out of the process list; repeatable')
        .argParser((v: string, prev: string[] | undefined) => collect(v, prev, NO_FILES))
        .default(NO_FILES, 'none'),
    )
    .addOption(
      new Option(
        '--oslo-config <file>',
        "take the transport URL from an OpenStack service's config ([DEFAULT] transport_url), e.g. /etc/nova/nova.conf; repeatable",
      )
        .argParser((v: string, prev: string[] | undefined) => collect(v, prev, NO_FILES))
        .default(NO_FILES, 'none'),
    )
    .addOption(managementUrlOption())
    .addOption(dataDirOption('where the capture store lives'))
    .addOption(new Option('--retention <spec>', 'capture kept: "<messages>", "<size>" or "<messages>,<size>"').default(DEFAULT_RETENTION_SPEC))
    .addOption(new Option('--host <host>', 'HTTP listen address').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'HTTP port (0 = pick a free one)').default(String(DEFAULT_PORT)))
    .addOption(
      new Option('--allowed-host <name>', 'a DNS name the UI may be reached by (repeatable; IP addresses and localhost always work)')
        .argParser((v: string, prev: string[] | undefined) => collect(v, prev, NO_ALLOWED_HOSTS))
        .default(NO_ALLOWED_HOSTS, 'none'),
    )
    .addOption(new Option('--demo', 'run the built-in simulated OpenStack instead of a broker').default(false))
    .addOption(new Option('--import <file>', 'load an NDJSON capture at start; no broker needed (default: none)'))
    .addOption(new Option('--allow-replay', 'allow replaying captured messages to the broker').default(false))
    .addOption(new Option('--read-only', 'never publish to the broker: refuses replay whatever else is given').default(false))
    .addOption(new Option('--keys <file>', 'message-signing key file (JSON) to verify signatures (default: none)'))
    .addOption(new Option('--show-secrets', 'do not mask auth tokens and passwords in the UI and exports').default(false))
    .addOption(new Option('--no-demo-fallback', 'do not start the demo when no broker is reachable at start (default: fall back to the demo)'))
    .addOption(new Option('--log-level <level>', 'log verbosity').choices([...LOG_LEVELS]).default('info'))
    .helpOption('-h, --help', 'show this help')
    .addHelpText(
      'after',
      '\nCommands:\n  osloscope tracing off|status [--transport-url <url>] [--management-url <url>] [--data-dir <dir>]\n' +
        "                   switch RabbitMQ tracing (the firehose) off for the URL's vhost, or show it (osloscope tracing --help)\n",
    )
    .showHelpAfterError('(run osloscope --help for usage)')
    .allowExcessArguments(false);
}

/** Parse argv (without `node` and the script) and the environment into agent options. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv, version: string): CliResult {
  const program = buildProgram(version);
  const commander = parseWithCommander(program, argv);
  if ('kind' in commander) return commander;
  const { stdout } = commander;
  const raw = program.opts<Record<string, unknown>>();
  const argvUrls = raw['transportUrl'] === DEFAULT_URLS ? [] : (raw['transportUrl'] as string[]);
  // URLs from files and service configs join those given as arguments; the env var (which
  // may list several) applies only when none of them was given.
  let fileUrls: string[];
  try {
    fileUrls = [...(raw['transportUrlFile'] as string[]).flatMap(urlsFromFile), ...(raw['osloConfig'] as string[]).map(urlFromOsloConfig)];
  } catch (e) {
    if (e instanceof TransportUrlSourceError) return { kind: 'exit', exitCode: USAGE_EXIT_CODE, stdout, stderr: `error: ${e.message}\n` };
    throw e;
  }
  const given = argvUrls.length + fileUrls.length > 0 ? { ...raw, transportUrl: [...argvUrls, ...fileUrls] } : raw;
  const parsed = optionsSchema.safeParse(withEnvUrls(given, env));
  if (!parsed.success) return optionIssue(parsed.error, stdout);
  const o = parsed.data;
  const retention = parseRetention(o.retention);
  if (!retention.ok) return usageError(`option --retention: ${retention.error}`, stdout);
  if (o.exchange.length > 0 && o.mode !== 'tap') return usageError('option --exchange only applies with --mode tap', stdout);
  return {
    kind: 'run',
    options: {
      transportUrls: o.transportUrl,
      mode: o.mode,
      exchanges: o.exchange,
      managementUrl: o.managementUrl ?? null,
      dataDir: o.dataDir,
      retention: retention.value,
      host: o.host,
      port: o.port,
      allowedHosts: o.allowedHost,
      demo: o.demo,
      importFile: o.import ?? null,
      allowReplay: o.allowReplay,
      readOnly: o.readOnly,
      keysFile: o.keys ?? null,
      showSecrets: o.showSecrets,
      demoFallback: o.demoFallback,
      passwordOnCommandLine: argvUrls.some(hasPassword),
      logLevel: o.logLevel,
    },
  };
}
