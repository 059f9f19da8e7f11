/**
 * Raw events kept outside SQLite, in append-only segment files beside the store
 * (`<dataDir>/raw/<segment>.seg`). Each stored message's raw event (origin, exchange, routing
 * key, headers, properties, body) is one frame; the `messages` row keeps where it is
 * (segment, offset, length). As SQLite rows the bodies (1–20 KB, overflow pages) cost the
 * writer ~10 % of its time and a B-tree row each; here a whole batch is one `write` call.
 *
 * Frame: u32 little-endian byte length of the meta JSON, the meta JSON
 * `[origin, exchange, routingKey, headers, properties]`, then the body bytes.
 *
 * One writer appends (the writer thread, or the capture thread after it failed over); any
 * connection reads. Frames are written before the transaction that refers to them commits, so
 * a committed row always points at bytes that were written. Eviction removes whole segments
 * once every message written into them is evicted (`raw_segments.max_id`, kept by the store).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AmqpProperties } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';
import { errorCode, fileErrorWords } from './file-errors.js';
import { withPath } from './write-failure.js';

/** The raw event kept for a record: what the capture needs to decode it again. */
export type StoredRaw = Pick<RawCapture, 'origin' | 'exchange' | 'routingKey' | 'headers' | 'properties' | 'body'>;

/** A new segment is started once the current one holds this much (a batch is never split). */
export const SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_SUFFIX = '.seg';
/** Open segments kept for reading (export reads one segment after the other). */
const READ_HANDLES = 4;

/** Where a frame is: segment number, byte offset, byte length. */
export interface RawRef {
  segment: number;
  offset: number;
  length: number;
}

/**
 * Why a frame could not be read: its segment file is gone, shorter than the frame's end, cannot
 * be read (`cause` in words), or holds bytes that are not a frame.
 */
export interface RawLoss {
  lost: 'missing' | 'truncated' | 'unreadable' | 'damaged';
  segment: number;
  /** For `unreadable`: the file-system error in words. */
  cause?: string;
}

export function isRawLoss(read: StoredRaw | RawLoss): read is RawLoss {
  return 'lost' in read;
}

/** A segment file's size, or why there is none to tell. */
export type SegmentStat = { size: number } | { missing: true } | { cause: string };

/** The raw event's fields as a frame's meta JSON holds them. */
type RawMeta = [origin: string, exchange: string, routingKey: string, headers: Record<string, unknown>, properties: AmqpProperties];

/** The meta of a frame: everything of the raw event but its body (JSON-safe, see store-batch `jsonSafe`). */
export function frameMeta(raw: Omit<StoredRaw, 'body'>, toJson: (value: unknown) => string): Buffer {
  const meta: RawMeta = [raw.origin, raw.exchange, raw.routingKey, raw.headers, raw.properties];
  return Buffer.from(toJson(meta), 'utf8');
}

/** Bytes a frame of this meta and body takes. */
export function frameLength(metaJson: Buffer, bodyLength: number): number {
  return 4 + metaJson.byteLength + bodyLength;
}

/** Write one frame into `into` at `at`; returns the offset after it. */
export function writeFrame(into: Uint8Array, at: number, metaJson: Buffer, body: Uint8Array): number {
  new DataView(into.buffer, into.byteOffset, into.byteLength).setUint32(at, metaJson.byteLength, true);
  into.set(metaJson, at + 4);
  into.set(body, at + 4 + metaJson.byteLength);
  return at + 4 + metaJson.byteLength + body.byteLength;
}

/** The raw event of a frame, or null when the bytes are not a whole frame (a segment cut short by a crash). */
export function parseFrame(frame: Buffer): StoredRaw | null {
  if (frame.byteLength < 4) return null;
  const metaLength = frame.readUInt32LE(0);
  if (metaLength > frame.byteLength - 4) return null;
  try {
    const meta = JSON.parse(frame.toString('utf8', 4, 4 + metaLength)) as unknown;
    if (!isRawMeta(meta)) return null;
    const [origin, exchange, routingKey, headers, properties] = meta;
    const body = frame.subarray(4 + metaLength);
    return {
      origin: origin as StoredRaw['origin'],
      exchange,
      routingKey,
      headers,
      properties,
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    };
  } catch {
    return null;
  }
}

function isRawMeta(v: unknown): v is RawMeta {
  const isObject = (o: unknown) => typeof o === 'object' && o !== null && !Array.isArray(o);
  return (
    Array.isArray(v) && v.length === 5 && typeof v[0] === 'string' && typeof v[1] === 'string' && typeof v[2] === 'string' && isObject(v[3]) && isObject(v[4])
  );
}

export class RawSegmentLog {
  private readonly dir: string;
  /** The segment being appended to and its size; found on the first append (another thread may have written before). */
  private current: { segment: number; fd: number; size: number } | null = null;
  private readonly readers = new Map<number, number>();

