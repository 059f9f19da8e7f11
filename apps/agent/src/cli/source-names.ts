/**
 * Source names shown in the UI and stored with every record: derived from the transport
 * URL as `<first host>` or `<first host>/<vhost>` (default vhost `/` left out), made unique
 * with `#2`, `#3`... when two URLs share host and vhost. Never contains credentials.
 */
import type { TransportUrl } from '@osloscope/shared';

export function sourceNameFor(url: TransportUrl): string {
  const host = url.hosts[0]?.hostname ?? 'localhost';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return url.vhost === '/' ? hostPart : `${hostPart}/${url.vhost}`;
}

/** One unique name per URL, in order. */
export function uniqueSourceNames(urls: readonly TransportUrl[]): string[] {
  const used = new Map<string, number>();
  return urls.map((url) => {
    const base = sourceNameFor(url);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}
