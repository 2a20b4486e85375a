/** The invariant checker's rules (issue 13), pure: each on hand-made data that keeps it and data that breaks it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryRecord } from '../../src/domain/delivery';
import { orderIdOf, orderWorkflowId, refundKeyOf } from '../../src/domain/ids';
import {
  checkDelivery,
  checkEscalationNotices,
  checkHeldStockWithoutLedger,
  checkOrderState,
  checkOrderWorkflowId,
  checkRefunds,
  checkRefundsWithoutOrder,
  checkStockLedger,
  checkStrayNotices,
  checkUncountedDeliveries,
  checkUnloggedEffects,
  checkWorkflowRuns,
  noticeKeysOf,
  tallyHeldStock,
  type CheckContext,
  type HeldStock,
  type LedgerChainEntry,
  type ReturnRefund,
  type Violation,
} from '../../src/domain/invariants';
import { escalationNoticeKey } from '../../src/domain/ids';
import type { EscalationEntry, OrderView, ReservationState } from '../../src/domain/orderView';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const MINUTE = 60_000;

/** A paid order of 99.00 (9900 minor units) in the given status, its workflow running unless the context says not. */
function viewOf(status: OrderView['status'], extra: Partial<OrderView> = {}): OrderView {
  const order = toCanonical(paid(makeOrder()));
  const orderId = orderIdOf(order.channel, order.channelOrderId);
  return {
    orderId,
    workflowId: orderWorkflowId(orderId),
    status,
    order,
    holds: [],
    shipments: [],
    reservations: [],
    waiting: { for: 'nothing', since: '2026-11-24T08:02:00Z', who: 'nobody' },
    returns: [],
    timeline: [],
    version: 3,
    ...extra,
  };
}

function contextOf(running: OrderView[] = [], extra: Partial<CheckContext> = {}): CheckContext {
  return { running: new Set(running.map((v) => v.workflowId)), now: NOW, settleMs: MINUTE, stalePendingMs: 60 * MINUTE, ...extra };
}

const reservation = (view: OrderView, n: number, state: ReservationState['state'], quantity = 2): ReservationState => ({
  key: `${view.orderId}/1/L${n}@suzhou`,
  lineId: `L${n}`,
  sku: 'TEE-001',
  warehouseId: 'suzhou',
  quantity,
  state,
});

function delivery(key: string, extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    key,
    partner: { kind: 'wms', id: 'suzhou' },
    kind: 'pickList',
    state: 'delivered',
    attempts: 1,
    createdAt: new Date(NOW - 10 * MINUTE).toISOString(),
    lastAttemptAt: new Date(NOW - 10 * MINUTE).toISOString(),
    deliveredAt: new Date(NOW - 10 * MINUTE).toISOString(),
    ...extra,
  };
}

const details = (found: Violation[]) => found.map((v) => `${v.severity}: ${v.detail}`);

describe('orders: every order is final, or waits with its workflow running', () => {
  test('a completed order and a fulfilling order whose workflow runs are fine', () => {
    const fulfilling = viewOf('FULFILLING');
    assert.deepEqual(checkOrderState(viewOf('COMPLETED'), contextOf()), []);
    assert.deepEqual(checkOrderState(fulfilling, contextOf([fulfilling])), []);
  });

  test('an order shipped whose workflow closed will never move', () => {
    const found = checkOrderState(viewOf('SHIPPED'), contextOf());
    assert.equal(found.length, 1);
    assert.match(found[0]!.detail, /SHIPPED, but its workflow Order:.* is not running/);
    assert.equal(found[0]!.severity, 'violation');
  });

  test('a cancelled order that still holds stock is reported', () => {
    const view = viewOf('CANCELLED');
    view.reservations = [reservation(view, 1, 'reserved'), reservation(view, 2, 'released')];
    assert.deepEqual(details(checkOrderState(view, contextOf())), [`violation: CANCELLED but still holds 2 × ${view.orderId}/1/L1@suzhou`]);
  });
});

