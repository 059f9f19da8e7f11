/**
 * Where transport URLs come from besides the command line, so a broker password never has to
 * be an argument (visible to every local user in the process list): a file of URLs
 * (--transport-url-file), or an OpenStack service's own config file (--oslo-config
 * /etc/nova/nova.conf: `[DEFAULT] transport_url`, as operators already keep it).
 * Errors name the file and the problem, never its content.
 */
import { readFileSync } from 'node:fs';

export class TransportUrlSourceError extends Error {}

function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TransportUrlSourceError(
      `${option} ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e))})`,
    );
  }
}

/** The URLs of a --transport-url-file: one per line; blank lines and `#` comments skipped. */
export function urlsFromFile(file: string): string[] {
  const urls = readText(file, '--transport-url-file')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (urls.length === 0) throw new TransportUrlSourceError(`--transport-url-file ${file}: holds no transport URL`);
  return urls;
}

/** Sections of an oslo.config (INI) file: lowercased section → key → value. Later values win, as in oslo.config. */
export function parseOsloConfig(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section?.[1]) {
      const name = section[1].trim().toLowerCase();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const kv = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (kv?.[1] && current) current.set(kv[1].toLowerCase(), kv[2] ?? '');
  }
  return sections;
}

const TRUE = /^(true|yes|on|1)$/i;

/** `[DEFAULT] transport_url` of an OpenStack service's config; refuses a TLS broker, which the agent cannot connect to yet. */
export function urlFromOsloConfig(file: string): string {
  const conf = parseOsloConfig(readText(file, '--oslo-config'));
  const url = conf.get('default')?.get('transport_url')?.trim();
  if (!url) throw new TransportUrlSourceError(`--oslo-config ${file}: no [DEFAULT] transport_url`);
  const ssl = conf.get('oslo_messaging_rabbit')?.get('ssl') ?? conf.get('oslo_messaging_rabbit')?.get('rabbit_use_ssl');
  if (ssl !== undefined && TRUE.test(ssl.trim())) {
    throw new TransportUrlSourceError(
      `--oslo-config ${file}: the broker uses TLS ([oslo_messaging_rabbit] ssl = ${ssl.trim()}), which osloscope cannot connect with yet`,
    );
  }
  return url;
}

/** Whether a transport URL carries a password (`user:pass@`). */
export function hasPassword(url: string): boolean {
  return /^[a-z0-9+.-]+:\/\/[^/@]*:[^/@]+@/i.test(url);
}
