import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'ok' | 'warn' | 'error' | 'info' | 'muted';

/** A small pill; colours come from the theme's CSS variables. */
export function Badge(props: { tone?: Tone; title?: string | undefined; testId?: string; children: ReactNode }) {
  return (
    <span className={`badge badge-${props.tone ?? 'neutral'}`} title={props.title} data-testid={props.testId}>
      {props.children}
    </span>
  );
}
