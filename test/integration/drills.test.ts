/**
 * Short versions of the drills (issue 13; the full ones are `npm run drill`): each runs 20 orders over 10 s on its own
 * throw-away hub (never the shared test stack: a drill stops servers), injects its fault for a few seconds, and
 * requires every order to complete, the invariant checker to pass with the partners' effect counts, and evidence that
 * the fault really happened.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DRILLS, runDrill, SHORT_SIZES, type DrillName, type DrillResult } from '../../scripts/lib/drill/drills';

/** What shows each drill's fault was real. */
const faultWasReal: Record<DrillName, (r: DrillResult) => void> = {
  'worker-kill': (r) => assert.equal(r.evidence.workerReplaced, true, 'a new worker process took over'),
  'temporal-restart': (r) => {
    assert.equal(r.evidence.temporalStopped, true, 'the Temporal server was down');
    assert.equal(r.evidence.readyzTemporalDownSeen, true, '/readyz named Temporal while it was down');
  },
  'database-outage': (r) => {
    assert.equal(r.evidence.readyzDatabaseDownSeen, true, '/readyz named the database while it was down');
    assert.ok(Number(r.evidence.intakeTakenDuringFault) > 0, 'intake kept answering 202 while the database was down');
    // A request that needs the database while it is away is told so (503, Retry-After), never a 500.
    assert.deepEqual(
      Object.keys(r.answers).filter((answer) => / 500$/.test(answer)),
      [],
      `the causes the hub logged: ${JSON.stringify(r.serverErrors)}`,
    );
  },
  'duplicate-webhooks': (r) => {
    assert.ok(Number(r.evidence.duplicatesSent) >= 40, 'every event and callback went twice');
    assert.ok(Number(r.evidence.replayed) > 0, 'old events and callbacks were replayed');
  },
  'partner-storm': (r) => {
    for (const key of ['channel429', 'channel500', 'supplier429'])
      assert.ok(Number(r.evidence[key]) > 0, `${key}: the stormed partners answered with failures`);
  },
  'warehouse-disabled': (r) => {
    assert.ok(Number(r.evidence.ordersMoved) > 0, 'orders moved off the disabled warehouse');
    assert.equal(r.evidence.movedWithReservations, r.evidence.ordersMoved, 'each moved with its reservation');
  },
};

describe('drills (short versions)', () => {
  for (const drill of DRILLS) {
    test(drill, { timeout: 300_000 }, async () => {
      const result = await runDrill(drill, SHORT_SIZES[drill], () => undefined);
      const context = JSON.stringify({
        evidence: result.evidence,
        notCompleted: result.notCompleted,
        diagnosis: result.diagnosis,
        invariants: result.invariants.summary,
        answers: result.answers,
        serverErrors: result.serverErrors,
      });
      assert.deepEqual(result.notCompleted, [], `every order completed: ${context}`);
      assert.equal(result.invariants.ran, true, `the invariant checker ran: ${context}`);
      assert.equal(result.invariants.ok, true, `the invariant check passed: ${JSON.stringify(result.invariants.report)}`);
      assert.equal(result.partners.keysActedTwice, 0, 'no partner acted twice on one message');
      faultWasReal[drill](result);
    });
  }
});
