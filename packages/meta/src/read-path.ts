import type { JsonValue } from '@statbus/core';

/** Splits `a.b[].c` into `['a', 'b', '[]', 'c']`. */
export function pathSteps(path: string): string[] {
  const steps: string[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const at = part.indexOf('[');
    const name = at === -1 ? part : part.slice(0, at);
    if (name !== '') steps.push(name);
    if (at !== -1) for (const match of part.slice(at).matchAll(/\[([^\]]*)\]/gu)) steps.push(`[${match[1] ?? ''}]`);
  }
  return steps;
}

/** A string, number or boolean as text; anything else has none. */
function scalarText(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

const FILTER = /^\[([^=\]]+)=([^\]]*)\]$/u;

const isObject = (value: unknown): value is Record<string, JsonValue> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every value at `steps` under `root`: `[]` walks an array's elements, `[key=value]` the elements whose
 * `key` is `value` (compared without case), `*` an object's values, `~` an object's keys; a missing step
 * gives nothing.
 */
export function readPath(root: JsonValue | undefined, steps: readonly string[]): JsonValue[] {
  let current: JsonValue[] = root === undefined ? [] : [root];
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const value of current) {
      const filter = FILTER.exec(step);
      if (step === '[]') {
        if (Array.isArray(value)) next.push(...value);
      } else if (filter !== null) {
        const [, key = '', wanted = ''] = filter;
        if (Array.isArray(value)) {
          next.push(...value.filter((item) => isObject(item) && scalarText(item[key])?.toLowerCase() === wanted.toLowerCase()));
        }
      } else if (step === '*') {
        if (isObject(value)) next.push(...Object.values(value));
        else if (Array.isArray(value)) next.push(...value);
      } else if (step === '~') {
        if (isObject(value)) next.push(...Object.keys(value));
      } else if (isObject(value)) {
        const child = value[step];
        if (child !== undefined) next.push(child);
      } else if (Array.isArray(value) && /^-?\d+$/u.test(step)) {
        const child = value.at(Number(step));
        if (child !== undefined) next.push(child);
      }
    }
    current = next;
  }
  return current;
}

/** The strings among `values`, arrays of strings flattened one level. */
export function stringsOf(values: readonly JsonValue[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') out.push(item);
  }
  return out;
}
