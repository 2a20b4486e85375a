/** Liveness, readiness (with whether workers poll, reported beside it) and the API reference. */
import { z } from 'zod';
import type { Api } from '../route';
import type { WorkerPresence } from '../workerPresence';

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  temporal: z.enum(['up', 'down']),
  database: z.enum(['up', 'down']),
  workers: z
    .enum(['polling', 'none polling'])
    .describe('whether a worker polls the order task queue; not part of readiness: intake is accepted while none does'),
});

/** Declares the health endpoints. */
export function healthRoutes(
  api: Api,
  probes: { temporal(): Promise<boolean>; database(): Promise<boolean>; workers(): Promise<WorkerPresence> },
): void {
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
      summary: 'Temporal and the database are reachable (this API can take traffic); also says whether workers poll',
      tag: 'health',
      access: 'public',
      responses: {
        200: { description: 'ready', schema: readiness },
        503: { description: 'a dependency is down; the body names it', schema: readiness },
      },
    },
    async () => {
      const [temporal, database, workers] = await Promise.all([probes.temporal(), probes.database(), probes.workers()]);
      const ok = temporal && database;
      return {
        status: ok ? 200 : 503,
        body: { status: ok ? 'ready' : 'unavailable', temporal: temporal ? 'up' : 'down', database: database ? 'up' : 'down', workers },
      };
    },
  );
}
