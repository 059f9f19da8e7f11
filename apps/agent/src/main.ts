#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * osloscope agent: the composition root. Parses options, decides where traffic comes from
 * (brokers, the demo, an imported file), wires sources → capture core → HTTP/socket.io,
 * and shuts everything down cleanly on SIGINT/SIGTERM. `osloscope tracing ...` runs the
 * one-shot tracing command instead.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseTransportUrl, redactTransportUrl, type SigningHealth } from '@osloscope/shared';
import { createFirehoseSource } from './amqp/firehose-source.js';
import { createTapSource } from './amqp/tap-source.js';
import { currentRun, openTracingLedger } from './amqp/tracing-ledger.js';
import { createCaptureCore, type CaptureCore } from './capture/capture-core.js';
import { anyBrokerReachable } from './cli/broker-probe.js';
import { createImportSource } from './cli/import-source.js';
import { parseCliArgs, TRANSPORT_URL_ENV, USAGE_EXIT_CODE, type AgentOptions } from './cli/options.js';
import { uniqueSourceNames } from './cli/source-names.js';
import { runTracingCommand } from './cli/tracing-command.js';
import { parseTracingArgs } from './cli/tracing-options.js';
import { createDemoSource, demoKeyRing } from './demo/demo-source.js';
import { createConnectionDirectory } from './domain/in-memory-connection-directory.js';
import { tuneHeapForCapture } from './heap-tuning.js';
import { createLogger, type Logger } from './log.js';
import type { ConnectionDirectory } from './ports/connection-directory.js';
import type { CaptureSource } from './ports/source.js';
import { createReplayService, READ_ONLY_MESSAGE, registerReplayRoutes, replayBrokerSpecs } from './replay/index.js';
import { createHealthReporter } from './serve/health-report.js';
import { startHttpServer, type RunningHttpServer } from './serve/http-server.js';
import { makeDataDirPrivate } from './store/private-data-dir.js';
import { createVerifier, KeyFileError, loadKeyFile, type KeyRing } from './signing/index.js';
import { captureAccess, CaptureOpenError } from './store/capture-file.js';

/** How long sources get to clean up (delete queues, switch tracing off) on shutdown. */
const STOP_TIMEOUT_MS = 10_000;

function agentVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Where traffic comes from, decided once at start; nowhere for a read-only capture, which is only browsed. */
type Plan = { kind: 'import'; file: string } | { kind: 'demo'; reason?: string } | { kind: 'brokers' } | { kind: 'browse'; readOnly: string };

async function planSources(options: AgentOptions, logger: Logger): Promise<Plan> {
  const { readOnly } = captureAccess(options.dataDir);
  if (readOnly !== null) {
    // What the demo or an import captures would have to be written: say so rather than show nothing.
    if (options.demo || options.importFile !== null) {
      throw new CaptureOpenError(
        `cannot ${options.demo ? 'run the demo' : `import ${options.importFile}`} into the capture in ${options.dataDir}: ${readOnly}`,
      );
    }
    logger.warn(`${readOnly}: opening it for browsing only, nothing is captured`);
    return { kind: 'browse', readOnly };
  }
  if (options.demo) return { kind: 'demo' };
  if (options.importFile !== null) return { kind: 'import', file: options.importFile };
  const urls = options.transportUrls.map((u) => parseTransportUrl(u));
  if (await anyBrokerReachable(urls)) return { kind: 'brokers' };
  const where = options.transportUrls.map((u) => redactTransportUrl(u)).join(', ');
  if (!options.demoFallback) {
    logger.error('no broker reachable; capture will keep retrying', { transportUrls: where });
    return { kind: 'brokers' };
  }
  return { kind: 'demo', reason: `No broker reachable at ${where}: showing the built-in demo (start with --no-demo-fallback to wait for the broker instead).` };
}

function brokerSources(options: AgentOptions, capture: CaptureCore, directory: ConnectionDirectory, logger: Logger): CaptureSource[] {
  const names = uniqueSourceNames(options.transportUrls.map((u) => parseTransportUrl(u)));
  // This run's record of the tracing it switches on, beside the capture (the next run reads it).
  const tracingLedger = openTracingLedger(options.dataDir, currentRun(randomUUID()));
  return options.transportUrls.map((transportUrl, i) => {
    const name = names[i] ?? `source-${i + 1}`;
    const common = {
      name,
      transportUrl,
      capture,
      continuity: capture.continuity,
      tracingLedger,
      directory,
      log: logger.child({ source: name }),
      ...(options.managementUrl !== null ? { managementUrl: options.managementUrl } : {}),
    };
    return options.mode === 'tap'
      ? createTapSource({ ...common, ...(options.exchanges.length > 0 ? { exchanges: options.exchanges } : {}) })
      : createFirehoseSource(common);
  });
}

function loadKeys(options: AgentOptions): KeyRing | null {
  return options.keysFile === null ? null : loadKeyFile(options.keysFile);
}

interface RunningAgent {
  http: RunningHttpServer;
  stop(): Promise<void>;
}

