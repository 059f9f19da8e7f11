/**
 * Fixed signing keys of the simulated deployment (message-signing.md §2). They are derived
 * from the destination name, so they are the same on every run and need no file; they
 * protect nothing, they only make the demo's signatures verifiable.
 */
import { createHash } from 'node:crypto';
import { createKeyRing, type KeyRing } from '../signing/index.js';

/** Destinations whose unsigned (non-reply) messages are flagged MissingSignature. */
export const DEMO_REQUIRE_SIGNED = ['conductor', 'scheduler'] as const;
/** Signed by a simulated client, but the agent holds no key for it: SharedKeyNotFound. */
export const DEMO_KEYLESS_DESTINATION = 'consoleauth';

/** The long-term key of a destination name (16 bytes). */
export function demoKeyFor(destination: string): Buffer {
  return createHash('sha256').update(`osloscope demo key: ${destination}`).digest().subarray(0, 16);
}

/** Names with a key in the agent's key ring: the pools' topics and each compute host. */
export function demoKeyNames(computeHosts: readonly string[]): string[] {
  return ['conductor', 'scheduler', ...computeHosts.map((h) => `compute.${h}`)];
}

/** The key ring the capture core's verifier must use while the demo runs. */
export function createDemoKeyRing(computeHosts: readonly string[]): KeyRing {
  return createKeyRing(
    demoKeyNames(computeHosts).map((name): [string, Uint8Array] => [name, demoKeyFor(name)]),
    DEMO_REQUIRE_SIGNED,
  );
}
