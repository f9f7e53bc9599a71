import { describe, expect, it } from 'vitest';
import { describeFailure, isBrokenPipe } from './describe-failure.js';

function systemError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`${code}: raw`), { code, ...fields });
}

describe(describeFailure, () => {
  it.each([
    [systemError('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 8080 }), '127.0.0.1:8080 is already in use'],
    [systemError('EADDRINUSE', { syscall: 'listen', address: '::1', port: 8080 }), '[::1]:8080 is already in use'],
    [systemError('ENOENT', { syscall: 'open', path: '/nonexistent.json' }), '/nonexistent.json: no such file or directory'],
    [systemError('EACCES', { syscall: 'open', path: '/root/x' }), '/root/x: permission denied'],
    [systemError('EACCES', { syscall: 'listen', address: '0.0.0.0', port: 80 }), 'cannot listen on 0.0.0.0:80: permission denied'],
    [systemError('EISDIR', { syscall: 'read', path: '/tmp' }), '/tmp is a directory'],
    [systemError('ECONNREFUSED', { syscall: 'connect', address: '127.0.0.1', port: 5672 }), 'nothing answers at 127.0.0.1:5672'],
  ])('should put %s in one line', (error, expected) => {
    const line = describeFailure(error);
    expect(line).toContain(expected);
    expect(line).not.toContain('\n');
  });

  it('should leave anything else to be shown with its stack', () => {
    expect(describeFailure(new TypeError('x is undefined'))).toBeUndefined();
    expect(describeFailure(systemError('ENOENT', { syscall: 'open' }))).toBeUndefined();
    expect(describeFailure('a string')).toBeUndefined();
  });
});

describe(isBrokenPipe, () => {
  it('should recognise a write to a closed pipe only', () => {
    expect(isBrokenPipe(systemError('EPIPE', { syscall: 'write' }))).toBe(true);
    expect(isBrokenPipe(systemError('ECONNRESET', { syscall: 'read' }))).toBe(false);
  });
});
