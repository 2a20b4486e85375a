/**
 * Drop-ship suppliers work their orders through their own API (DS-1, DS-2): the hub pushes each order to the
 * supplier's endpoint and tells its contact; the supplier lists its open orders, reads its part of one (its lines
 * only, no prices), accepts, rejects or ships lines of it with its own key. Every assertion reads what a partner
 * received (the supplier, the WMS, the channel) or what the API answers the supplier and operations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Received } from '../../scripts/lib/partners/server';
import { returnWorkflowId } from '../../src/domain/ids';
import type { OrderView } from '../../src/domain/orderView';
import type { SupplierOrderView } from '../../src/domain/supplierView';
import { dropShipSofas, seedHub } from '../fixtures/network';
import { makeOrder, paid } from '../fixtures/orders';
import { eventually, startHarness, type Answer, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** Lamps ship from their maker: a second supplier. */
const dropShipLamps: typeof dropShipSofas = {
  id: 'dropship-lamps',
  name: 'Lamps ship from the maker',
  priority: 20,
  when: { field: 'category', op: 'eq', value: 'lamp' },
  then: [{ type: 'assignSupplier', supplierId: 'lamp-maker', lines: { category: 'lamp' } }],
};

/** The supplier actions of the audit trail. */
const SUPPLIER_ACTIONS = ['SUPPLIER_ACCEPTED', 'SUPPLIER_REJECTED', 'SHIPMENT_SHIPPED'];

const line = (lineId: string, sku: string, category: string) => ({ lineId, sku, category, quantity: 1, unitPrice: 50, listPrice: 50 });

/** A paid order of the given lines (each 50.00). */
const orderOf = (...lines: Array<ReturnType<typeof line>>) =>
  paid(makeOrder({ lines, amounts: { goods: 50 * lines.length, shipping: 0, discount: 0, paid: 50 * lines.length } }));

const dataOf = (request: Received) => (request.body as { data?: { orderId?: string } } | undefined)?.data;

/** A supplier account's key, as issued by operations. */
interface SupplierKey {
  accountId: string;
  keyId: string;
  apiKey: string;
}