/** Start everything; resolves once the HTTP server listens. */
async function startAgent(options: AgentOptions, logger: Logger): Promise<RunningAgent> {
  const version = agentVersion();
  const startedAt = Date.now();
  const plan = await planSources(options, logger);
  const directory = createConnectionDirectory();

  // The demo signs with its own fixed keys: the verifier must know them.
  const isDemo = plan.kind === 'demo';
  if (isDemo && options.keysFile !== null) logger.warn('--keys is ignored in demo mode: the demo uses its own keys');
  const keys = isDemo ? demoKeyRing() : loadKeys(options);
  // A read-only capture (browsing only) cannot be changed: its files keep their modes.
  const privacy = plan.kind === 'browse' ? { tightened: [], problems: [] } : makeDataDirPrivate(options.dataDir);
  if (privacy.tightened.length > 0)
    logger.warn('the data dir was readable by other users: made it private (0700, files 0600)', {
      dataDir: options.dataDir,
      changed: privacy.tightened.length,
    });
  if (privacy.problems.length > 0)
    logger.warn('could not make every file in the data dir private', { dataDir: options.dataDir, problems: privacy.problems.slice(0, 5) });
  const capture = createCaptureCore({
    dataDir: options.dataDir,
    retention: options.retention,
    showSecrets: options.showSecrets,
    verifier: createVerifier(keys),
    directory,
    onDamage: (damage) => logger.warn('capture damaged', { ...damage }),
    log: logger,
  });

  const sources: CaptureSource[] =
    plan.kind === 'demo'
      ? [createDemoSource({ capture, directory, logger: logger.child({ source: 'demo' }), ...(plan.reason ? { reason: plan.reason } : {}) })]
      : plan.kind === 'import'
        ? [createImportSource({ file: plan.file, importNdjson: (lines, o) => capture.importNdjson(lines, o), logger })]
        : plan.kind === 'brokers'
          ? brokerSources(options, capture, directory, logger)
          : [];
  const replayEnabled = options.allowReplay && !options.readOnly && plan.kind !== 'demo' && plan.kind !== 'browse';

  const signing: SigningHealth = {
    keysLoaded: keys !== null,
    destinations: keys?.destinations ?? 0,
    requireSigned: keys?.requireSigned.size ?? 0,
  };
  const health = createHealthReporter({
    agentVersion: version,
    startedAt,
    sources: () => sources.map((s) => s.health()),
    counts: () => capture.counts(),
    store: () => capture.storeHealth(),
    signing,
    demo: isDemo,
    replayEnabled,
    readOnly: options.readOnly,
    showSecrets: options.showSecrets,
  });

  // Replay publishes on its own connections (the sources stay passive); never in the demo.
  const replay = createReplayService({
    enabled: replayEnabled,
    ...(options.readOnly ? { disabledMessage: READ_ONLY_MESSAGE } : {}),
    capture,
    brokers: isDemo || plan.kind === 'browse' ? [] : replayBrokerSpecs(options.transportUrls, plan.kind === 'brokers', options.mode),
    keys: isDemo ? null : keys,
    dataDir: options.dataDir,
    showSecrets: options.showSecrets,
    logger,
  });

  await Promise.all(sources.map((s) => s.start()));
  const http = await startHttpServer({
    capture,
    health,
    agentVersion: version,
    logger,
    host: options.host,
    allowedHosts: options.allowedHosts,
    port: options.port,
    extraRoutes: (app) => registerReplayRoutes(app, replay),
  });

  let stopping: Promise<void> | null = null;
  return {
    http,
    stop() {
      stopping ??= (async () => {
        const stopped = Promise.allSettled(sources.map((s) => s.stop()));
        const timeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
        await Promise.race([stopped, timeout]);
        await replay.close().catch(() => undefined);
        await http.close().catch(() => undefined);
        capture.flush();
        capture.close();
      })();
      return stopping;
    },
  };
}

/** `osloscope tracing off|status ...`: prints its results and exits. */
async function tracingCommand(argv: string[]): Promise<never> {
  const cli = parseTracingArgs(argv, process.env);
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    process.exit(cli.exitCode);
  }
  const code = await runTracingCommand(cli.options, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'tracing') await tracingCommand(argv.slice(1));
  const cli = parseCliArgs(argv, process.env, agentVersion());
  if (cli.kind === 'exit') {
    process.stdout.write(cli.stdout);
    process.stderr.write(cli.stderr);
    process.exit(cli.exitCode);
  }
  const options = cli.options;
  tuneHeapForCapture();
  const logger = createLogger({ level: options.logLevel });
  if (options.passwordOnCommandLine) {
    // Overwrites the arguments `ps` shows (Linux): the password was readable there until now.
    process.title = 'osloscope';
    logger.warn(
      `a broker password was given with --transport-url: other local users could read it in the process list; use --transport-url-file, --oslo-config or ${TRANSPORT_URL_ENV} instead`,
    );
  }
  let agent: RunningAgent;
  try {
    agent = await startAgent(options, logger);
  } catch (err) {
    const message = err instanceof KeyFileError || err instanceof Error ? err.message : String(err);
    logger.error('cannot start', { error: message });
    // A bad --keys file is a usage error, like a bad option (the message names no key bytes).
    process.exit(err instanceof KeyFileError ? USAGE_EXIT_CODE : 1);
  }
  process.stdout.write(`osloscope listening on ${agent.http.url}\n`);

  let firstSignalAt: number | null = null;
  const shutdown = (signal: string): void => {
    if (firstSignalAt !== null) {
      // `npm start` forwards the terminal's Ctrl-C to us, so one keypress arrives twice:
      // only a later, deliberate second Ctrl-C skips cleanup (tracing off, queues gone).
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
      process.exit(130);
    }
    firstSignalAt = Date.now();
    logger.info('shutting down', { signal });
    void agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Signals closer together than this are one Ctrl-C delivered twice (terminal + npm). */
const DUPLICATE_SIGNAL_MS = 1500;

await main();
