import { useEffect, useState } from 'react';
import { ENVELOPE_KINDS, OUTCOME_STATUSES, SIGNATURE_STATUSES, describeFilter, type EnvelopeFilter, type FilterField } from '@osloscope/shared';
import { clearFilter, setFilterField, useUi } from '../../stores/ui-store';
import { queryFromFilter } from '../../stores/url-filter';
import { useThrottledLive } from '../../stores/use-throttled';
import { collectSuggestions, sameSuggestions, type FilterSuggestions } from './suggestions';

type TextField = Exclude<FilterField, 'kind' | 'outcome' | 'signature'>;

/** A text filter input: edits locally, commits after a pause in typing, on Enter or on blur. */
function FilterInput(props: { field: TextField; label: string; suggestions?: string[]; prominent?: boolean; placeholder?: string; id?: string }) {
  const raw = useUi((s) => s.filter[props.field]);
  const committed = raw ?? '';
  const [draft, setDraft] = useState(committed);
  // Only commit real edits: `namespace: ''` (default namespace, set by a graph click) must survive a blur.
  const commit = () => {
    if (draft !== committed) setFilterField(props.field, draft.trim());
  };
  useEffect(() => setDraft(committed), [committed]);
  useEffect(() => {
    if (draft === committed) return undefined;
    const t = setTimeout(() => setFilterField(props.field, draft.trim()), 400);
    return () => clearTimeout(t);
  }, [draft, committed, props.field]);

  const listId = props.suggestions ? `suggest-${props.field}` : undefined;
  return (
    <label className={`filter-field ${props.prominent ? 'filter-prominent' : ''} ${raw !== undefined ? 'filter-set' : ''}`}>
      <span className="filter-label">{props.label}</span>
      <input
        id={props.id}
        data-testid={`filter-${props.field}`}
        value={draft}
        list={listId}
        placeholder={raw === '' ? '(default)' : (props.placeholder ?? 'any')}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
        }}
      />
      {listId && (
        <datalist id={listId}>
          {props.suggestions?.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      )}
    </label>
  );
}

function FilterSelect(props: { field: 'kind' | 'outcome' | 'signature'; label: string; options: readonly string[] }) {
  const value = useUi((s) => s.filter[props.field] ?? '');
  return (
    <label className={`filter-field ${value ? 'filter-set' : ''}`}>
      <span className="filter-label">{props.label}</span>
      <select data-testid={`filter-${props.field}`} value={value} onChange={(e) => setFilterField(props.field, e.target.value || undefined)}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** `GET /api/export` for what the filter selects (same query as the page's URL). */
export function exportUrlFor(filter: EnvelopeFilter): string {
  return `/api/export${queryFromFilter(filter)}`;
}

/** Exchange, topic and server up front (what operators ask for first), then the rest. */
export function FilterBar() {
  const filter = useUi((s) => s.filter);
  const s: FilterSuggestions = useThrottledLive((records) => collectSuggestions(records.records()), 2000, [], sameSuggestions);
  const active = Object.keys(filter).length > 0;
  return (
    <div className="filter-bar" data-testid="filter-bar">
      <FilterInput field="exchange" label="Exchange" suggestions={s.exchange} prominent />
      <FilterInput field="topic" label="Topic" suggestions={s.topic} prominent />
      <FilterInput field="server" label="Server" suggestions={s.server} prominent />
      <span className="filter-sep" />
      <FilterInput field="namespace" label="Namespace" suggestions={s.namespace} />
      <FilterInput field="method" label="Method" suggestions={s.method} />
      <FilterInput field="version" label="Version" suggestions={s.version} />
      <FilterSelect field="kind" label="Kind" options={ENVELOPE_KINDS} />
      <FilterSelect field="outcome" label="Outcome" options={OUTCOME_STATUSES} />
      <FilterSelect field="signature" label="Signature" options={SIGNATURE_STATUSES} />
      <FilterInput field="text" label="Search" id="filter-text" placeholder="text  ( / )" />
      <span className="filter-summary" data-testid="filter-summary">
        {active ? describeFilter(filter) : 'showing everything'}
      </span>
      {active && (
        <button type="button" className="btn-link" data-testid="filter-clear" onClick={clearFilter}>
          clear
        </button>
      )}
      {/* The agent streams the NDJSON and masks secrets unless it runs with --show-secrets. */}
      <a
        className="btn-link"
        data-testid="export-link"
        href={exportUrlFor(filter)}
        download
        title="Download what the filter selects as NDJSON (open it elsewhere with --import)"
      >
        export
      </a>
    </div>
  );
}
