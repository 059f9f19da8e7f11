/**
 * Publishes oslo casts whose signatures the agent must judge (message-signing.md): a correctly
 * signed one, a signed one whose body was altered after signing, and an unsigned one to a
 * destination that requires signatures. Signing uses the agent's own signer, as the issue asks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import amqp from 'amqplib';
import { envelopeBody, osloProperties, requestInnerText } from '@osloscope/shared';
import { createSigner, toPublishOptions } from '@osloscope/agent/test-support';

/** What was published, by case. */
export interface SignedCase {
  name: 'valid' | 'tampered' | 'unsigned';
  method: string;
  /** A token in the args that tells the cases apart in the UI. */
  ref: string;
}

export interface SigningSetup {
  /** The `--keys` file for the agent. */
  keyFile: string;
  /** The destination (routing target) the key is for; also listed in requireSigned. */
  destination: string;
  key: Buffer;
}

/** Writes a key file with one fresh key for `destination`, which must be signed. */
export async function writeKeyFile(path: string, destination: string): Promise<SigningSetup> {
  const key = randomBytes(16);
  await writeFile(path, JSON.stringify({ keys: { [destination]: key.toString('base64') }, requireSigned: [destination] }), {
    mode: 0o600,
  });
  return { keyFile: path, destination, key };
}

/**
 * Publishes the three cases as casts to `<exchange>` / topic `destination` (in this order) with
 * publisher confirms, so they are on the broker (and in the firehose) when this resolves.
 */
export async function publishSignatureCases(amqpUrl: string, exchange: string, signing: SigningSetup): Promise<SignedCase[]> {
  const signer = createSigner();
  const cases: SignedCase[] = [
    { name: 'valid', method: 'record_payment', ref: 'e2e-valid-payment' },
    { name: 'tampered', method: 'record_payment', ref: 'e2e-tampered-payment' },
    { name: 'unsigned', method: 'record_payment', ref: 'e2e-unsigned-payment' },
  ];
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    // oslo declared the control exchange; a missing one would close the channel, so check first.
    await ch.checkExchange(exchange);
    for (const c of cases) {
      const inner = requestInnerText({
        exchange,
        topic: signing.destination,
        version: '1.0',
        method: c.method,
        args: { amount: 10, ref: c.ref },
        uniqueId: randomUUID().replace(/-/g, ''),
        context: { request_id: `req-${c.ref}`, user: 'e2e-user' },
      });
      let body: string;
      if (c.name === 'unsigned') {
        body = Buffer.from(envelopeBody(inner)).toString('utf8');
      } else {
        body = signer.signInner(inner, { source: 'e2e-client', destination: signing.destination, key: signing.key });
        // Altered in transit: the amount changes after the signature was computed.
        if (c.name === 'tampered') body = body.replace('\\"amount\\": 10', '\\"amount\\": 9999');
        if (c.name === 'tampered' && !body.includes('9999')) throw new Error('tampering did not change the body');
      }
      ch.publish(exchange, signing.destination, Buffer.from(body, 'utf8'), toPublishOptions(osloProperties()));
    }
    await ch.waitForConfirms();
    await ch.close();
  } finally {
    await conn.close();
  }
  return cases;
}
