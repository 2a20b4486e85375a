/**
 * The hot SKU (INV-1): sixty paid orders race for twenty units through the real API and workflows, with two
 * workers on one task queue whose ledgers share nothing but the database, so their writers collide on `seq`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { connectDatabase } from '../../src/db/connection';
import { createStores, type Stores } from '../../src/db/stores';
import type { OrderView } from '../../src/domain/orderView';
import { createLogger } from '../../src/logging';
import { createOrderWorker } from '../../src/worker/worker';
import { seedHub } from '../fixtures/network';
import { makeOrder, paid } from '../fixtures/orders';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

const ORDERS = 60;
const UNITS = 20;
const CANCELLED = 5;
const SKU = 'HOT-001';
const WAREHOUSE = 'suzhou';

/** A worker on the harness's task queue with its own database connection and stores, so its ledger chain is separate. */
async function startSecondWorker(hub: Harness): Promise<{ reserveCalls(): number; stop(): Promise<void> }> {
  const db = await connectDatabase(hub.config.MONGODB_URI);
  let reserveCalls = 0;
  const stores: Stores = createStores(db);
  const { ledger } = stores;
  // Counted so the test can tell the second worker really reserved, i.e. that the two ledgers contended.
  stores.ledger = {
    ...ledger,
    reserve: (...args) => {
      reserveCalls += 1;
      return ledger.reserve(...args);
    },
  };
  const connection = await NativeConnection.connect({ address: hub.config.TEMPORAL_ADDRESS });
  const logger = createLogger(hub.config.LOG_LEVEL, 'it-contention-second-worker');
  const worker = await createOrderWorker(
    hub.config,
    connection,
    { stores, logger },
    { workflowBundle: { codePath: hub.config.WORKFLOW_BUNDLE_PATH! } },
  );
  const running = worker.run();
  return {
    reserveCalls: () => reserveCalls,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await db.close();
    },
  };
}

/** The hot SKU's ledger entries, oldest first. */
function hotEntries(hub: Harness) {
  return hub.stores.ledger.entries(SKU, { warehouseId: WAREHOUSE, oldestFirst: true });
}

/** Asserts the whole ledger history is sound and returns the reserved units its entries add up to. */
async function assertSoundLedger(hub: Harness): Promise<number> {
  const entries = await hotEntries(hub);
  assert.deepEqual(
    entries.map((e) => e.seq),
    entries.map((_, i) => i + 1),
    'seq runs 1..n without gaps',
  );
  const unsound = entries.filter((e) => e.reserved < 0 || e.reserved > e.onHand);
  assert.deepEqual(unsound, [], 'every entry keeps 0 ≤ reserved ≤ onHand');
  // Each entry must follow from the one before: a lost update would show as a jump here.
  const deltas = { receipt: [1, 0], adjust: [1, 0], reserve: [0, 1], release: [0, -1], commit: [-1, -1] } as const;
  entries.slice(1).forEach((entry, i) => {
    const previous = entries[i]!;
    const [onHandSign, reservedSign] = deltas[entry.kind as keyof typeof deltas];
    assert.equal(
      entry.onHand,
      previous.onHand + onHandSign * entry.quantity,
      `onHand of seq ${entry.seq} follows from seq ${previous.seq}`,
    );
    assert.equal(
      entry.reserved,
      previous.reserved + reservedSign * entry.quantity,
      `reserved of seq ${entry.seq} follows from seq ${previous.seq}`,
    );
  });
  const sum = (kind: string) => entries.filter((e) => e.kind === kind).reduce((total, e) => total + e.quantity, 0);
  const reserved = sum('reserve') - sum('release');
  assert.equal(reserved, entries.at(-1)?.reserved ?? 0, 'reserves minus releases equal the reserved balance');
  return reserved;
}

