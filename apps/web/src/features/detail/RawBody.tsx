import { useEffect, useMemo, useState } from 'react';
import { formatBytes } from '../../components/format';
import { maskingNotes } from './masking';
import { PREVIEW_CHARS, decodeBase64Text, prettyOsloBody, previewText } from './raw-body';
import { prettyInWorker } from './pretty-client';

/**
 * The raw body, lazily: nothing is decoded until opened, only the first 100 KB is
 * rendered until "show all", and large bodies are pretty-printed in a worker.
 */
export function RawBody(props: { rawBase64: string; bodySize: number; maskedFields: string[]; bodyMaskedAtExport?: boolean | undefined }) {
  const [open, setOpen] = useState(false);
  const [pretty, setPretty] = useState(true);
  const [showAll, setShowAll] = useState(false);
  const [prettyText, setPrettyText] = useState<string | null | undefined>(undefined);
  const text = useMemo(() => (open ? decodeBase64Text(props.rawBase64) : ''), [open, props.rawBase64]);

  useEffect(() => {
    setPrettyText(undefined);
    if (!open || !pretty) return undefined;
    if (text.length <= PREVIEW_CHARS) {
      setPrettyText(prettyOsloBody(text));
      return undefined;
    }
    let live = true;
    void prettyInWorker(text).then((p) => live && setPrettyText(p));
    return () => {
      live = false;
    };
  }, [open, pretty, text]);

  const notes = maskingNotes(props);
  const shownSource = pretty && prettyText ? prettyText : text;
  const preview = previewText(shownSource);
  const shown = showAll ? shownSource : preview.text;

  return (
    <section className="detail-section" data-testid="detail-raw">
      <h4>
        <button type="button" className="btn-link" onClick={() => setOpen(!open)} data-testid="detail-raw-toggle">
          {open ? '▾' : '▸'} Raw body
        </button>{' '}
        <span className="muted">{formatBytes(props.bodySize)}</span>
        {notes.secrets && (
          <span className="muted" data-testid="detail-raw-masked">
            {' '}
            · {notes.secrets}
          </span>
        )}
      </h4>
      {notes.atExport && (
        <div className="warn-text" data-testid="detail-raw-masked-at-export">
          {notes.atExport}
        </div>
      )}
      {open && (
        <>
          <div className="raw-tools">
            <label>
              <input type="checkbox" checked={pretty} onChange={(e) => setPretty(e.target.checked)} /> pretty
            </label>
            {pretty && prettyText === undefined && <span className="muted">formatting…</span>}
            {preview.truncated && !showAll && (
              <button type="button" className="btn-link" data-testid="detail-raw-show-all" onClick={() => setShowAll(true)}>
                showing first {formatBytes(PREVIEW_CHARS)} of {formatBytes(preview.totalChars)} — show all
              </button>
            )}
          </div>
          <pre className="raw" data-testid="detail-raw-text">
            {shown}
          </pre>
        </>
      )}
    </section>
  );
}
