/**
 * `osloscope tracing off|status`: the command line of the one-shot tracing command (see
 * tracing-command.ts). Same broker options, defaults and usage errors as the agent's own.
 */
import { Argument, Command } from 'commander';
import {
  brokerOptionsSchema,
  dataDirOption,
  managementUrlOption,
  optionIssue,
  parseWithCommander,
  transportUrlOption,
  withEnvUrls,
  type CliExit,
} from './options.js';

export const TRACING_ACTIONS = ['off', 'status'] as const;
export type TracingAction = (typeof TRACING_ACTIONS)[number];

export interface TracingCommandOptions {
  action: TracingAction;
  transportUrls: string[];
  /** `null` = `http://<transport host>:15672`, as for the agent. */
  managementUrl: string | null;
  /** The agent's data dir, where it records the tracing it switched on. */
  dataDir: string;
}

export function buildTracingProgram(): Command {
  return new Command('osloscope tracing')
    .description(
      'Switch RabbitMQ tracing (the firehose osloscope reads) off for the vhost of each transport URL, or show it. ' +
        'Use it when an agent was killed (kill -9) after switching tracing on: the firehose stays on and costs the broker ' +
        'a message per publish and per delivery. A running agent switches tracing on again: stop it instead (it switches ' +
        'tracing off when it stops).',
    )
    .addArgument(new Argument('<action>', 'off: switch tracing off; status: show whether it is on and who switched it on').choices(TRACING_ACTIONS))
    .addOption(transportUrlOption('whose vhost to act on'))
    .addOption(managementUrlOption())
    .addOption(dataDirOption("the agent's data dir (its record of the tracing it switched on)"))
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError('(run osloscope tracing --help for usage)')
    .allowExcessArguments(false);
}

/** Parse the arguments after `tracing`. */
export function parseTracingArgs(argv: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: TracingCommandOptions } | CliExit {
  const program = buildTracingProgram();
  const commander = parseWithCommander(program, argv);
  if ('kind' in commander) return commander;
  const parsed = brokerOptionsSchema.safeParse(withEnvUrls(program.opts<Record<string, unknown>>(), env));
  if (!parsed.success) return optionIssue(parsed.error, commander.stdout);
  const o = parsed.data;
  return {
    kind: 'run',
    options: { action: program.args[0] as TracingAction, transportUrls: o.transportUrl, managementUrl: o.managementUrl ?? null, dataDir: o.dataDir },
  };
}
