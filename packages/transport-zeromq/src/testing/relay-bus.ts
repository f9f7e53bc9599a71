import { configSchema, silentLogger, type Logger, type StatbusConfig, type StatbusConfigInput } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { XPublisher } from 'zeromq';
import { ZeroMqRelay } from '../zeromq-relay.js';
import { ZeroMqTransport } from '../zeromq-transport.js';

type ZeroMqInput = NonNullable<StatbusConfigInput['zeromq']>;

/**
 * A relay on fresh loopback ports and transports configured to use it: one isolated bus for a test.
 * Not exported from the package; used by this package's integration tests.
 */
export class RelayBus {
  readonly relay: ZeroMqRelay;
  readonly #logger: Logger;
  readonly #transports: ZeroMqTransport[] = [];
  #injector: Promise<XPublisher> | undefined;

  private constructor(relay: ZeroMqRelay, logger: Logger) {
    this.relay = relay;
    this.#logger = logger;
  }

  /** Starts a relay bound to `tcp://127.0.0.1:*` on both sides. */
  static async start(relayOptions: ZeroMqInput = {}, logger: Logger = silentLogger): Promise<RelayBus> {
    const config = configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: 'tcp://127.0.0.1:*', relay_replay: 'tcp://127.0.0.1:*', ...relayOptions } });
    const relay = new ZeroMqRelay(config, logger);
    await relay.start();
    return new RelayBus(relay, logger);
  }

  /** A config whose `[zeromq]` points at this relay, with `options` on top. */
  config(options: ZeroMqInput = {}, rest: Omit<StatbusConfigInput, 'zeromq'> = {}): StatbusConfig {
    return configSchema.parse({
      ...rest,
      zeromq: { relay_inbound: this.relay.inboundAddress, relay_outbound: this.relay.outboundAddress, relay_replay: this.relay.replayAddress, ...options },
    });
  }

  /** A transport on this bus, not connected; closed by {@link close}. */
  transport(options: ZeroMqInput = {}, rest: Omit<StatbusConfigInput, 'zeromq'> = {}): ZeroMqTransport {
    const transport = new ZeroMqTransport(this.config(options, rest), this.#logger);
    this.#transports.push(transport);
    return transport;
  }

  /**
   * Resolves once the relay has passed on `sent` messages and handed them all to ZeroMQ: only then has its
   * outbound high-water mark dropped what it drops (`forwarded` alone counts a message still waiting in its queue).
   */
  async handedOver(sent: number): Promise<void> {
    await waitFor(
      () => {
        const { forwarded, pending } = this.relay.counters();
        return forwarded >= sent && pending === 0;
      },
      { message: `the relay handed ${sent} messages to ZeroMQ` },
    );
  }

  /** Sends raw frames into the relay, as a foreign or broken producer would. */
  async inject(frames: (Buffer | string)[]): Promise<void> {
    this.#injector ??= (async () => {
      const socket = new XPublisher({ linger: 0 });
      socket.connect(this.relay.inboundAddress ?? '');
      // The relay's subscribe-all arriving means the relay will take what this socket sends.
      await socket.receive();
      return socket;
    })();
    const socket = await this.#injector;
    await socket.send(frames);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#transports.map((transport) => transport.close()));
    const injector = await this.#injector?.catch(() => undefined);
    injector?.close();
    await this.relay.close();
  }
}