describe('hot SKU contention', () => {
  let hub: Harness;
  let second: Awaited<ReturnType<typeof startSecondWorker>> | undefined;
  let steps: ReturnType<typeof lifecycle>;
  let views: OrderView[];
  const withStatus = (status: OrderView['status']) => views.filter((v) => v.status === status);
  const held = (view: OrderView) => view.reservations.filter((r) => r.state === 'reserved');

  before(async () => {
    hub = await startHarness('contention');
    steps = lifecycle(hub);
    second = await startSecondWorker(hub);
    await seedHub(hub, { stock: { [`${SKU}@${WAREHOUSE}`]: UNITS } });
    const orders = Array.from({ length: ORDERS }, () =>
      paid(makeOrder({ lines: [{ lineId: 'L1', sku: SKU, category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 }] })),
    );
    const ids = await Promise.all(orders.map((order) => steps.submit(order)));
    await eventually(
      async () => {
        const settled = await hub.db.models.Order.countDocuments({ _id: { $in: ids }, status: { $in: ['FULFILLING', 'ON_HOLD'] } });
        return settled === ORDERS ? settled : undefined;
      },
      'every order to be fulfilling or on hold',
      45_000,
    );
    views = await Promise.all(ids.map((id) => steps.read(id)));
  });
  after(async () => {
    await second?.stop();
    await hub?.stop();
  });

  test(`of ${ORDERS} paid orders racing for ${UNITS} units, exactly ${UNITS} reserve one unit each and reach FULFILLING`, () => {
    const fulfilling = withStatus('FULFILLING');
    assert.equal(fulfilling.length, UNITS);
    for (const view of fulfilling) {
      assert.deepEqual(
        held(view).map((r) => `${r.sku}@${r.warehouseId}×${r.quantity}`),
        [`${SKU}@${WAREHOUSE}×1`],
        view.orderId,
      );
    }
    assert.ok(second!.reserveCalls() > 0, 'the second worker reserved too, so the two ledgers contended');
  });

  test(`the other ${ORDERS - UNITS} wait ON_HOLD for OUT_OF_STOCK and hold no stock`, () => {
    const onHold = withStatus('ON_HOLD');
    assert.equal(onHold.length, ORDERS - UNITS);
    for (const view of onHold) {
      assert.deepEqual(
        view.holds.map((h) => h.reason),
        ['OUT_OF_STOCK'],
        view.orderId,
      );
      assert.deepEqual(held(view), [], view.orderId);
    }
  });

  test('the ledger never oversells: gapless seq, 0 ≤ reserved ≤ onHand in every entry, and only fulfilling orders hold units', async () => {
    assert.equal(await assertSoundLedger(hub), UNITS);
    const { seq, ...balance } = await steps.balance(SKU, WAREHOUSE);
    assert.deepEqual(balance, { sku: SKU, warehouseId: WAREHOUSE, onHand: UNITS, reserved: UNITS, available: 0 });
    // Besides the receipt and the reservations, only zero-quantity tombstones of refused attempts were appended.
    const tombstones = (await hotEntries(hub)).filter((e) => e.kind === 'release' && e.quantity === 0).length;
    assert.equal(seq, 1 + UNITS + tombstones);
    const reservers = (await hotEntries(hub))
      .filter((e) => e.kind === 'reserve')
      .map((e) => e.orderId)
      .sort();
    assert.deepEqual(
      reservers,
      withStatus('FULFILLING')
        .map((v) => v.orderId)
        .sort(),
    );
  });

  test(`cancelling ${CANCELLED} fulfilling orders through the ops API releases exactly their units and leaks no reservation`, async () => {
    const victims = withStatus('FULFILLING').slice(0, CANCELLED);
    const answers = await Promise.all(victims.map((v) => hub.ops('POST', `/v1/orders/${v.orderId}/cancel`, { reason: 'contention test' })));
    for (const answer of answers) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.status, 'CANCELLED');
      assert.deepEqual(
        answer.body.reservations.map((r: { state: string }) => r.state),
        ['released'],
      );
    }
    assert.equal(await assertSoundLedger(hub), UNITS - CANCELLED);
    const balance = await steps.balance(SKU, WAREHOUSE);
    assert.deepEqual(
      { onHand: balance.onHand, reserved: balance.reserved, available: balance.available },
      { onHand: UNITS, reserved: UNITS - CANCELLED, available: CANCELLED },
    );
  });
});
