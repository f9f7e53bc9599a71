/** A Node.js system error as thrown by `fs`, `net` and `http`: its code and what it was about. */
interface SystemError extends Error {
  readonly code?: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly address?: string;
  readonly port?: number;
}

function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as SystemError).code === 'string' && typeof (error as SystemError).syscall === 'string';
}

/**
 * One line naming what failed, where, and what to do, for the failures a command meets in ordinary use: a
 * port in use, a missing or unreadable file, a refused connection. `undefined` for anything else (a bug, shown
 * with its stack).
 */
export function describeFailure(error: unknown): string | undefined {
  if (!isSystemError(error)) return undefined;
  const { code, path, address, port } = error;
  const where = address === undefined ? undefined : `${address.includes(':') ? `[${address}]` : address}${port === undefined ? '' : `:${port}`}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${where ?? 'the address'} is already in use: stop what listens there, or choose another port (--port, or 0 for any free one)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where ?? 'that address'}: no interface of this machine has that address`;
    case 'ECONNREFUSED':
      return `nothing answers at ${where ?? 'that address'}: is the server running?`;
    case 'ENOENT':
      return path === undefined ? undefined : `${path}: no such file or directory`;
    case 'EISDIR':
      return path === undefined ? undefined : `${path} is a directory, not a file`;
    case 'ENOTDIR':
      return path === undefined ? undefined : `${path}: a part of this path is not a directory`;
    case 'EACCES':
    case 'EPERM':
      if (path !== undefined) return `${path}: permission denied`;
      return where === undefined ? undefined : `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    case 'ENOSPC':
      return `${path ?? 'the disk'}: no space left on the device`;
    case 'EMFILE':
      return 'too many open files: raise the limit (ulimit -n)';
    default:
      return undefined;
  }
}

/** True for the error a write to a closed pipe gives (`statbus dump | head -1`): Unix tools end quietly then. */
export function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as SystemError).code === 'EPIPE';
}
