import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, registerDashboardRoutes } from './dashboard-routes.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function app(): FastifyInstance {
  const created = Fastify();
  registerDashboardRoutes(created);
  apps.push(created);
  return created;
}

describe(registerDashboardRoutes, () => {
  describe('GET /', () => {
    it('should answer the dashboard page, allowed to load only from this server', async () => {
      const response = await app().inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(response.body).toContain('<title>statbus dashboard</title>');
      expect(response.body).toContain('href="/docs"');
      // Every script and style sheet the page names is one this server serves: nothing from a CDN.
      const sources = [...response.body.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/gu)].map((match) => match[1] ?? '');
      expect(sources.sort()).toEqual(['/dashboard/dashboard.css', '/dashboard/dashboard.js', '/dashboard/uplot.css', '/dashboard/uplot.js']);
    });
  });

  describe('GET /dashboard/<file>', () => {
    it('should serve uPlot from the installed package and the page’s own modules, with their types', async () => {
      const server = app();
      const uplot = await server.inject({ method: 'GET', url: '/dashboard/uplot.js' });
      expect(uplot.statusCode).toBe(200);
      expect(uplot.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(uplot.body).toMatch(/uPlot/u);
      expect((await server.inject({ method: 'GET', url: '/dashboard/uplot.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
      for (const file of ['dashboard.js', 'api.js', 'charts.js', 'panels.js', 'tail.js']) {
        const own = await server.inject({ method: 'GET', url: `/dashboard/${file}` });
        expect(own.statusCode, file).toBe(200);
        expect(own.headers['x-content-type-options'], file).toBe('nosniff');
      }
    });

    it('should answer 304 when the browser has the same file (its ETag)', async () => {
      const server = app();
      const first = await server.inject({ method: 'GET', url: '/dashboard/dashboard.js' });
      const etag = String(first.headers['etag']);
      expect(etag).toMatch(/^"[\w-]+"$/u);
      const again = await server.inject({ method: 'GET', url: '/dashboard/dashboard.js', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });

    it('should answer 404 naming the file for anything else, never a file outside the dashboard', async () => {
      const server = app();
      for (const url of ['/dashboard/nope.js', '/dashboard/..%2Fdashboard-routes.ts', '/dashboard/index.html.map']) {
        const response = await server.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(404);
        expect(response.json(), url).toMatchObject({ error: 'not_found', parameter: 'file' });
      }
    });
  });
});
