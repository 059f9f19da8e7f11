/** Scanning JSON text without parsing it (depth checks, Python's bare float tokens). */

/** Index of the quote closing the JSON string opened at `open`: the next `"` not preceded by an odd run of backslashes; -1 if none. */
export function closingQuote(text: string, open: number): number {
  for (let j = open + 1; ; j++) {
    j = text.indexOf('"', j);
    if (j < 0) return -1;
    let back = 0;
    while (text.charCodeAt(j - 1 - back) === 92) back++;
    if ((back & 1) === 0) return j;
  }
}
