/** Shortening a notice to a channel's limits without breaking a character: cut at a code point, mark with an ellipsis. */

const ELLIPSIS = '…';

/** At most `max` characters (code points, as SMS templates count them), ending in an ellipsis when cut. */
export function shortenToChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** At most `max` UTF-8 bytes (as WeCom counts its content limits), ending in an ellipsis when cut. */
export function shortenToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const budget = max - Buffer.byteLength(ELLIPSIS, 'utf8');
  let used = 0;
  let kept = '';
  for (const char of text) {
    used += Buffer.byteLength(char, 'utf8');
    if (used > budget) break;
    kept += char;
  }
  return kept + ELLIPSIS;
}

/** One line: runs of whitespace (newlines included) become one space, for fields shown on a single line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
