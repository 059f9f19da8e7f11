/**
 * What the detail panel says about masked secrets. Two different facts: the agent masked
 * fields for display (the stored capture still has them), or the exporting agent masked the
 * body before it was written to the capture file (the real values are gone for good).
 */
import type { EnvelopeDetail } from '@osloscope/shared';

export interface MaskingNotes {
  /** "secrets masked: …" — shown for live and imported captures alike. */
  secrets: string | null;
  /** Imported captures whose body was masked at export. */
  atExport: string | null;
}

export function maskingNotes(
  d: Pick<EnvelopeDetail, 'maskedFields'> & { bodyMaskedAtExport?: EnvelopeDetail['bodyMaskedAtExport'] | undefined },
): MaskingNotes {
  const fields = d.maskedFields.join(', ');
  if (d.bodyMaskedAtExport) {
    return {
      secrets: null,
      atExport: `masked when this capture was exported: ${fields.length > 0 ? `fields ${fields}` : 'fields unknown'} (the real values are not in this capture; a replay would send the masks)`,
    };
  }
  return { secrets: fields.length > 0 ? `secrets masked: ${fields}` : null, atExport: null };
}
