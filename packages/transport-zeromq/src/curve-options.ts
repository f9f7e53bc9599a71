import { readFileSync } from 'node:fs';
import { ConfigError, type ZeroMqConfig, type ZeroMqCurveConfig } from '@statbus/core';

/** CURVE socket options of a socket that binds (the server role). */
export interface CurveServerOptions {
  curveServer?: boolean;
  curvePublicKey?: string;
  curveSecretKey?: string;
}

/** CURVE socket options of a socket that connects (the client role). */
export interface CurveClientOptions {
  curveServerKey?: string;
  curvePublicKey?: string;
  curveSecretKey?: string;
}

/** The socket options of both roles; empty when `[zeromq.curve]` is not configured. */
export interface CurveOptions {
  readonly server: CurveServerOptions;
  readonly client: CurveClientOptions;
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/u;
const ZCERT_LINE = /^\s*(public|secret)-key\s*=\s*"([^"]{40})"\s*$/mu;

function keyFromFile(path: string, kind: 'public' | 'secret', setting: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: `zeromq.curve.${setting}`, message: `cannot read ${path}` }], { cause: error });
  }
  const trimmed = text.trim();
  if (Z85_KEY.test(trimmed)) return trimmed;
  // A zcert file (czmq's format): the wanted key on its `public-key = "…"` or `secret-key = "…"` line.
  for (const line of text.split('\n')) {
    const match = ZCERT_LINE.exec(line);
    if (match?.[1] === kind && match[2] !== undefined && Z85_KEY.test(match[2])) return match[2];
  }
  throw new ConfigError([{ path: `zeromq.curve.${setting}`, message: `${path} holds no ${kind} CURVE key (40 Z85 characters, alone or as a zcert ${kind}-key line)` }]);
}

function key(curve: ZeroMqCurveConfig, name: 'public_key' | 'secret_key' | 'server_key'): string {
  const given = curve[name];
  if (given !== undefined) return given;
  return keyFromFile(curve[`${name}_file`] ?? '', name === 'secret_key' ? 'secret' : 'public', `${name}_file`);
}

/**
 * The CURVE options of `[zeromq.curve]`, key files read once. A socket that binds is the CURVE server with
 * this process's key pair; one that connects is a client with its key pair and the server's public key.
 *
 * @throws {ConfigError} naming the key file that cannot be read or holds no key.
 */
export function curveOptions(config: ZeroMqConfig): CurveOptions {
  const curve = config.curve;
  if (curve === undefined) return { server: {}, client: {} };
  const publicKey = key(curve, 'public_key');
  const secretKey = key(curve, 'secret_key');
  return {
    server: { curveServer: true, curvePublicKey: publicKey, curveSecretKey: secretKey },
    client: { curveServerKey: key(curve, 'server_key'), curvePublicKey: publicKey, curveSecretKey: secretKey },
  };
}
