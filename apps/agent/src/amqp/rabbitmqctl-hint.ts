/** Shell-ready `rabbitmqctl` commands for warnings (what an operator can paste). */

/** Quote an argument for a POSIX shell when needed. */
export function shellArg(s: string): string {
  if (s !== '' && /^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `rabbitmqctl trace_on -p <vhost> [-n <node>]` */
export function traceOnCommand(vhost: string, node?: string | null): string {
  return `rabbitmqctl trace_on -p ${shellArg(vhost)}${node ? ` -n ${shellArg(node)}` : ''}`;
}

/** `rabbitmqctl trace_off -p <vhost> [-n <node>]` */
export function traceOffCommand(vhost: string, node?: string | null): string {
  return `rabbitmqctl trace_off -p ${shellArg(vhost)}${node ? ` -n ${shellArg(node)}` : ''}`;
}
