import type { StoreHealth } from '@osloscope/shared';
import { Badge } from '../../components/Badge';
import { formatCount, formatTime } from '../../components/format';

/** The capture store cannot write (disk full, read-only, I/O error): why, where, and what happens meanwhile. */
export function StoreWriteErrorBadge(props: { store: StoreHealth }) {
  const error = props.store.writeError;
  if (!error) return null;
  const title = [
    `Since ${formatTime(error.since)} the agent cannot write its capture store${error.path === null ? '' : ` (${error.path})`}: ${error.message}.`,
    `${formatCount(props.store.unwritten)} captured messages wait in the agent's memory and are retried every second. It takes no more from the broker meanwhile: new events wait in its capture queue there.`,
    "Writing resumes by itself once there is room again: free space where the agent's data directory is, or see the agent's log.",
  ].join('\n');
  return (
    <Badge tone="error" testId="store-write-error" title={title}>
      store cannot write: {error.message}
    </Badge>
  );
}
