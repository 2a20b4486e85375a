/** Liveness, readiness and the API reference. */
import { z } from 'zod';
import type { Api } from '../route';

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  temporal: z.enum(['up', 'down']),
  database: z.enum(['up', 'down']),
});

/** Declares the health endpoints. */
export function healthRoutes(api: Api, probes: { temporal(): Promise<boolean>; database(): Promise<boolean> }): void {
  api.endpoint(
    {
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tag: 'health',
      access: 'public',
      responses: { 200: { description: 'up', schema: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 200, body: { status: 'ok' } }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/readyz',
      summary: 'Temporal and the database are reachable',
      tag: 'health',
      access: 'public',
      responses: {
        200: { description: 'ready', schema: readiness },
        503: { description: 'a dependency is down; the body names it', schema: readiness },
      },
    },
    async () => {
      const [temporal, database] = await Promise.all([probes.temporal(), probes.database()]);
      const ok = temporal && database;
      return {
        status: ok ? 200 : 503,
        body: { status: ok ? 'ready' : 'unavailable', temporal: temporal ? 'up' : 'down', database: database ? 'up' : 'down' },
      };
    },
  );
}
