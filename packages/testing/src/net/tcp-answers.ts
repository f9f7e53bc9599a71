import { createConnection } from 'node:net';

/** Ports of the schemes whose URLs may leave theirs out. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'amqp:': 5672, 'amqps:': 5671, 'postgresql:': 5432, 'postgres:': 5432, 'mongodb:': 27017 };

/**
 * Whether something accepts TCP connections at a server URL's host and port (`amqp://…`, `postgresql://…`,
 * `tcp://host:port`): what a test file checks once to skip, by name, the tests whose server is missing.
 * Resolves false when the connection is refused or not accepted within `timeoutMs`.
 *
 * @throws {TypeError} when the URL names no port and its scheme has no known one.
 */
export async function tcpAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  const number = port === '' ? DEFAULT_PORTS[protocol] : Number(port);
  if (number === undefined) throw new TypeError(`${url} names no port, and ${protocol} has no default one here`);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: number });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
