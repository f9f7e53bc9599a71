import type { StatbusConfig } from './config-schema.js';

/** A URL with its password replaced by `***`, for logs and `statbus config`. Non-URLs are returned as they are. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** The config with secrets (URL passwords, TLS key passphrase, the admin token) masked. */
export function redactConfig(config: StatbusConfig): StatbusConfig {
  const tls = config.amqp.tls;
  return {
    ...config,
    store: redactUrl(config.store),
    amqp: {
      ...config.amqp,
      url: redactUrl(config.amqp.url),
      ...(tls === undefined ? {} : { tls: { ...tls, ...(tls.passphrase === undefined ? {} : { passphrase: '***' }) } }),
    },
    query: { ...config.query, ...(config.query.admin_token === undefined ? {} : { admin_token: '***' }) },
  };
}
