/** Signature verdicts (docs/reference/message-signing.md §6). Pure data so the web can show them. */

export const SIGNATURE_STATUSES = ['valid', 'unsigned', 'unverified', 'failed'] as const;
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

export const SIGNATURE_FAILURE_REASONS = [
  'MissingSignature',
  'InvalidMetadata',
  'DestinationMismatch',
  'InvalidExpiredTicket',
  'InvalidSignature',
  'ReplayedNonce',
  'InvalidEncryptedMessage',
] as const;
export type SignatureFailureReason = (typeof SIGNATURE_FAILURE_REASONS)[number];
export type SignatureReason = SignatureFailureReason | 'SharedKeyNotFound';

export interface SignatureVerdict {
  status: SignatureStatus;
  reason: SignatureReason | null;
  /** Extra detail for the UI (e.g. which metadata field was wrong). Never contains key material. */
  detail?: string;
}

/** Plain-language explanation of each reason, for operators. */
export const SIGNATURE_REASON_TEXT: Record<SignatureReason, string> = {
  MissingSignature: 'unsigned message to a destination that requires signatures',
  InvalidMetadata: 'signature metadata is malformed or its ticket cannot be decoded',
  DestinationMismatch: 'signed for a different destination than where it was routed (misrouted or redirected)',
  InvalidExpiredTicket: 'ticket expired or not yet valid at the message timestamp',
  InvalidSignature: 'signature does not match: message altered or wrong key',
  ReplayedNonce: 'nonce already seen from this source: replayed message',
  InvalidEncryptedMessage: 'encrypted body cannot be decrypted',
  SharedKeyNotFound: 'signed, but no key is loaded for the destination',
};
