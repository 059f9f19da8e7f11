import type { StoreHealth } from '@osloscope/shared';
import { Badge } from '../../components/Badge';
import { formatCount } from '../../components/format';

const DAMAGE_HINT =
  "Those messages are still listed; their detail says what is missing, and exports leave them out (counted in the export's last line). See the agent's log.";

/** The capture's files in words: opened read-only (browsing only), and damage found in them (raw events lost). */
export function StoreProblems(props: { store: StoreHealth | undefined }) {
  const store = props.store;
  if (!store) return null;
  const { damage, readOnly } = store;
  const lost = damage.reduce((n, d) => n + d.records, 0);
  return (
    <>
      {readOnly && (
        <Badge tone="warn" testId="store-read-only" title="The capture is shown as it is; nothing is captured into it, nothing can be imported.">
          {readOnly}
        </Badge>
      )}
      {damage.length > 0 && (
        <Badge tone="error" testId="store-damage" title={[...damage.map((d) => `${d.problem} (${d.path})`), DAMAGE_HINT].join('\n')}>
          capture damaged: {damage.length === 1 ? damage[0]!.problem : `${damage.length} files, ${formatCount(lost)} messages' raw events missing`}
        </Badge>
      )}
    </>
  );
}
