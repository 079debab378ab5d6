/**
 * Deepest nesting of arrays and objects a JSON body may have. Every body this API takes is at
 * most 4 levels deep (working hours: `{ workingHours: { mon: [["09:00", "17:00"]] } }`); 32
 * leaves room and keeps recursive code after parsing (class-transformer, class-validator) far
 * from the stack limit, which a 20,000-level body under the size limit used to reach (a 500).
 */
export const MAX_JSON_DEPTH = 32;

/** A body nested deeper than `MAX_JSON_DEPTH`: answered 400 by the body parser, before any parsing. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';

  constructor(maxDepth: number) {
    super(`JSON body is nested deeper than ${maxDepth} levels of arrays and objects`);
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The nesting depth of a JSON text, read in one pass over its bytes without recursion or
 * parsing: brackets inside strings are skipped (escapes included), so `{"a":"[[["}` is 1 deep.
 * Stops early once `limit` is passed. Malformed text is not judged here: JSON.parse refuses it.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * body-parser's `verify` hook: it sees the raw body before JSON.parse does. UTF-16/32 bodies
 * (which body-parser decodes itself) never reach it: JSON bodies are read as UTF-8 here.
 */
export function verifyJsonDepth(_request: unknown, _response: unknown, body: Buffer): void {
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) throw new JsonTooDeepError(MAX_JSON_DEPTH);
}
