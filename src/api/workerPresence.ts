/** Whether any worker polls the order task queue: reported beside readiness (not part of it) and as a gauge. */
import { setWorkersPolling } from '../metrics/hub';

/** What /readyz reports about workers. */
export type WorkerPresence = 'polling' | 'none polling';

/** An idle worker's long poll lasts up to about a minute, so a poller seen within 90 s is still there. */
const RECENT_MS = 90_000;
/** /readyz and /metrics may be hit often; Temporal is asked at most this often. */
const CACHE_MS = 5_000;

/** Builds the cached presence check over a probe of the task queue's pollers. */
export function createWorkerPresence(workersPolling: (recentMs: number) => Promise<boolean>): () => Promise<WorkerPresence> {
  let cached: { at: number; answer: Promise<WorkerPresence> } | undefined;
  const ask = async (): Promise<WorkerPresence> => {
    // Temporal unreachable: no worker can be seen polling either.
    const polling = await workersPolling(RECENT_MS).catch(() => false);
    setWorkersPolling(polling);
    return polling ? 'polling' : 'none polling';
  };
  return () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), answer: ask() };
    return cached.answer;
  };
}