describe('one-workflow: no order has two workflows', () => {
  const run = (workflowId: string, runId: string, running: boolean, startedAt = '2026-11-24T08:00:00Z') => ({
    workflowId,
    runId,
    running,
    tookOrder: true,
    startedAt,
  });

  test('one running run per order, earlier runs continued as new, each with its record: fine', () => {
    const runs = [run('Order:a', 'r1', false), run('Order:a', 'r2', true), run('Order:b', 'r3', false)];
    assert.deepEqual(checkWorkflowRuns(runs, new Set(['Order:a', 'Order:b']), contextOf()), []);
  });

  test('two running executions of one workflow id are reported', () => {
    const found = checkWorkflowRuns([run('Order:a', 'r1', true), run('Order:a', 'r2', true)], new Set(['Order:a']), contextOf());
    assert.deepEqual(details(found), ['violation: 2 executions run at once: r1, r2']);
  });

  test('a workflow that took an order without a record is reported, unless it just started', () => {
    const runs = [run('Order:gone', 'r1', false), run('Order:new', 'r2', true, new Date(NOW - 5000).toISOString())];
    const found = checkWorkflowRuns(runs, new Set(), contextOf());
    assert.deepEqual(
      found.map((v) => v.subject),
      ['Order:gone'],
    );
    assert.deepEqual(checkWorkflowRuns([{ ...run('Order:x', 'r', false), tookOrder: false }], new Set(), contextOf()), []);
  });

  test("an order's record names the order's one workflow id", () => {
    const view = viewOf('COMPLETED');
    assert.deepEqual(checkOrderWorkflowId(view), []);
    assert.match(checkOrderWorkflowId({ ...view, workflowId: 'Order:other' })[0]!.detail, /names workflow Order:other/);
  });
});

