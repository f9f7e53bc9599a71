import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '../server/http-errors.js';

/** Where the dashboard's files are served from; `/` is its page. */
export const DASHBOARD_ASSETS_PATH = '/dashboard';

/**
 * The page may load only what this server serves and talk only to it (no CDN, no inline script or style),
 * so that it works offline and an injected string in a message can never run.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly etag: string;
}

const asset = (type: string, body: Buffer): Asset => ({ type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

const OWN_FILES: Readonly<Record<string, string>> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'panels.js': 'text/javascript; charset=utf-8',
  'tail.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/**
 * Reads the page, its scripts and uPlot (from the `uplot` package, resolved like an import, so the
 * dashboard needs no network) once, at start-up. A missing file is a broken install: it throws here, not
 * on the first visit.
 */
function loadAssets(): { page: Buffer; assets: ReadonlyMap<string, Asset> } {
  const own = new URL('./assets/', import.meta.url);
  const require = createRequire(import.meta.url);
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(OWN_FILES)) assets.set(name, asset(type, readFileSync(fileURLToPath(new URL(name, own)))));
  assets.set('uplot.js', asset('text/javascript; charset=utf-8', readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'))));
  assets.set('uplot.css', asset('text/css; charset=utf-8', readFileSync(require.resolve('uplot/dist/uPlot.min.css'))));
  return { page: readFileSync(fileURLToPath(new URL('index.html', own))), assets };
}

/**
 * `GET /`: the dashboard (message rate by category, the rate of any `/raw` filter, top topics, users and
 * packages, bus health, a live tail), a page of static HTML, CSS and JavaScript that reads `/stats`,
 * `/series` and `/stream` from the same server. Its files are under `GET /dashboard/<file>`.
 */
export function registerDashboardRoutes(app: FastifyInstance): void {
  const { page, assets } = loadAssets();
  app.get('/', (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(page),
  );
  app.get<{ Params: { file: string } }>(`${DASHBOARD_ASSETS_PATH}/:file`, (request, reply) => {
    const found = assets.get(request.params.file);
    if (found === undefined) {
      return reply.code(404).send({ error: 'not_found', parameter: 'file', message: `no dashboard file ${JSON.stringify(request.params.file.slice(0, 64))}` } satisfies ErrorBody);
    }
    // Revalidated on each visit (a new version of statbus must not run with the last one's scripts); the
    // ETag makes that a 304 when nothing changed.
    reply.header('cache-control', 'no-cache').header('etag', found.etag).header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).send();
    return reply.type(found.type).send(found.body);
  });
}
