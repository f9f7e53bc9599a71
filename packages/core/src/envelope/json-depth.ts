/**
 * Deepest nesting of objects and arrays accepted in a message body (the body itself is level 1). Real bus
 * traffic nests a handful of levels; the limit keeps recursive code everywhere downstream (schema checks,
 * canonical JSON, the archive's text) far from the stack's end.
 */
export const MAX_BODY_DEPTH = 100;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when JSON text nests objects and arrays more than `max` levels deep, found without parsing it: text
 * with no more than `max` opening brackets in all (almost every message) is answered by two native searches;
 * other text is scanned once, skipping strings.
 */
export function jsonTextDepthExceeds(text: string, max: number): boolean {
  let opening = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) {
      opening += 1;
      if (opening > max) return scanDepth(text, max);
    }
  }
  return false;
}

function scanDepth(text: string, max: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      for (index += 1; index < text.length; index += 1) {
        const inner = text.charCodeAt(index);
        if (inner === BACKSLASH) index += 1;
        else if (inner === QUOTE) break;
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

/** True when a value nests objects and arrays more than `max` levels deep (walked without recursion). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: { readonly value: object; readonly depth: number }[] = [{ value, depth: 1 }];
  const seen = new Set<object>();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > max) return true;
    // A cycle is not JSON: the schema words that error; here it must only not loop.
    if (seen.has(item.value)) continue;
    seen.add(item.value);
    for (const child of Object.values(item.value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child as object, depth: item.depth + 1 });
    }
  }
  return false;
}
