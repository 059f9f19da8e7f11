/**
 * The replay audit log: one NDJSON file in the data dir (`replay-audit.ndjson`). A replay
 * is appended when sent, and its outcome (reply, timeout) as a later line with the same
 * `replayId`; reading folds them together. Secrets in what was sent are masked before
 * they reach the file. Append-only, so a crash never loses earlier entries.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPLAY_OUTCOMES, type ReplayAuditEntry, type ReplayOutcome } from '@osloscope/shared';

export const AUDIT_FILE = 'replay-audit.ndjson';

export interface AuditOutcome {
  replayId: string;
  outcome: ReplayOutcome;
  detail: string | null;
  finishedAt: number | null;
  newId?: number | null;
}

export interface ReplayAuditLog {
  record(entry: ReplayAuditEntry): void;
  update(outcome: AuditOutcome): void;
  /** Newest first. */
  list(limit?: number): ReplayAuditEntry[];
}

function isEntry(v: unknown): v is ReplayAuditEntry {
  const e = v as Partial<ReplayAuditEntry> | null;
  return typeof e === 'object' && e !== null && typeof e.replayId === 'string' && typeof e.at === 'number' && typeof e.originalId === 'number';
}

function isOutcome(v: unknown): v is AuditOutcome & { update: true } {
  const o = v as Partial<AuditOutcome & { update: boolean }> | null;
  return typeof o === 'object' && o !== null && o.update === true && typeof o.replayId === 'string' && REPLAY_OUTCOMES.includes(o.outcome as ReplayOutcome);
}

export function createAuditLog(dataDir: string): ReplayAuditLog {
  const file = path.join(dataDir, AUDIT_FILE);
  mkdirSync(dataDir, { recursive: true });
  const append = (line: unknown) => appendFileSync(file, JSON.stringify(line) + '\n', { mode: 0o600 });

  return {
    record(entry) {
      append(entry);
    },
    update(o) {
      append({ update: true, ...o });
    },
    list(limit = 200) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      const byId = new Map<string, ReplayAuditEntry>();
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          continue; // a torn last line after a crash
        }
        if (isOutcome(v)) {
          const e = byId.get(v.replayId);
          if (!e) continue;
          e.outcome = v.outcome;
          e.detail = v.detail;
          e.finishedAt = v.finishedAt;
          if (v.newId !== undefined && v.newId !== null) e.newId = v.newId;
        } else if (isEntry(v)) {
          // Entries written before `retargetedFrom` existed went to the original's target.
          byId.set(v.replayId, { ...v, retargetedFrom: v.retargetedFrom ?? null });
        }
      }
      return [...byId.values()].sort((a, b) => b.at - a.at).slice(0, Math.max(0, limit));
    },
  };
}