describe('ledger: per SKU and warehouse the ledger balances against heads, live reservations and shipped units', () => {
  const pair = { sku: 'TEE-001', warehouseId: 'suzhou' };
  const order = viewOf('FULFILLING');
  const key1 = `${order.orderId}/1/L1@suzhou`;
  const key2 = `${order.orderId}/1/L2@suzhou`;
  /** Receipt of 10, two reservations of 2, one of them committed (shipped). */
  const ledger = (): LedgerChainEntry[] => [
    { seq: 1, kind: 'receipt', quantity: 10, onHand: 10, reserved: 0 },
    { seq: 2, kind: 'reserve', quantity: 2, onHand: 10, reserved: 2, reservationKey: key1, orderId: order.orderId },
    { seq: 3, kind: 'reserve', quantity: 2, onHand: 10, reserved: 4, reservationKey: key2, orderId: order.orderId },
    { seq: 4, kind: 'commit', quantity: 2, onHand: 8, reserved: 2, reservationKey: key2, orderId: order.orderId },
  ];
  const heldBy = (view: OrderView): HeldStock | undefined => {
    const held = new Map<string, HeldStock>();
    tallyHeldStock(held, view);
    return held.get('TEE-001@suzhou');
  };
  /** The order holding its first line's units live and having shipped its second's. */
  const holding = (): OrderView => ({ ...order, reservations: [reservation(order, 1, 'reserved'), reservation(order, 2, 'committed')] });
  const head = { seq: 4, onHand: 8, reserved: 2 };

  test('a chained ledger whose head, live key and shipped units agree with the order is fine', () => {
    assert.deepEqual(checkStockLedger({ ...pair, head }, ledger(), heldBy(holding())), []);
  });

  test('a head that trails the ledger is fine (its writer stopped between entry and head); one that disagrees is not', () => {
    assert.deepEqual(checkStockLedger({ ...pair, head: { seq: 3, onHand: 10, reserved: 4 } }, ledger(), heldBy(holding())), []);
    assert.deepEqual(details(checkStockLedger({ ...pair, head: { ...head, reserved: 5 } }, ledger(), heldBy(holding()))), [
      'violation: the head says onHand 8, reserved 5; entry #4 says 8, 2',
    ]);
  });

  test('a lost reservation entry is reported as a gap, a key held by the order alone and reserved units unaccounted', () => {
    const lost = ledger().filter((e) => e.seq !== 2);
    assert.deepEqual(details(checkStockLedger({ ...pair, head }, lost, heldBy(holding()))), [
      'violation: entry #2 is missing',
      'violation: reserved is 2, but the live reservation keys add up to 0',
      `violation: order ${order.orderId} holds 2 under ${key1}; the ledger holds nothing live under it`,
    ]);
  });

  test('an entry that does not follow from the one before, and negative balances, are reported', () => {
    const broken = ledger();
    broken[3] = { ...broken[3]!, onHand: -1 };
    const found = details(checkStockLedger(pair, broken, heldBy(holding())));
    assert.deepEqual(found, [
      'violation: entry #4 (commit 2) says onHand -1, reserved 2; the entries before it make 8, 2',
      'violation: entry #4 is negative: onHand -1, reserved 2',
    ]);
  });

  test('stock reserved for an order that no longer holds it, and shipped units the orders do not know, are reported', () => {
    const view: OrderView = {
      ...order,
      status: 'COMPLETED',
      reservations: [reservation(order, 1, 'released'), reservation(order, 2, 'committed')],
    };
    const found = details(checkStockLedger({ ...pair, head }, ledger(), heldBy(view)));
    assert.deepEqual(found, [`violation: 2 reserved under ${key1} for order ${order.orderId} are held by no order`]);
    const unknownShipment = details(checkStockLedger({ ...pair, head }, ledger(), heldBy({ ...view, reservations: [] })));
    assert.ok(unknownShipment.includes('violation: the ledger committed 2 units; the orders shipped 0 from here'));
  });

  test('a key settled twice, or committed by more than it reserved, is reported', () => {
    const twice = [
      ...ledger(),
      { seq: 5, kind: 'release' as const, quantity: 2, onHand: 8, reserved: 0, reservationKey: key2, orderId: order.orderId },
    ];
    const found = details(checkStockLedger(pair, twice, heldBy(holding())));
    assert.ok(found.includes(`violation: ${key2} was settled 2 times (commit, release)`), found.join('\n'));
    const more = ledger();
    more[3] = { ...more[3]!, quantity: 3, onHand: 7, reserved: 1 };
    const overCommitted = details(checkStockLedger(pair, more, heldBy(holding())));
    assert.ok(overCommitted.includes(`violation: ${key2} reserved 2 but its commit (#4) moved 3`), overCommitted.join('\n'));
  });

  test('a released tombstone (nothing reserved, zero released) is fine', () => {
    const tombstone: LedgerChainEntry[] = [
      { seq: 1, kind: 'receipt', quantity: 10, onHand: 10, reserved: 0 },
      { seq: 2, kind: 'release', quantity: 0, onHand: 10, reserved: 0, reservationKey: 'k', orderId: 'o' },
    ];
    assert.deepEqual(checkStockLedger(pair, tombstone, undefined), []);
  });

  test('what orders hold at a SKU and warehouse without any ledger is reported', () => {
    const held = new Map<string, HeldStock>();
    tallyHeldStock(held, holding());
    assert.equal(checkHeldStockWithoutLedger(held, new Set(['TEE-001@suzhou'])).length, 0);
    assert.deepEqual(
      checkHeldStockWithoutLedger(held, new Set()).map((v) => v.detail),
      [`order ${order.orderId} holds 2 under ${key1}; there is no ledger here`, 'the orders shipped 2 units; there is no ledger here'],
    );
  });
});

