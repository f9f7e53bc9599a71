import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

/** PEM files of a throw-away PKI: a CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A second CA that signed nothing here: trusting only it must fail. */
  readonly otherCaFile: string;
  remove(): void;
}

/** Whether `openssl` can be run to make a {@link TestPki}. */
export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes a {@link TestPki} with `openssl` in a temporary directory. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-pki-'));
  const file = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ca = (name: string): void => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`));
  };
  const issue = (name: string, extensions: string): void => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    ssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('statbus-test-ca.pem'), '-CAkey', file('statbus-test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  };
  ca('statbus-test-ca');
  ca('statbus-other-ca');
  issue('broker', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('statbus-client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: file('statbus-test-ca.pem'),
    serverCertFile: file('broker.pem'),
    serverKeyFile: file('broker.key'),
    clientCertFile: file('statbus-client.pem'),
    clientKeyFile: file('statbus-client.key'),
    otherCaFile: file('statbus-other-ca.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A TLS front for the broker (as RabbitMQ's own amqps listener would be), requiring a client certificate. */
export interface TlsProxy {
  readonly port: number;
  /** Common names of the client certificates of the connections it let through. */
  readonly clients: readonly string[];
  /** TLS handshakes it refused (no or untrusted client certificate, or the client gave up). */
  readonly refused: number;
  close(): Promise<void>;
}

/** Starts a TLS-terminating proxy on a free local port in front of `target`, with the certificates of `pki`. */
export async function startTlsProxy(pki: TestPki, target: { host: string; port: number }): Promise<TlsProxy> {
  const clients: string[] = [];
  const sockets = new Set<Socket>();
  let refused = 0;
  const server = createServer(
    {
      key: readFileSync(pki.serverKeyFile),
      cert: readFileSync(pki.serverCertFile),
      ca: readFileSync(pki.caFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client: TLSSocket) => {
      clients.push(String(client.getPeerCertificate().subject.CN));
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.on('error', () => undefined).on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    },
  );
  server.on('tlsClientError', () => {
    refused += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('TLS proxy has no TCP address');
  return {
    port: address.port,
    clients,
    get refused() {
      return refused;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