  /**
   * @param segmentBytes when a new segment starts (tests use small ones)
   * @param readOnly a capture open for browsing only: nothing is created, appending throws
   */
  constructor(
    dataDir: string,
    private readonly segmentBytes = SEGMENT_BYTES,
    private readonly readOnly = false,
  ) {
    this.dir = path.join(dataDir, 'raw');
    if (!readOnly) fs.mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Append a batch's frames (one write). `bytes` lays the frames out back to back.
   * @returns the segment and the offset `bytes` starts at
   */
  append(bytes: Uint8Array): { segment: number; offset: number } {
    if (this.readOnly) throw new Error('the raw segment log is open read-only');
    let current = this.current ?? this.openLatest();
    if (current.size > 0 && current.size + bytes.byteLength > this.segmentBytes) {
      fs.closeSync(current.fd);
      // A failing create (disk full) must not leave the closed descriptor in use.
      this.current = null;
      current = this.create(current.segment + 1);
    }
    this.current = current;
    const offset = current.size;
    // Written at explicit positions, not appended: a write that failed halfway (disk full)
    // leaves bytes past `size` that the next batch overwrites, so offsets stay exact.
    try {
      let written = 0;
      while (written < bytes.byteLength) written += fs.writeSync(current.fd, bytes, written, bytes.byteLength - written, offset + written);
    } catch (e) {
      this.cutBack(current, offset);
      throw withPath(e, this.file(current.segment));
    }
    current.size += bytes.byteLength;
    return { segment: current.segment, offset };
  }

  /**
   * Take back a batch appended at `at` that no committed row points to (its transaction
   * failed): a full disk gets the space back, and a retry does not append it a second time.
   */
  discard(at: { segment: number; offset: number }): void {
    if (this.current?.segment === at.segment) this.cutBack(this.current, at.offset);
  }

  /** The raw event at `ref`, or why it cannot be had (its segment gone: evicted or lost; cut short; damaged). Never throws. */
  read(ref: RawRef): StoredRaw | RawLoss {
    const fd = this.reader(ref.segment);
    if (typeof fd !== 'number') return fd;
    const frame = Buffer.allocUnsafe(ref.length);
    let got = 0;
    try {
      while (got < ref.length) {
        const n = fs.readSync(fd, frame, got, ref.length - got, ref.offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      return { lost: 'unreadable', segment: ref.segment, cause: fileErrorWords(e) };
    }
    if (got < ref.length) return { lost: 'truncated', segment: ref.segment };
    return parseFrame(frame) ?? { lost: 'damaged', segment: ref.segment };
  }

  /** A segment file's size; never throws. */
  stat(segment: number): SegmentStat {
    try {
      return { size: fs.statSync(this.file(segment)).size };
    } catch (e) {
      return errorCode(e) === 'ENOENT' ? { missing: true } : { cause: fileErrorWords(e) };
    }
  }

  /** A segment's file: its path and its name under the data dir (`raw/00000003.seg`, how people are told). */
  fileOf(segment: number): { path: string; name: string } {
    const file = this.file(segment);
    return { path: file, name: `raw/${path.basename(file)}` };
  }

  /**
   * Delete the given segments' files, but never the one being appended to.
   * @returns the segments removed
   */
  remove(segments: Iterable<number>): number[] {
    const removed: number[] = [];
    for (const segment of segments) {
      if (segment === this.current?.segment) continue;
      this.closeReader(segment);
      fs.rmSync(this.file(segment), { force: true });
      removed.push(segment);
    }
    return removed;
  }

  close(): void {
    if (this.current) fs.closeSync(this.current.fd);
    this.current = null;
    for (const segment of [...this.readers.keys()]) this.closeReader(segment);
  }

  /** The segment files there are, oldest first. */
  segments(): number[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX))
      .map((f) => Number(f.slice(0, -SEGMENT_SUFFIX.length)))
      .filter((n) => Number.isSafeInteger(n))
      .sort((a, b) => a - b);
  }

  /** The segment ends at `offset` again: what is past it was never referred to. */
  private cutBack(current: { fd: number; size: number }, offset: number): void {
    current.size = offset;
    try {
      fs.ftruncateSync(current.fd, offset);
    } catch {
      // The space is not given back; the next batch overwrites those bytes all the same.
    }
  }

  private file(segment: number): string {
    return path.join(this.dir, `${String(segment).padStart(8, '0')}${SEGMENT_SUFFIX}`);
  }

  private openLatest(): { segment: number; fd: number; size: number } {
    // Start a new segment rather than append after what an earlier run (or a failed writer
    // thread) may have left half written: committed rows never point past what was whole.
    return this.create((this.segments().at(-1) ?? 0) + 1);
  }

  /** A new, empty segment file (never one that exists: its bytes may be referred to). */
  private create(segment: number): { segment: number; fd: number; size: number } {
    return { segment, fd: fs.openSync(this.file(segment), 'wx'), size: 0 };
  }

  private reader(segment: number): number | RawLoss {
    const open = this.readers.get(segment);
    if (open !== undefined) {
      // Most recently used last: the map's order is the eviction order.
      this.readers.delete(segment);
      this.readers.set(segment, open);
      return open;
    }
    let fd: number;
    try {
      fd = fs.openSync(this.file(segment), 'r');
    } catch (e) {
      return errorCode(e) === 'ENOENT' ? { lost: 'missing', segment } : { lost: 'unreadable', segment, cause: fileErrorWords(e) };
    }
    this.readers.set(segment, fd);
    if (this.readers.size > READ_HANDLES) this.closeReader(this.readers.keys().next().value as number);
    return fd;
  }

  private closeReader(segment: number): void {
    const fd = this.readers.get(segment);
    if (fd === undefined) return;
    this.readers.delete(segment);
    fs.closeSync(fd);
  }
}
