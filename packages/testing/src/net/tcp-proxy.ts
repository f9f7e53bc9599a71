import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of a server (the broker) whose connections a test controls, as network failures would. */
export interface TcpProxy {
  readonly port: number;
  /** An AMQP URL through the proxy, with these credentials (default guest:guest). */
  readonly url: (credentials?: string) => string;
  /** Connections accepted and forwarded so far. */
  readonly accepted: number;
  /** Live connections. */
  readonly open: number;
  /** Destroys every live connection on both sides (a network cut); new connections are still forwarded. */
  cut(): void;
  /**
   * Stops forwarding on every live connection, in both directions, without closing anything — a network path
   * gone dead, which only heartbeats notice. New connections are forwarded as before.
   */
  freeze(): void;
  /** Forwards again on the connections {@link freeze} stopped (what they sent meanwhile follows). */
  thaw(): void;
  /** While true, every new connection is closed at once (a server refusing connections). */
  refuse(refusing: boolean): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `host:port`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const frozen = new Set<[Socket, Socket]>();
  let accepted = 0;
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted += 1;
    const upstream = connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      frozen.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const cut = (): void => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    frozen.clear();
  };
  return {
    port: address.port,
    url: (credentials = 'guest:guest') => `amqp://${credentials}@127.0.0.1:${address.port}/%2F`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cut,
    freeze: () => {
      for (const pair of pairs) {
        const [client, upstream] = pair;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        frozen.add(pair);
      }
    },
    thaw: () => {
      for (const pair of frozen) {
        const [client, upstream] = pair;
        client.pipe(upstream);
        upstream.pipe(client);
      }
      frozen.clear();
    },
    refuse: (value) => {
      refusing = value;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