describe('deliveries: every message had exactly one effect at its partner', () => {
  test('a delivered message the partner acted on once is fine; without counts the log alone is checked', () => {
    assert.deepEqual(checkDelivery(delivery('pick:1'), contextOf([], { effects: new Map([['pick:1', 1]]) })), []);
    assert.deepEqual(checkDelivery(delivery('pick:1'), contextOf()), []);
  });

  test('a message acted on twice, or delivered and counted as never acted on, is reported', () => {
    const effects = new Map([
      ['pick:1', 2],
      ['pick:2', 0],
    ]);
    assert.deepEqual(details(checkDelivery(delivery('pick:1'), contextOf([], { effects }))), ['violation: wms:suzhou acted on it 2 times']);
    assert.deepEqual(details(checkDelivery(delivery('pick:2'), contextOf([], { effects }))), [
      'violation: delivered, but wms:suzhou counted no effect',
    ]);
  });

  test('a delivered message no count names had no effect at a partner that counts, and is not judged at one that does not', () => {
    const uncounted = [
      delivery('pick:3'),
      delivery('esc:o:order:ES-1:1:0', { partner: { kind: 'notification', id: 'wecom:@supervisor' } }),
    ];
    assert.deepEqual(
      checkUncountedDeliveries(uncounted, new Set(['wms:suzhou'])).map((v) => `${v.subject}: ${v.detail}`),
      ['pick:3: delivered, but wms:suzhou counted no effect'],
    );
    assert.deepEqual(checkDelivery(delivery('pick:3'), contextOf([], { effects: new Map() })), [], 'left to the uncounted check');
  });

  test('a pending message retried for hours is a warning while its order runs, a violation once its workflow closed', () => {
    const view = viewOf('FULFILLING');
    const stale = delivery('pick:3', {
      orderId: view.orderId,
      state: 'pending',
      attempts: 9,
      deliveredAt: undefined,
      lastAttemptAt: new Date(NOW - 90 * MINUTE).toISOString(),
      lastResponse: { status: 503, excerpt: '', reason: 'HTTP 503' },
    });
    assert.deepEqual(
      checkDelivery(stale, contextOf([view])).map((v) => v.severity),
      ['warning'],
    );
    assert.match(checkDelivery(stale, contextOf())[0]!.detail, /workflow has closed: nothing will retry it/);
    assert.deepEqual(checkDelivery({ ...stale, lastAttemptAt: new Date(NOW - MINUTE).toISOString() }, contextOf()), []);
  });

  test('effects on keys the log does not know: twice is a violation, once a warning', () => {
    const found = checkUnloggedEffects(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 1],
      ]),
      new Set(['c']),
    );
    assert.deepEqual(
      found.map((v) => `${v.subject} ${v.severity}`),
      ['a warning', 'b violation'],
    );
  });
});

describe('escalations: every fired escalation told each recipient exactly once', () => {
  const fired = (firedAt = new Date(NOW - 30 * MINUTE).toISOString()): EscalationEntry => ({
    id: 'order:ES-1:1',
    level: 'ES-1',
    subject: 'order',
    stage: 'allocation',
    since: '2026-11-24T08:00:00Z',
    firedAt,
    policyVersion: 1,
    notified: ['wecom:@supervisor', 'email:@operations'],
    actions: [],
  });
  const notice = (view: OrderView, index: number, extra: Partial<DeliveryRecord> = {}) =>
    delivery(escalationNoticeKey(view.orderId, 'order:ES-1:1', index), {
      orderId: view.orderId,
      partner: { kind: 'notification', id: fired().notified[index]! },
      kind: 'escalation ES-1',
      ...extra,
    });

  test('each recipient with one delivered notice under its key is fine', () => {
    const view = viewOf('ON_HOLD', { escalations: [fired()] });
    const notices = new Map([notice(view, 0), notice(view, 1)].map((n) => [n.key, n]));
    assert.deepEqual(noticeKeysOf(view), [...notices.keys()]);
    assert.deepEqual(checkEscalationNotices(view, notices, contextOf([view])), []);
  });

  test('a recipient never told, or whose notice was refused for good, is reported', () => {
    const view = viewOf('ON_HOLD', { escalations: [fired()] });
    const refused = notice(view, 1, { state: 'failed-permanently', lastResponse: { excerpt: '', reason: 'no SMTP server is configured' } });
    const found = checkEscalationNotices(view, new Map([[refused.key, refused]]), contextOf([view]));
    assert.equal(found.length, 2);
    assert.match(found[0]!.detail, /wecom:@supervisor was never told/);
    assert.match(found[1]!.detail, /refused notice .* for good \(no SMTP server is configured\): a person must tell them/);
  });

  test('a notice not yet in the log of a level that just fired is on its way', () => {
    const view = viewOf('ON_HOLD', { escalations: [fired(new Date(NOW - 5000).toISOString())] });
    assert.deepEqual(checkEscalationNotices(view, new Map(), contextOf([view])), []);
    assert.equal(checkEscalationNotices(view, new Map(), contextOf()).length, 2, 'unless its workflow has closed');
  });

  test('a notice no fired escalation asked for is a second effect', () => {
    const view = viewOf('ON_HOLD', { escalations: [fired()] });
    const extra = notice(view, 2);
    assert.match(checkStrayNotices([extra])[0]!.detail, /that no fired escalation of .* asked for/);
  });
});

