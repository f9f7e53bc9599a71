import { StatbusError } from '@statbus/core';

/** A metrics plugin that is unknown, badly defined or cannot be loaded; `plugin` names it. */
export class PluginError extends StatbusError {
  constructor(
    readonly plugin: string,
    message: string,
    options?: { cause?: unknown; readonly known?: readonly string[] },
  ) {
    super('ERR_PLUGIN', message, options);
    this.known = options?.known ?? [];
  }

  /** The plugins there are, when the error is about an unknown one. */
  readonly known: readonly string[];
}
