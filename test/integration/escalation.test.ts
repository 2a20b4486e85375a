/**
 * Four-level escalation on the real dev server, with a policy in seconds per brand: each level fires when its wait
 * passes and not before, progress cancels the pending level, ES-3 pauses the warehouse (routing avoids it) and ES-4
 * freezes the supplier's payouts until a person resolves them, a policy change reaches an order already waiting, and
 * the notices reach WeCom, SMS and e-mail servers on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OrderView } from '../../src/domain/orderView';
import { escalationRolloutWorkflowId, orderWorkflowId } from '../../src/domain/ids';
import { EscalationLevelKey } from '../../src/domain/searchAttributes';
import { makeOrder, paid } from '../fixtures/orders';
import { dropShipSofas, seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';
import { PEOPLE } from './partnersSupport';

/** Seconds-long policies, one brand per test so the tests never share a wait. */
const overrides = [
  { id: 'held-fast', brand: 'heldco', settings: { es1: { after: '2s' } } },
  { id: 'idle-fast', brand: 'idleco', settings: { es2: { after: '2s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
  { id: 'progress-fast', brand: 'busyco', settings: { es2: { after: '4s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
  { id: 'stuck-fast', brand: 'stuckco', settings: { es2: { after: '1h' }, es5: { after: '2s' }, es5b: { after: '4s' } } },
  { id: 'pause-fast', brand: 'pauseco', settings: { es3: { after: '2s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
  { id: 'freeze-fast', brand: 'freezeco', settings: { es4: { after: '2s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
  { id: 'freeze-warehouse', brand: 'freezewh', settings: { es4: { after: '2s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
  { id: 'pause-supplier', brand: 'pausesupco', settings: { es3: { after: '2s' }, es5: { after: '1h' }, es5b: { after: '2h' } } },
];

describe('escalation of stuck orders', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  let policyVersion = 0;
  before(async () => {
    hub = await startHarness('escalation');
    steps = lifecycle(hub);
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 100, 'TEE-001@hefei': 100 },
      rules: [dropShipSofas],
      policy: { returnWindowSeconds: 3600 },
    });
    const saved = await hub.ops('PUT', '/v1/settings/escalation-policy', { body: { base: {}, overrides } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    policyVersion = saved.body.version;
  });
  after(async () => {
    await hub?.stop();
  });

  const levels = (view: OrderView) => (view.escalations ?? []).map((e) => e.level);
  const fired = (orderId: string, level: string) =>
    eventually(
      async () => {
        const view = await steps.read(orderId);
        return view.escalations?.find((e) => e.level === level) ? view : undefined;
      },
      `${orderId} to escalate ${level}`,
      30_000,
    );
  const progress = (orderId: string, shipmentId: string, step: string) => steps.progress(orderId, shipmentId, step);

  test('ES-1: a paid order nobody assigned within the wait tells the supervisor on WeCom, and lists at EscalationLevel 1', async () => {
    // No stock of this SKU anywhere: the order is held OUT_OF_STOCK and never assigned.
    const order = makeOrder({
      brand: 'heldco',
      lines: [{ lineId: 'L1', sku: 'NOWHERE-1', category: 'tshirt', quantity: 1, unitPrice: 9, listPrice: 9 }],
    });
    const orderId = await steps.submit(paid(order));
    const view = await fired(orderId, 'ES-1');
    const entry = view.escalations![0]!;
    assert.ok(Date.parse(entry.firedAt) - Date.parse(entry.since) >= 2000, 'not before the 2 s of the policy');
    assert.equal(entry.policyVersion, policyVersion);
    const message = await eventually(
      async () => hub.partners.wecom.supervisor.messages().find((m) => `${m.title ?? ''}${m.content}`.includes(orderId)),
      'the supervisor robot to show the order',
    );
    assert.match(`${message.title ?? ''} ${message.content}`, /ES-1/);
    assert.match(`${message.title ?? ''} ${message.content}`, /未分配仓库/, 'Chinese by default');
    await eventually(async () => {
      for await (const wf of hub.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}' AND EscalationLevel >= 1` }))
        return wf;
      return undefined;
    }, 'the order listed at EscalationLevel >= 1');
  });

  test('ES-2: an order assigned and not started tells the warehouse lead by SMS; progress before the wait tells nobody', async () => {
    const idle = await steps.submit(paid(makeOrder({ brand: 'idleco' })));
    const busy = await steps.submit(paid(makeOrder({ brand: 'busyco' })));
    const busyShipment = (await steps.waitFor(busy, 'FULFILLING')).shipments[0]!.shipmentId;
    // Picking starts before busyco's 4 s: the pending ES-2 timer is cancelled.
    assert.equal((await progress(busy, busyShipment, 'picking')).status, 200);
    await fired(idle, 'ES-2');
    const sms = await eventually(
      async () => hub.partners.sms.sent().find((m) => JSON.stringify(m.templateParam).includes(idle)),
      'the SMS',
    );
    assert.equal(sms.phone, PEOPLE.lead('suzhou').phone);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const quiet = await steps.read(busy);
    assert.deepEqual(levels(quiet), [], 'progress cancelled ES-2');
    assert.equal(hub.partners.sms.sent().filter((m) => JSON.stringify(m.templateParam).includes(busy)).length, 0);
    // EscalationLevel >= 2 lists exactly the orders at level 2 or above on this hub: the ES-2 one, not the ES-1 one.
    const listed = await eventually(async () => {
      const ids: string[] = [];
      const query = `EscalationLevel >= 2 AND TaskQueue = '${hub.config.TEMPORAL_TASK_QUEUE}'`;
      for await (const wf of hub.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.includes(orderWorkflowId(idle)) ? ids : undefined;
    }, 'the ES-2 order at EscalationLevel >= 2');
    assert.ok(!listed.includes(orderWorkflowId(busy)), 'an order whose progress cancelled ES-2 is not listed');
    for (const id of listed) {
      const view = await hub.client.workflow.getHandle(id).describe();
      assert.ok(Number(view.typedSearchAttributes.get(EscalationLevelKey)) >= 2, `${id} is at level 2 or above`);
    }
    assert.ok(
      (await hub.ops('GET', `/v1/orders/${idle}/deliveries`)).body.deliveries.some(
        (d: { kind: string; state: string }) => d.kind === 'escalation ES-2' && d.state === 'delivered',
      ),
      'the SMS is in the deliveries log as delivered',
    );
  });

  test('ES-5: no change since dispatch tells the warehouse robot and e-mails operations, then pins the order for manual review', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'stuckco' })));
    await fired(orderId, 'ES-5');
    const mail = await eventually(async () => hub.partners.smtp.mails().find((m) => m.subject.includes(orderId)), 'the e-mail');
    assert.match(mail.to, new RegExp(PEOPLE.operations.email));
    assert.ok(hub.partners.wecom.location.messages().some((m) => `${m.title ?? ''}${m.content}`.includes(orderId)));
    const pinned = await fired(orderId, 'ES-5b');
    assert.deepEqual(
      pinned.attention!.map((a) => a.code),
      ['STUCK_MANUAL_REVIEW'],
    );
    await eventually(async () => {
      const query = `WorkflowId = '${orderWorkflowId(orderId)}' AND NeedsAttention = true AND HoldReason = 'STUCK_MANUAL_REVIEW'`;
      for await (const wf of hub.client.workflow.list({ query })) return wf;
      return undefined;
    }, 'the order in the manual-review queue filter');
    const entry = pinned.escalations!.find((e) => e.level === 'ES-5b')!;
    const resolved = await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, {
      action: 'resolve',
      note: 'called the DC',
    });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.deepEqual(resolved.body.attention, []);
    const again = await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, { action: 'resolve' });
    assert.equal(again.status, 409);
    assert.equal((await hub.ops('POST', `/v1/orders/${orderId}/escalations/nope`, { action: 'acknowledge' })).status, 404);
    await steps.recordHistory('escalation-es5-pinned-resolved', orderId);
  });

  test('ES-3 pauses the warehouse so new orders route elsewhere, and resolving it resumes the warehouse', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'pauseco' })));
    const shipmentId = (await steps.waitFor(orderId, 'FULFILLING')).shipments[0]!.shipmentId;
    assert.equal((await progress(orderId, shipmentId, 'picking')).status, 200);
    const view = await fired(orderId, 'ES-3');
    const entry = view.escalations!.find((e) => e.level === 'ES-3')!;
    assert.deepEqual(entry.actions, ['dispatch paused']);
    const network = await hub.ops('GET', '/v1/settings/network');
    assert.equal(network.body.body.warehouses.find((w: { id: string }) => w.id === 'suzhou').paused, true);
    const next = await steps.submit(paid(makeOrder()));
    assert.equal((await steps.waitFor(next, 'FULFILLING')).shipments[0]!.locationId, 'hefei', 'routing avoids the paused warehouse');
    const resolved = await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, { action: 'resolve' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    const after = await hub.ops('GET', '/v1/settings/network');
    assert.equal(after.body.body.warehouses.find((w: { id: string }) => w.id === 'suzhou').paused, false);
    const audit = (await hub.ops('GET', `/v1/orders/${orderId}/audit`)).body.entries.find(
      (e: { action: string }) => e.action === 'ESCALATION_RESOLVED',
    );
    assert.deepEqual(audit.actor, { kind: 'operations', id: 'ops-tester' });
    await steps.recordHistory('escalation-es3-pause-resolved', orderId);
  });

  test("ES-4 freezes a supplier's payouts while its parcel sits packed, visible on its account, and resolving unfreezes them", async () => {
    const order = makeOrder({
      brand: 'freezeco',
      lines: [{ lineId: 'L1', sku: 'SOFA-9', category: 'sofa', quantity: 1, unitPrice: 999, listPrice: 999 }],
      amounts: { goods: 999, shipping: 0, discount: 0, paid: 999 },
    });
    const orderId = await steps.submit(paid(order));
    const shipmentId = (await steps.waitFor(orderId, 'FULFILLING')).shipments[0]!.shipmentId;
    for (const step of ['accepted', 'picking', 'packed']) assert.equal((await progress(orderId, shipmentId, step)).status, 200);
    const view = await fired(orderId, 'ES-4');
    const entry = view.escalations!.find((e) => e.level === 'ES-4')!;
    assert.deepEqual(entry.actions, ['payouts frozen']);
    assert.equal((await steps.read(orderId)).status, 'FULFILLING', 'the order goes on: a freeze holds money, not the parcel');
    const account = await hub.ops('GET', '/v1/accounts/supplier:sofa-maker');
    assert.equal(account.body.payout.frozen, true);
    assert.match(account.body.payout.reason, /ES-4/);
    // The parcel leaves late; while the payouts are frozen finance's export withholds it.
    const shipped = await steps.progress(orderId, shipmentId, 'shipped', { trackingNumber: 'SFSOFA4444', carrier: 'SF' });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    const hour = 3_600_000;
    const window = `from=${encodeURIComponent(new Date(Date.now() - hour).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + hour).toISOString())}`;
    const exported = (await hub.ops('GET', `/v1/finance/payable-shipments?${window}`)).body;
    assert.ok(
      exported.withheld.some((p: { orderId: string }) => p.orderId === orderId),
      'withheld while frozen',
    );
    assert.ok(!exported.payable.some((p: { orderId: string }) => p.orderId === orderId), 'not payable while frozen');
    assert.equal(
      (await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, { action: 'resolve' })).status,
      200,
    );
    assert.equal((await hub.ops('GET', '/v1/accounts/supplier:sofa-maker')).body.payout.frozen, false);
    const released = (await hub.ops('GET', `/v1/finance/payable-shipments?${window}`)).body;
    const parcel = released.payable.find((p: { orderId: string }) => p.orderId === orderId);
    assert.deepEqual(
      [parcel?.payee, parcel?.amountMinor],
      [{ kind: 'supplier', id: 'sofa-maker' }, 99_900],
      'payable once unfrozen, at the order price',
    );
    await steps.recordHistory('escalation-es4-freeze-resolved', orderId);
  });

  test('ES-4 on a warehouse partner: its payouts freeze while the parcel sits packed, finance withholds it, resolving unfreezes', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'freezewh' })));
    const shipment = (await steps.waitFor(orderId, 'FULFILLING')).shipments[0]!;
    const accountId = `warehouse:${shipment.locationId}`;
    const created = await hub.ops('POST', '/v1/accounts', { kind: 'warehouse', partyId: shipment.locationId, name: '3PL partner' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const step of ['accepted', 'picking', 'packed']) assert.equal((await progress(orderId, shipment.shipmentId, step)).status, 200);
    const entry = (await fired(orderId, 'ES-4')).escalations!.find((e) => e.level === 'ES-4')!;
    assert.deepEqual(entry.actions, ['payouts frozen']);
    const account = await hub.ops('GET', `/v1/accounts/${accountId}`);
    assert.equal(account.body.payout.frozen, true);
    assert.match(account.body.payout.reason, /ES-4/);
    const shipped = await steps.progress(orderId, shipment.shipmentId, 'shipped', { trackingNumber: 'SFWH44440001', carrier: 'SF' });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    const hour = 3_600_000;
    const window = `from=${encodeURIComponent(new Date(Date.now() - hour).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + hour).toISOString())}`;
    const parcelOf = (list: Array<{ orderId: string; payee: unknown }>) => list.find((p) => p.orderId === orderId);
    const exported = (await hub.ops('GET', `/v1/finance/payable-shipments?${window}`)).body;
    assert.deepEqual(parcelOf(exported.withheld)?.payee, { kind: 'warehouse', id: shipment.locationId }, 'withheld while frozen');
    assert.equal(parcelOf(exported.payable), undefined, 'not payable while frozen');
    const resolved = await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, { action: 'resolve' });
    assert.equal(resolved.status, 200);
    assert.equal((await hub.ops('GET', `/v1/accounts/${accountId}`)).body.payout.frozen, false);
    assert.ok(parcelOf((await hub.ops('GET', `/v1/finance/payable-shipments?${window}`)).body.payable), 'payable once unfrozen');
    const trail = (await hub.ops('GET', `/v1/accounts/${accountId}/audit`)).body.entries.map((e: { action: string }) => e.action);
    assert.deepEqual(trail.slice(0, 2), ['PAYOUT_UNFROZEN', 'PAYOUT_FROZEN']);
    await steps.recordHistory('escalation-es4-warehouse-partner', orderId);
  });

  test('a policy change reaches an order already waiting: it is timed again under the new version', async () => {
    const orderId = await steps.submit(paid(makeOrder({ brand: 'lateco' })));
    await steps.waitFor(orderId, 'FULFILLING');
    // lateco waits under the defaults (ES-2 after 4 h); a new version gives it 1 s.
    const current = await hub.ops('GET', '/v1/settings/escalation-policy');
    const body = {
      ...current.body.body,
      overrides: [...current.body.body.overrides, { id: 'late-fast', brand: 'lateco', settings: { es2: { after: '1s' } } }],
    };
    const saved = await hub.ops('PUT', '/v1/settings/escalation-policy', { expectedVersion: current.body.version, body });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const view = await fired(orderId, 'ES-2');
    assert.equal(view.escalations!.find((e) => e.level === 'ES-2')!.policyVersion, saved.body.version);
    // Only lateco's orders are told: the other brands' running orders are timed as before.
    const told = await hub.client.workflow.getHandle(escalationRolloutWorkflowId(saved.body.version)).result();
    assert.equal(told, 1, 'the rollout signals only the orders the changed override matches');
  });

  test('ES-3 on a drop-ship supplier pauses dispatch to it: a new order is not routed there until the level is resolved', async () => {
    const sofa = (brand: string) =>
      makeOrder({
        brand,
        lines: [{ lineId: 'L1', sku: 'SOFA-9', category: 'sofa', quantity: 1, unitPrice: 999, listPrice: 999 }],
        amounts: { goods: 999, shipping: 0, discount: 0, paid: 999 },
      });
    const orderId = await steps.submit(paid(sofa('pausesupco')));
    const shipmentId = (await steps.waitFor(orderId, 'FULFILLING')).shipments[0]!.shipmentId;
    for (const step of ['accepted', 'picking']) assert.equal((await progress(orderId, shipmentId, step)).status, 200);
    const view = await fired(orderId, 'ES-3');
    const entry = view.escalations!.find((e) => e.level === 'ES-3')!;
    assert.deepEqual(entry.actions, ['dispatch paused']);
    assert.ok((await hub.ops('GET', '/v1/accounts/supplier:sofa-maker')).body.dispatchPaused, 'the supplier account shows the pause');
    // No warehouse stocks sofas: with the maker paused, a new sofa order has nowhere to go and waits for a person.
    const next = await steps.submit(paid(sofa('acme')));
    const held = await steps.waitFor(next, 'ON_HOLD');
    assert.ok(!held.shipments.some((s) => s.locationId === 'sofa-maker'), 'nothing new is sent to the paused supplier');
    const resolved = await hub.ops('POST', `/v1/orders/${orderId}/escalations/${encodeURIComponent(entry.id)}`, { action: 'resolve' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.equal((await hub.ops('GET', '/v1/accounts/supplier:sofa-maker')).body.dispatchPaused, undefined, 'resumed');
    const audit = (await hub.ops('GET', '/v1/accounts/supplier:sofa-maker/audit')).body.entries.map((e: { action: string }) => e.action);
    assert.ok(audit.includes('DISPATCH_PAUSED') && audit.includes('DISPATCH_RESUMED'), 'both in the account audit trail');
  });
});
