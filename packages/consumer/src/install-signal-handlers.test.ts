import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { HubResult, StopOptions } from './consumer-hub.js';
import { installSignalHandlers, type SignalSource } from './install-signal-handlers.js';

function fakeHub(): { stop: ReturnType<typeof vi.fn<(options?: StopOptions) => Promise<HubResult>>> } {
  return { stop: vi.fn((options?: StopOptions) => Promise.resolve({ reason: options?.reason ?? '', exitCode: options?.exitCode ?? 0 })) };
}

describe(installSignalHandlers, () => {
  it('should stop the hub gracefully on the first SIGTERM or SIGINT, and call onRepeat on the next', () => {
    const emitter = new EventEmitter();
    const hub = fakeHub();
    const repeats: string[] = [];
    installSignalHandlers(hub, emitter, { onRepeat: (signal) => repeats.push(signal) });
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(hub.stop).toHaveBeenCalledWith({ reason: 'received SIGTERM', exitCode: 0 });
    emitter.emit('SIGINT', 'SIGINT');
    expect(hub.stop).toHaveBeenCalledTimes(1);
    expect(repeats).toEqual(['SIGINT']);
  });

  it('should listen only to the signals given, and remove its listeners when uninstalled', () => {
    const emitter = new EventEmitter();
    const hub = fakeHub();
    const uninstall = installSignalHandlers(hub, emitter, { signals: ['SIGHUP'] });
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(hub.stop).not.toHaveBeenCalled();
    expect(emitter.listenerCount('SIGHUP')).toBe(1);
    uninstall();
    expect(emitter.listenerCount('SIGHUP')).toBe(0);
  });

  it('should accept the process itself', () => {
    const source: SignalSource = process;
    expect(typeof source.on).toBe('function');
  });
});
