const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/u;

/**
 * True when `name` can name a key file: letters, digits, `.`, `_`, `-` and `@`, not starting with a dot,
 * at most 128 characters. A producer name that is not a valid key name can have no key, so it can never
 * be verified; nothing read from the bus is ever turned into a path outside the keys directory.
 */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && KEY_NAME.test(name);
}