describe('drop-ship suppliers through their own API', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  let keys: Record<'sofa' | 'lamp', SupplierKey>;

  /** Creates a supplier's account with its profile (orders and notices to the test suppliers server) and its first key. */
  async function createSupplier(partyId: string): Promise<SupplierKey> {
    const answer = await hub.ops('POST', '/v1/accounts', {
      kind: 'supplier',
      partyId,
      name: `${partyId} Ltd`,
      supplier: hub.partners.supplierProfile(partyId),
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return { accountId: answer.body.account.id, keyId: answer.body.key.keyId, apiKey: answer.body.key.apiKey };
  }

  /** Issues a key for a supplier whose account exists already (seedHub makes the sofa maker's). */
  async function issueKey(partyId: string): Promise<SupplierKey> {
    const answer = await hub.ops('POST', `/v1/accounts/supplier:${partyId}/keys`, { label: 'suppliers test' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return { accountId: `supplier:${partyId}`, keyId: answer.body.keyId, apiKey: answer.body.apiKey };
  }

  /** The supplier API as a supplier holding `apiKey` calls it. */
  function supplierApi(apiKey: string) {
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
      hub.request(method, path, body === undefined ? undefined : JSON.stringify(body), { 'x-api-key': apiKey, ...headers });
    return {
      list: (query = '') => call('GET', `/v1/supplier/orders${query}`),
      read: (orderId: string) => call('GET', `/v1/supplier/orders/${orderId}`),
      accept: (orderId: string, body?: unknown) => call('POST', `/v1/supplier/orders/${orderId}/accept`, body),
      reject: (orderId: string, reason: string) => call('POST', `/v1/supplier/orders/${orderId}/reject`, { reason }),
      ship: (orderId: string, parcel: { lineIds: string[]; trackingNumber: string; carrier?: string }, headers?: Record<string, string>) =>
        call('POST', `/v1/supplier/orders/${orderId}/shipments`, { carrier: 'SF', ...parcel }, headers),
    };
  }
  const sofaMaker = () => supplierApi(keys.sofa.apiKey);
  const lampMaker = () => supplierApi(keys.lamp.apiKey);

  /** Submits a paid order and waits until its supplier has received it and the order shows every shipment dispatched. */
  async function pushed(order: ReturnType<typeof orderOf>, supplierId = 'sofa-maker'): Promise<{ orderId: string; view: OrderView }> {
    const orderId = await steps.submit(order);
    await eventually(
      async () => (supplierEvents('dropship.order_created', orderId, supplierId).length > 0 ? true : undefined),
      `${orderId} pushed to ${supplierId}`,
    );
    const view = await eventually(async () => {
      const read = await steps.waitFor(orderId, 'FULFILLING');
      return read.shipments.every((s) => s.step === 'dispatched') ? read : undefined;
    }, `every shipment of ${orderId} dispatched`);
    return { orderId, view };
  }

  /** Events of a type that one supplier's endpoints accepted for the order (the suppliers share one test server). */
  function supplierEvents(type: string, orderId: string, supplierId = 'sofa-maker') {
    const ids = new Set(
      hub.partners.suppliers.server.received.filter((r) => r.path.startsWith(`/${supplierId}/`)).map((r) => r.headers['webhook-id']),
    );
    return hub.partners.suppliers.events(type).filter((e) => (e.data as { orderId?: string }).orderId === orderId && ids.has(e.id));
  }

  /** The channel's write-backs of the order, once `count` have arrived. */
  function writeBacks(orderId: string, count: number) {
    return eventually(async () => {
      const held = hub.partners.storefront.events('shipment.shipped').filter((e) => (e.data as { orderId: string }).orderId === orderId);
      return held.length >= count
        ? held.map((e) => e.data as { shipmentId: string; trackingNumber: string; lines: Array<{ lineId: string }> })
        : undefined;
    }, `${count} write-back(s) of ${orderId}`);
  }

  /** The audit entries of supplier actions, once `actions` are all written. */
  async function supplierAudit(orderId: string, actions: string[]) {
    return eventually(
      async () => {
        const { body } = await hub.ops('GET', `/v1/orders/${orderId}/audit`);
        const entries = (body.entries as Array<{ action: string; actor: unknown; detail?: string }>).filter((e) =>
          SUPPLIER_ACTIONS.includes(e.action),
        );
        return JSON.stringify(entries.map((e) => e.action)) === JSON.stringify(actions) ? entries : undefined;
      },
      `${actions.join(', ')} in the audit trail of ${orderId}`,
    );
  }

  /** The order ids of a supplier's open orders (one large page). */
  async function openOrders(api: ReturnType<typeof supplierApi>): Promise<string[]> {
    const answer = await api.list('?pageSize=200');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items.map((i: { orderId: string }) => i.orderId);
  }

  before(async () => {
    hub = await startHarness('suppliers', {}, { partnerTimeoutMs: 1000 });
    steps = lifecycle(hub);
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 50, 'SOFA-STOCKED@suzhou': 5 },
      rules: [dropShipSofas, dropShipLamps],
    });
    keys = { sofa: await issueKey('sofa-maker'), lamp: await createSupplier('lamp-maker') };
  });
  after(async () => {
    await hub?.stop();
  });

  test('a supplier gets the order pushed and its contact told, accepts it, ships it in two parcels, and the channel gets each parcel', async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa'), line('L2', 'SOFA-2', 'sofa')));
    const [push] = supplierEvents('dropship.order_created', orderId);
    const pushedData = push!.data as { shipmentId: string; lines: Array<{ lineId: string }>; address: { city: string } };
    assert.deepEqual(
      pushedData.lines.map((l) => l.lineId),
      ['L1', 'L2'],
    );
    assert.equal(pushedData.address.city, '苏州');
    await eventually(
      async () => (supplierEvents('dropship.order_notice', orderId).length === 1 ? true : undefined),
      'the notice to the contact',
    );
    assert.ok(hub.partners.suppliers.server.receivedOn('/sofa-maker/notices').some((r) => dataOf(r)?.orderId === orderId));
    assert.ok((await openOrders(sofaMaker())).includes(orderId), 'listed among my open orders');

    const read = await sofaMaker().read(orderId);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.deepEqual(read.body.lines, [
      { lineId: 'L1', sku: 'SOFA-1', quantity: 1 },
      { lineId: 'L2', sku: 'SOFA-2', quantity: 1 },
    ]);
    assert.deepEqual(
      read.body.shipments.map((s: { shipmentId: string; step: string }) => `${s.shipmentId}:${s.step}`),
      [`${pushedData.shipmentId}:dispatched`],
    );
    assert.doesNotMatch(JSON.stringify(read.body), /Price|amounts|buyer/, 'no prices, no buyer');

    const accepted = await sofaMaker().accept(orderId);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.shipments[0].step, 'accepted');

    const first = await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFSOFA0001' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const parcel = `${pushedData.shipmentId}-P1`;
    assert.deepEqual(
      (first.body as SupplierOrderView).shipments.map((s) => `${s.shipmentId}:${s.step}:${s.lineIds.join(',')}:${s.trackingNumber ?? ''}`),
      [`${pushedData.shipmentId}:accepted:L2:`, `${parcel}:shipped:L1:SFSOFA0001`],
    );
    assert.equal(first.body.status, 'FULFILLING', 'one line still to ship');
    assert.ok((await openOrders(sofaMaker())).includes(orderId), 'still open while a line waits');

    const rest = await sofaMaker().ship(orderId, { lineIds: ['L2'], trackingNumber: 'SFSOFA0002' });
    assert.equal(rest.status, 200, JSON.stringify(rest.body));
    await steps.waitFor(orderId, 'SHIPPED');
    const written = await writeBacks(orderId, 2);
    assert.deepEqual(
      written.map((w) => `${w.shipmentId}:${w.trackingNumber}:${w.lines.map((l) => l.lineId).join(',')}`).sort(),
      [`${parcel}:SFSOFA0001:L1`, `${pushedData.shipmentId}:SFSOFA0002:L2`].sort(),
    );
    await eventually(async () => ((await openOrders(sofaMaker())).includes(orderId) ? undefined : true), 'the order to leave my open list');

    const audit = await supplierAudit(orderId, ['SUPPLIER_ACCEPTED', 'SHIPMENT_SHIPPED', 'SHIPMENT_SHIPPED']);
    for (const entry of audit) assert.deepEqual(entry.actor, { kind: 'supplier', id: 'sofa-maker' }, entry.action);
    await steps.recordHistory('supplier-partial-shipments', orderId);
  });

  test('a supplier endpoint answering 429, 500 and then nothing gets the order once, when it is ready to take it', async () => {
    hub.partners.suppliers.server.script(
      '/sofa-maker/orders',
      { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } },
      { status: 500, body: { message: 'boom' } },
      { hang: true },
    );
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa')));
    const requests = hub.partners.suppliers.server.receivedOn('/sofa-maker/orders').filter((r) => dataOf(r)?.orderId === orderId);
    assert.equal(requests.length, 4, 'a 429, a 500, one left hanging, then the one it took');
    assert.ok(requests[1]!.at - requests[0]!.at >= 950, 'retried after the second the supplier asked for');
    assert.equal(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'every attempt carried the same webhook-id');
    assert.equal(supplierEvents('dropship.order_created', orderId).length, 1, 'taken once');
    const push = await eventually(async () => {
      const { body } = await hub.ops('GET', `/v1/orders/${orderId}/deliveries`);
      return (body.deliveries as Array<{ kind: string; state: string; attempts: number }>).find(
        (d) => d.kind === 'dropShipOrder' && d.state === 'delivered',
      );
    }, 'the push delivered in the deliveries log');
    assert.equal(push.attempts, 4);
  });

  test('a supplier rejecting lines that a warehouse stocks sends them there: a pick list reaches its WMS', async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-STOCKED', 'sofa')));
    const rejected = await sofaMaker().reject(orderId, 'fabric out of stock');
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.deepEqual(
      rejected.body.shipments.map((s: { step: string }) => s.step),
      ['rejected'],
    );
    const moved = await eventually(async () => {
      const view = await steps.read(orderId);
      return view.shipments.some((s) => s.kind === 'warehouse') ? view : undefined;
    }, 'the lines routed to a warehouse');
    assert.deepEqual(
      moved.shipments.map((s) => `${s.kind}:${s.locationId}:${s.step === 'rejected' ? 'rejected' : 'live'}:${s.lineIds.join(',')}`),
      ['supplier:sofa-maker:rejected:L1', 'warehouse:suzhou:live:L1'],
    );
    assert.equal(moved.status, 'FULFILLING');
    await eventually(
      async () =>
        hub.partners.wms.events('pick_list.created').some((e) => (e.data as { orderId: string }).orderId === orderId) ? true : undefined,
      'the pick list at the WMS',
    );
    await eventually(async () => ((await steps.auditActions(orderId)).includes('ORDER_REROUTED') ? true : undefined), 'ORDER_REROUTED');
    const [entry] = await supplierAudit(orderId, ['SUPPLIER_REJECTED']);
    assert.deepEqual(entry!.actor, { kind: 'supplier', id: 'sofa-maker' });
    assert.equal(entry!.detail, 'fabric out of stock');

    assert.equal((await openOrders(sofaMaker())).includes(orderId), false, 'nothing left for me to do');
    const mine = await sofaMaker().read(orderId);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.shipments.map((s: { step: string }) => s.step),
      ['rejected'],
      'my rejected shipment, not the warehouse parcel',
    );
    assert.deepEqual(
      mine.body.lines.map((l: { lineId: string }) => l.lineId),
      ['L1'],
    );
    await steps.recordHistory('supplier-rejected-rerouted', orderId);
  });

  test("a supplier rejecting lines nobody else can ship holds the order as SUPPLIER_REJECTED with the supplier's reason", async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-RARE', 'sofa')));
    assert.equal((await sofaMaker().reject(orderId, 'model discontinued')).status, 200);
    const held = await steps.waitFor(orderId, 'ON_HOLD');
    assert.deepEqual(
      held.holds.map((h) => h.reason),
      ['SUPPLIER_REJECTED'],
    );
    assert.match(held.holds[0]!.detail, /model discontinued/);
    assert.deepEqual(
      steps.received(orderId).filter((r) => r.startsWith('wms:')),
      [],
      'no warehouse was sent anything',
    );
    const [entry] = await supplierAudit(orderId, ['SUPPLIER_REJECTED']);
    assert.deepEqual(entry!.actor, { kind: 'supplier', id: 'sofa-maker' });
    await steps.recordHistory('supplier-rejected-held', orderId);
  });

  test('a split order shows the supplier only its line, and ships once when the warehouse and the supplier both shipped', async () => {
    const { orderId, view } = await pushed(orderOf(line('L1', 'TEE-001', 'tshirt'), line('L2', 'SOFA-1', 'sofa')));
    assert.deepEqual(view.shipments.map((s) => `${s.kind}:${s.locationId}`).sort(), ['supplier:sofa-maker', 'warehouse:suzhou']);
    const mine = await sofaMaker().read(orderId);
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.deepEqual(mine.body.lines, [{ lineId: 'L2', sku: 'SOFA-1', quantity: 1 }]);
    assert.deepEqual(
      mine.body.shipments.map((s: { lineIds: string[] }) => s.lineIds),
      [['L2']],
    );
    assert.doesNotMatch(JSON.stringify(mine.body), /TEE-001|suzhou/);

    const warehouse = view.shipments.find((s) => s.kind === 'warehouse')!;
    for (const step of ['accepted', 'picking', 'packed'])
      assert.equal((await steps.progress(orderId, warehouse.shipmentId, step)).status, 200);
    const left = await steps.progress(orderId, warehouse.shipmentId, 'shipped', { trackingNumber: 'SFSPLIT0001', carrier: 'SF' });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    assert.deepEqual([left.body.step, left.body.trackingNumber], ['shipped', 'SFSPLIT0001']);
    assert.doesNotMatch(JSON.stringify(left.body), /SOFA|sofa-maker/, "the warehouse is told nothing of the supplier's parcel");
    assert.equal((await steps.read(orderId)).status, 'FULFILLING', 'the sofa has not left yet');

    const shipped = await sofaMaker().ship(orderId, { lineIds: ['L2'], trackingNumber: 'SFSPLIT0002' });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    const done = await steps.waitFor(orderId, 'SHIPPED');
    assert.equal(done.timeline.filter((t) => t.status === 'SHIPPED').length, 1, 'shipped once');
    const written = await writeBacks(orderId, 2);
    assert.deepEqual(written.map((w) => w.trackingNumber).sort(), ['SFSPLIT0001', 'SFSPLIT0002']);
  });

  test("another supplier never learns of an order: 404 on list, read, accept, reject and ship of someone else's", async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa')));
    const { orderId: lampOrder } = await pushed(orderOf(line('L1', 'LAMP-1', 'lamp')), 'lamp-maker');
    assert.ok((await openOrders(lampMaker())).includes(lampOrder));
    assert.equal((await openOrders(lampMaker())).includes(orderId), false, "the sofa order is not on the lamp maker's list");
    assert.equal((await openOrders(sofaMaker())).includes(lampOrder), false);

    const read = await lampMaker().read(orderId);
    assert.deepEqual([read.status, read.body.error.code], [404, 'UNKNOWN_ORDER']);
    for (const answer of [
      await lampMaker().accept(orderId),
      await lampMaker().reject(orderId, 'not mine anyway'),
      await lampMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFNOTMINE01' }),
    ])
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
    const unknown = await lampMaker().read('tmall-NO-SUCH-ORDER');
    assert.deepEqual(
      [unknown.status, unknown.body.error.code],
      [404, 'UNKNOWN_ORDER'],
      'the same answer as for an order that is not there',
    );
    const acceptUnknown = await lampMaker().accept('tmall-NO-SUCH-ORDER');
    assert.deepEqual([acceptUnknown.status, acceptUnknown.body.error.code], [404, 'UNKNOWN_ORDER']);

    const view = await steps.read(orderId);
    assert.equal(view.shipments[0]!.step, 'dispatched', 'nothing the other supplier sent changed the order');
    assert.equal(supplierEvents('dropship.order_created', orderId, 'lamp-maker').length, 0, 'nor was it pushed to it');
    assert.equal((await hub.ops('GET', '/v1/supplier/orders')).status, 403, 'the supplier API is for suppliers only');
  });

  test('a cancelled order answers its own supplier 409 ALREADY_CLOSED, and any other supplier 404 as before', async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa')));
    const cancelled = await hub.ops('POST', `/v1/orders/${orderId}/cancel`, { reason: 'buyer changed their mind' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await steps.waitFor(orderId, 'CANCELLED');
    const own = await sofaMaker().accept(orderId);
    assert.deepEqual([own.status, own.body.error.code], [409, 'ALREADY_CLOSED']);
    assert.equal((await lampMaker().accept(orderId)).status, 404);
    assert.equal((await lampMaker().read(orderId)).status, 404);
    const read = await sofaMaker().read(orderId);
    assert.deepEqual([read.status, read.body.status], [200, 'CANCELLED'], 'its own supplier still reads it');
    assert.equal((await openOrders(sofaMaker())).includes(orderId), false, 'and no longer lists it');
  });

  test('a revoked supplier key answers 401; after a rotation the new key works and the old one until it is revoked', async () => {
    const first = await createSupplier('chair-maker');
    assert.equal((await supplierApi(first.apiKey).list()).status, 200);
    const rotated = await hub.ops('POST', `/v1/accounts/${first.accountId}/keys`, { label: 'rotation' });
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    const second = supplierApi(rotated.body.apiKey);
    assert.equal((await second.list()).status, 200, 'the new key works');
    assert.equal((await supplierApi(first.apiKey).list()).status, 200, 'and the old one still does');

    assert.equal((await hub.ops('POST', `/v1/accounts/${first.accountId}/keys/${first.keyId}/revoke`)).status, 200);
    const revoked = await supplierApi(first.apiKey).list();
    assert.deepEqual([revoked.status, revoked.body.error.code], [401, 'KEY_REVOKED']);
    assert.equal((await supplierApi(first.apiKey).read('tmall-ANY')).status, 401);
    assert.equal((await second.list()).status, 200, 'the new key goes on working');
    assert.equal((await supplierApi('ohk_not_a_key').list()).status, 401);
  });

  test('the same ship report twice is taken once: one SHIPMENT_SHIPPED, one write-back, the same answer', async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa')));
    const once = await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFTWICE0001' });
    const twice = await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFTWICE0001' });
    assert.equal(once.status, 200, JSON.stringify(once.body));
    assert.deepEqual([twice.status, twice.body], [200, once.body]);
    await steps.waitFor(orderId, 'SHIPPED');
    await writeBacks(orderId, 1);
    await supplierAudit(orderId, ['SHIPMENT_SHIPPED']);
    // A duplicate would be written back right behind the first: give it the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await writeBacks(orderId, 1)).length, 1);
    await supplierAudit(orderId, ['SHIPMENT_SHIPPED']);
  });

  test("a ship report is refused for lines that are not the supplier's (422) or already shipped (409), and a malformed one (400)", async () => {
    const { orderId } = await pushed(orderOf(line('L1', 'SOFA-1', 'sofa'), line('L2', 'SOFA-2', 'sofa'), line('L3', 'LAMP-1', 'lamp')));
    assert.equal((await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFREFUSE001' })).status, 200);

    const unknown = await sofaMaker().ship(orderId, { lineIds: ['L9'], trackingNumber: 'SFREFUSE002' });
    assert.deepEqual([unknown.status, unknown.body.error.code], [422, 'UNKNOWN_LINE']);
    const lamp = await sofaMaker().ship(orderId, { lineIds: ['L3'], trackingNumber: 'SFREFUSE003' });
    assert.deepEqual([lamp.status, lamp.body.error.code], [422, 'UNKNOWN_LINE'], "the lamp maker's line");
    const again = await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'SFREFUSE004' });
    assert.deepEqual([again.status, again.body.error.code], [409, 'ALREADY_SHIPPED']);

    assert.equal((await sofaMaker().ship(orderId, { lineIds: [], trackingNumber: 'SFREFUSE005' })).status, 400);
    assert.equal((await sofaMaker().accept(orderId, { note: 'unexpected' })).status, 400, 'accept takes no fields');
    assert.equal((await sofaMaker().list('?status[$ne]=x')).status, 400, 'the list takes page and pageSize only');

    const audit = await supplierAudit(orderId, ['SHIPMENT_SHIPPED']);
    assert.deepEqual(audit[0]!.actor, { kind: 'supplier', id: 'sofa-maker' });
  });

  test('a drop-shipped parcel comes back to its supplier, told to expect it, with the carrier that delivered it', async () => {
    const order = orderOf(line('L1', 'SOFA-1', 'sofa'));
    const { orderId, view } = await pushed(order);
    assert.equal((await sofaMaker().accept(orderId)).status, 200);
    // YTO carries the sofa; the hub has no YTO account, so the label cannot be issued, and SF must not be asked instead.
    assert.equal((await sofaMaker().ship(orderId, { lineIds: ['L1'], trackingNumber: 'YT0000000001', carrier: 'YTO' })).status, 200);
    assert.equal((await steps.progress(orderId, view.shipments[0]!.shipmentId, 'delivered')).status, 200);
    await steps.waitFor(orderId, 'DELIVERED');
    const asked = await hub.channel(order.channel, `/orders/${order.channelOrderId}/returns`, {
      returnId: 'R1',
      lines: [{ lineId: 'L1', quantity: 1 }],
      reason: 'size_fit',
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const labelled = await eventually(async () => {
      const { body } = await hub.ops('GET', `/v1/orders/${orderId}/returns/R1`);
      return (body.timeline as Array<{ status: string; note: string }> | undefined)?.find((t) => t.status === 'LABEL_ISSUED');
    }, 'the return past its label');
    assert.match(labelled.note, /no label \(no endpoint is configured for carrier:YTO\)/);
    assert.ok(!hub.partners.carrier.waybills().some((w) => w.shipmentId === asked.body.rma), 'no other carrier was asked for the label');
    const expected = await eventually(async () => supplierEvents('return.expected', orderId)[0], 'the supplier told to expect the return');
    assert.deepEqual(
      [(expected.data as { rma: string }).rma, (expected.data as { supplierId: string }).supplierId],
      [asked.body.rma, 'sofa-maker'],
    );
    // The buyer changes their mind: the supplier stops expecting it, once.
    const withdrawn = await hub.channel(order.channel, `/orders/${order.channelOrderId}/returns/R1/cancel`, { reason: 'kept it' });
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.equal(supplierEvents('return.cancelled', orderId).length, 1);
    await steps.recordHistory('supplier-return-withdrawn', orderId, returnWorkflowId(orderId, 'R1'));
  });
});