describe('refunds: every refund paid once, never more than the order paid', () => {
  const cancelled = () => viewOf('CANCELLED');
  const refund = (key: string, orderId: string, extra: Partial<DeliveryRecord> = {}) =>
    delivery(key, { orderId, partner: { kind: 'payment', id: 'tmall' }, kind: 'refund', ...extra });

  test("a cancelled order's refund paid once is fine", () => {
    const view = cancelled();
    const row = refund(`payment:refund:${view.orderId}:cancellation`, view.orderId);
    assert.deepEqual(checkRefunds(view, [row], [], contextOf([], { effects: new Map([[row.key, 1]]) })), []);
  });

  test('a refund paid twice by the money holder, or never though the log says delivered, is reported', () => {
    const view = cancelled();
    const row = refund(`payment:refund:${view.orderId}:cancellation`, view.orderId);
    assert.deepEqual(details(checkRefunds(view, [row], [], contextOf([], { effects: new Map([[row.key, 2]]) }))), [
      'violation: payment:tmall paid it 2 times',
    ]);
    const counting = contextOf([], { effects: new Map(), countingPartners: new Set(['payment:tmall']) });
    assert.deepEqual(details(checkRefunds(view, [row], [], counting)), ['violation: delivered, but payment:tmall counted no effect']);
  });

  test('refunding a return and the whole order again pays more than was paid', () => {
    const view = viewOf('COMPLETED');
    const returned: ReturnRefund = {
      orderId: view.orderId,
      returnId: 'R1',
      refund: { key: refundKeyOf(view.orderId, 'R1'), amountMinor: 5000, state: 'settled' },
    };
    const returnRefund = refund(refundKeyOf(view.orderId, 'R1'), view.orderId);
    assert.deepEqual(checkRefunds(view, [returnRefund], [returned], contextOf()), []);
    const found = checkRefunds(
      view,
      [returnRefund, refund(`payment:refund:${view.orderId}:cancellation`, view.orderId)],
      [returned],
      contextOf(),
    );
    assert.match(found[0]!.detail, /refunded 14900 of the 9900 paid/);
  });

  test('a return whose refund is issued but not delivered in the log is reported', () => {
    const view = viewOf('COMPLETED');
    const returned: ReturnRefund = {
      orderId: view.orderId,
      returnId: 'R1',
      refund: { key: refundKeyOf(view.orderId, 'R1'), amountMinor: 5000, state: 'issued' },
    };
    assert.match(checkRefunds(view, [], [returned], contextOf())[0]!.detail, /refund is issued, but refund:.* is not delivered/);
  });

  test('a paid order cancelled with no refund in the log is a warning: it may have been refunded by hand', () => {
    const view = cancelled();
    assert.deepEqual(
      checkRefunds(view, [], [], contextOf()).map((v) => v.severity),
      ['warning'],
    );
    assert.deepEqual(checkRefunds(view, [], [], contextOf([view])), [], 'its workflow may still be refunding');
  });

  test('a refund for an order the hub has no record of is reported', () => {
    assert.equal(checkRefundsWithoutOrder([refund('payment:refund:tmall-x:cancellation', 'tmall-x')]).length, 1);
  });
});
