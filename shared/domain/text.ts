/**
 * Human-readable text people type into the platform — names, bank names, reasons — and what must
 * never be in it (issue 10 point 9). Zero-width characters, bidirectional overrides and isolates,
 * control characters and lone surrogates change how a name *displays* without changing what it
 * *is*: `"\u202e三张"` shows as 张三 to a reviewer and in a bank file, while the platform compares and
 * stores 三张. Text is normalised to NFC so that one name has one spelling.
 */

/**
 * The characters refused in human-readable text: C0 and C1 control characters (tab and line breaks
 * included: names and reasons are single-line fields), U+061C arabic letter mark, U+200B–U+200F
 * zero-width characters and directional marks, U+2028/U+2029 line and paragraph separators,
 * U+202A–U+202E bidirectional embeddings and overrides, U+2060–U+2064 word joiner and invisible
 * operators, U+2066–U+2069 bidirectional isolates, U+FEFF zero-width no-break space (BOM).
 */
export const HIDDEN_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
  /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const HIDDEN_CHARACTERS_GLOBAL = new RegExp(HIDDEN_CHARACTERS.source, 'gu');

/**
 * Whether `value` is safe to show as a name or reason: well-formed UTF-16 (no lone surrogate) and
 * free of {@link HIDDEN_CHARACTERS}.
 *
 * @example isDisplaySafe('张三') // true
 * @example isDisplaySafe('\u202e三张') // false: displays as 张三
 */
export function isDisplaySafe(value: string): boolean {
  return value.isWellFormed() && !HIDDEN_CHARACTERS.test(value);
}

/**
 * Defensive cleaning for output that leaves the platform (the bank batch file): NFC, lone
 * surrogates and {@link HIDDEN_CHARACTERS} removed, surrounding spaces trimmed. Input is refused at
 * the API edge (`humanText`); this only guards records stored before that check existed.
 *
 * @example displaySafe('\u202e三张\u200b') // '三张'
 */
export function displaySafe(value: string): string {
  // toWellFormed turns a lone surrogate into U+FFFD, which is then dropped too.
  return value
    .toWellFormed()
    .replaceAll('\uFFFD', '')
    .replace(HIDDEN_CHARACTERS_GLOBAL, '')
    .normalize('NFC')
    .trim();
}
