/**
 * Messages that really leave (FS-1, FS-2): pick lists to the WMS, e-waybills from the carrier, tracking write-backs
 * to a generic storefront, a Shopify shop and a Douyin shop, each a real HTTP server on loopback that can answer
 * 200, 429 with Retry-After, THROTTLED, 500, nothing at all, or a refusal. Every assertion reads what the partner
 * received, or what the order shows a person.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Received } from '../../scripts/lib/partners/server';
import { orderWorkflowId } from '../../src/domain/ids';
import type { OrderView } from '../../src/domain/orderView';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

const orderOf = (request: Received) => (request.body as { data?: { orderId?: string } } | undefined)?.data?.orderId;

/** The gaps in ms between consecutive requests. */
const gaps = (requests: Received[]) => requests.slice(1).map((r, i) => r.at - requests[i]!.at);

describe('deliveries to partners', () => {
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    hub = await startHarness('deliveries', {}, { partnerTimeoutMs: 1000 });
    steps = lifecycle(hub);
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 200, 'SPLIT-A@suzhou': 20, 'SPLIT-B@hefei': 20 },
      policy: { returnWindowSeconds: 2 },
    });
    // FS-2 is timed by the escalation policy: alertco's write-backs alert after 2 s.
    const quick = { base: {}, overrides: [{ id: 'quick-alerts', brand: 'alertco', settings: { fs2: { after: '2s' } } }] };
    assert.equal((await hub.ops('PUT', '/v1/settings/escalation-policy', { body: quick })).status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  /** Waits until the generic storefront accepted the order's write-back. */
  const storefrontHas = (orderId: string) =>
    eventually(
      async () =>
        hub.partners.storefront.events('shipment.shipped').some((e) => (e.data as { orderId: string }).orderId === orderId)
          ? true
          : undefined,
      `the write-back of ${orderId}`,
    );

  /** The order's write-back in the deliveries log, as operations read it. */
  const writeBackLogged = async (orderId: string) =>
    (await hub.ops('GET', `/v1/orders/${orderId}/deliveries`)).body.deliveries.find(
      (d: { kind: string }) => d.kind === 'shipmentWriteBack',
    );

  /** Submits a paid order, walks its parcels to shipped, and returns it. */
  async function shipOrder(order: ReturnType<typeof makeOrder>): Promise<{ orderId: string; view: OrderView }> {
    const orderId = await steps.submit(paid(order));
    await steps.waitFor(orderId, 'FULFILLING');
    await steps.shipAll(orderId);
    return { orderId, view: await steps.waitFor(orderId, 'SHIPPED') };
  }

  test('a pick list reaches the WMS sorted by zone, with the e-waybill the carrier issued for the parcel', async () => {
    const network = await hub.ops('GET', '/v1/settings/network');
    const zoned = {
      ...network.body.body,
      warehouses: network.body.body.warehouses.map((w: { id: string }) =>
        w.id === 'suzhou'
          ? {
              ...w,
              pickZones: [
                { zone: 'A', skuPrefixes: ['SPLIT-'] },
                { zone: 'C', skuPrefixes: ['TEE-'] },
              ],
            }
          : w,
      ),
    };
    assert.equal((await hub.ops('PUT', '/v1/settings/network', { expectedVersion: network.body.version, body: zoned })).status, 200);
    const orderId = await steps.submit(
      paid(
        makeOrder({
          lines: [
            { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 10, listPrice: 10 },
            { lineId: 'L2', sku: 'SPLIT-A', category: 'tshirt', quantity: 2, unitPrice: 10, listPrice: 10 },
          ],
          amounts: { goods: 30, shipping: 0, discount: 0, paid: 30 },
        }),
      ),
    );
    const fulfilling = await steps.waitFor(orderId, 'FULFILLING');
    const pickList = hub.partners.wms.events('pick_list.created').find((e) => (e.data as { orderId: string }).orderId === orderId)!;
    const data = pickList.data as {
      warehouseId: string;
      lines: Array<{ sku: string; zone?: string }>;
      waybill: { carrier: string; trackingNumber: string };
    };
    assert.equal(data.warehouseId, 'suzhou');
    assert.deepEqual(
      data.lines.map((l) => `${l.zone}:${l.sku}`),
      ['A:SPLIT-A', 'C:TEE-001'],
      'zone A is walked before zone C',
    );
    const waybill = hub.partners.carrier.waybills().find((w) => w.orderId === orderId)!;
    assert.deepEqual(data.waybill, { carrier: 'SF', trackingNumber: waybill.trackingNumber });
    assert.equal(
      fulfilling.shipments[0]!.trackingNumber,
      waybill.trackingNumber,
      'the parcel knows its tracking number before it is packed',
    );
    assert.ok(hub.partners.wms.server.receivedOn('/wms/suzhou').length >= 1, 'the pick list went to the endpoint of its own warehouse');
  });

  test('a split order ships as one order to the customer: one Shopify fulfilment per parcel, each with its own lines', async () => {
    const order = makeOrder({
      channel: 'website',
      lines: [
        { lineId: '1001', sku: 'SPLIT-A', category: 'tshirt', quantity: 1, unitPrice: 10, listPrice: 10 },
        { lineId: '1002', sku: 'SPLIT-B', category: 'tshirt', quantity: 2, unitPrice: 10, listPrice: 10 },
      ],
      amounts: { goods: 30, shipping: 0, discount: 0, paid: 30 },
    });
    hub.partners.shopify.addOrder({
      id: order.channelOrderId,
      lineItems: [
        { id: '1001', sku: 'SPLIT-A', quantity: 1 },
        { id: '1002', sku: 'SPLIT-B', quantity: 2 },
      ],
    });
    const { orderId, view } = await shipOrder(order);
    assert.deepEqual(view.shipments.map((s) => s.locationId).sort(), ['hefei', 'suzhou']);
    const fulfilments = await eventually(async () => {
      const held = hub.partners.shopify.fulfillments(order.channelOrderId);
      return held.length === 2 ? held : undefined;
    }, 'two fulfilments at the shop');
    assert.deepEqual(
      fulfilments.map((f) => `${f.trackingInfo.number}:${f.lineItems.map((l) => `${l.sku}x${l.quantity}`).join(',')}`).sort(),
      view.shipments.map((s) => `${s.trackingNumber}:${s.locationId === 'suzhou' ? 'SPLIT-Ax1' : 'SPLIT-Bx2'}`).sort(),
    );
    const written = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.shipments.every((s) => s.writtenBack) ? v : undefined;
    }, 'both parcels written back');
    assert.equal(written.status, 'SHIPPED');
  });

  test('a storefront answering 429 three times gets the write-back once, each retry after the wait it asked for', async () => {
    hub.partners.storefront.server.script(
      '/orders/shipments',
      ...[1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } })),
    );
    const { orderId } = await shipOrder(makeOrder());
    await storefrontHas(orderId);
    const requests = hub.partners.storefront.server.receivedOn('/orders/shipments').filter((r) => orderOf(r) === orderId);
    assert.equal(requests.length, 4, 'three refusals, then the one that was accepted');
    for (const gap of gaps(requests)) assert.ok(gap >= 950, `retried after ${gap} ms, before the 1 s the storefront asked for`);
    assert.equal(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'every attempt carried the same idempotency key');
    const writeBack = await writeBackLogged(orderId);
    assert.deepEqual([writeBack.state, writeBack.attempts], ['delivered', 4]);
  });

  test('a storefront answering 500 and then nothing at all is retried until it takes the write-back', async () => {
    hub.partners.storefront.server.script('/orders/shipments', { status: 500, body: { message: 'boom' } }, { hang: true });
    const { orderId } = await shipOrder(makeOrder());
    await storefrontHas(orderId);
    const requests = hub.partners.storefront.server.receivedOn('/orders/shipments').filter((r) => orderOf(r) === orderId);
    assert.equal(requests.length, 3);
    const writeBack = await writeBackLogged(orderId);
    assert.equal(writeBack.state, 'delivered');
  });

  test('Shopify throttling three times (THROTTLED, not 429) gets the write-back once, after the refill it reported', async () => {
    const order = makeOrder({
      channel: 'website',
      lines: [{ lineId: '2001', sku: 'TEE-001', category: 'tshirt', quantity: 1, unitPrice: 10, listPrice: 10 }],
      amounts: { goods: 10, shipping: 0, discount: 0, paid: 10 },
    });
    hub.partners.shopify.addOrder({ id: order.channelOrderId, lineItems: [{ id: '2001', sku: 'TEE-001', quantity: 1 }] });
    const { orderId } = await steps.submit(paid(order)).then(async (id) => {
      await steps.waitFor(id, 'FULFILLING');
      const since = hub.partners.shopify.server.received.length;
      // 60 points asked, 10 available, 50 restored per second: each refill takes 1 s.
      hub.partners.shopify.throttleNext(3, { requestedQueryCost: 60, currentlyAvailable: 10, restoreRate: 50 });
      await steps.shipAll(id);
      return { orderId: id, since };
    });
    const fulfilments = await eventually(async () => {
      const held = hub.partners.shopify.fulfillments(order.channelOrderId);
      return held.length > 0 ? held : undefined;
    }, 'the fulfilment at the shop');
    assert.equal(fulfilments.length, 1);
    const requests = hub.partners.shopify.server.received.filter((r) => r.rawBody.includes(order.channelOrderId));
    assert.ok(requests.length >= 4, `three throttled requests and then the write-back (${requests.length})`);
    for (const gap of gaps(requests.slice(0, 4))) assert.ok(gap >= 950, `retried after ${gap} ms, before the 1 s refill`);
    // The shop holds the fulfilment a moment before the order has recorded the answer.
    const written = await eventually(async () => {
      const view = await steps.read(orderId);
      return view.shipments.every((s) => s.writtenBack) ? view : undefined;
    }, 'the parcel written back');
    assert.equal(written.status, 'SHIPPED');
  });

  test('a Douyin shop answering 429 three times gets one signed write-back of the parcel, after the waits it asked for', async () => {
    const order = makeOrder({
      channel: 'douyin',
      lines: [{ lineId: '66001', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 10, listPrice: 10 }],
      amounts: { goods: 20, shipping: 0, discount: 0, paid: 20 },
    });
    hub.partners.douyin.addOrder({ orderId: order.channelOrderId, subOrders: [{ id: '66001', quantity: 2 }] });
    hub.partners.douyin.server.script(
      '/order/',
      ...[1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '1' }, body: { code: 429, msg: 'too many requests' } })),
    );
    const { view } = await shipOrder(order);
    const writeBacks = await eventually(async () => {
      const held = hub.partners.douyin.writeBacks(order.channelOrderId);
      return held.length > 0 ? held : undefined;
    }, 'the write-back at Douyin');
    assert.equal(writeBacks.length, 1);
    assert.equal(writeBacks[0]!.logisticsCode, view.shipments[0]!.trackingNumber);
    assert.deepEqual(writeBacks[0]!.subOrders, [{ id: '66001', quantity: 2 }]);
    const requests = hub.partners.douyin.server.receivedOn('/order/');
    for (const gap of gaps(requests.slice(-4))) assert.ok(gap >= 950, `retried after ${gap} ms, before the 1 s Douyin asked for`);
  });

  test("a refusal for good reaches a person with the channel's reason, and operations' retry delivers it", async () => {
    const order = makeOrder();
    hub.partners.storefront.refuse((event) =>
      (event.data as { orderId?: string }).orderId?.endsWith(order.channelOrderId)
        ? { status: 422, message: 'order was cancelled at the channel' }
        : undefined,
    );
    // The write-back is refused in line: the order waits for the person before it counts as shipped.
    const orderId = await steps.submit(paid(order));
    await steps.waitFor(orderId, 'FULFILLING');
    await steps.shipAll(orderId);
    const refused = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.attention?.length ? v : undefined;
    }, 'the refusal on the order');
    assert.equal(refused.attention![0]!.kind, 'DELIVERY_REFUSED');
    assert.match(refused.attention![0]!.reason, /422: order was cancelled at the channel/);
    const key = refused.attention![0]!.key;
    // Operations are told, with the reason, at their endpoint.
    const alert = await steps.operationsAlert(orderId, 'DELIVERY_REFUSED');
    assert.match((alert.data as { summary: string }).summary, /order was cancelled at the channel/);
    // The Web UI lists it with a filter on NeedsAttention.
    await eventually(async () => {
      for await (const wf of hub.client.workflow.list({ query: `WorkflowId = '${orderWorkflowId(orderId)}' AND NeedsAttention = true` }))
        return wf;
      return undefined;
    }, 'the order under NeedsAttention in visibility');
    const log = (await hub.ops('GET', `/v1/orders/${orderId}/deliveries`)).body.deliveries.find((d: { key: string }) => d.key === key);
    assert.deepEqual([log.state, log.lastResponse.status], ['failed-permanently', 422]);
    const byPartner = await hub.ops('GET', '/v1/deliveries?partnerKind=channel&partnerId=tmall&state=failed-permanently');
    assert.ok(byPartner.body.deliveries.some((d: { key: string }) => d.key === key));

    assert.equal(
      (await hub.ops('POST', `/v1/orders/${orderId}/deliveries/resolve`, { key: 'channel:shipment:nope', action: 'retry' })).status,
      404,
    );
    hub.partners.storefront.refuse(() => undefined);
    const retried = await hub.ops('POST', `/v1/orders/${orderId}/deliveries/resolve`, {
      key,
      action: 'retry',
      note: 'channel reopened the order',
    });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.deepEqual(retried.body.attention, []);
    await storefrontHas(orderId);
    const actions = await eventually(async () => {
      const all = await steps.auditActions(orderId);
      return all.includes('SHIPMENT_WRITTEN_BACK') ? all : undefined;
    }, 'the write-back in the audit trail');
    assert.deepEqual(
      actions.filter((a) => a.startsWith('DELIVERY_') || a === 'SHIPMENT_WRITTEN_BACK'),
      ['DELIVERY_REFUSED', 'DELIVERY_RETRIED', 'SHIPMENT_WRITTEN_BACK'],
    );
  });

  test('a write-back unconfirmed past the alert time raises NeedsAttention (FS-2), and clears once the channel confirms it', async () => {
    // alertco's policy alerts after 2 s; the storefront fails for about 4 s (1 s, 2 s, 4 s backoff).
    hub.partners.storefront.server.script('/orders/shipments', ...[1, 2, 3].map(() => ({ status: 503, body: { message: 'maintenance' } })));
    const orderId = await steps.submit(paid(makeOrder({ brand: 'alertco' })));
    await steps.waitFor(orderId, 'FULFILLING');
    await steps.shipAll(orderId);
    const late = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.attention?.some((a) => a.code === 'WRITE_BACK_LATE') ? v : undefined;
    }, 'the late write-back alert');
    const fired = late.escalations!.find((e) => e.level === 'FS-2')!;
    assert.ok(Date.parse(fired.firedAt) - Date.parse(fired.since) >= 2000, 'not before the 2 s of the policy');
    assert.equal(fired.policyVersion, 1);
    const cleared = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.shipments[0]!.writtenBack && v.attention?.length === 0 ? v : undefined;
    }, 'the alert to clear');
    assert.equal(cleared.status, 'SHIPPED');
    assert.match(cleared.escalations!.find((e) => e.level === 'FS-2')!.resolved!.note ?? '', /confirmed the write-back/);
    const actions = await eventually(async () => {
      const all = await steps.auditActions(orderId);
      return all.includes('ESCALATION_RESOLVED') ? all : undefined;
    }, 'the alert and its clearing in the audit trail');
    assert.deepEqual(
      actions.filter((a) => a.startsWith('ESCALATION') || a === 'SHIPMENT_WRITTEN_BACK'),
      ['ESCALATION_FIRED', 'SHIPMENT_WRITTEN_BACK', 'ESCALATION_RESOLVED'],
    );
    // The policy's FS-2 recipient is the operations robot: the message names the order, in Chinese by default.
    const told = await eventually(
      async () => hub.partners.wecom.operations.messages().find((m) => m.content.includes(orderId) || (m.title ?? '').includes(orderId)),
      'the operations robot to be told',
    );
    assert.match(`${told.title ?? ''} ${told.content}`, /FS-2/);
  });

  test('a parcel the carrier delivers before its write-back is confirmed still raises FS-2 (found by the partner-storm drill)', async () => {
    hub.partners.storefront.server.script('/orders/shipments', ...[1, 2, 3].map(() => ({ status: 503, body: { message: 'maintenance' } })));
    const orderId = await steps.submit(paid(makeOrder({ brand: 'alertco' })));
    const { shipments } = await steps.waitFor(orderId, 'FULFILLING');
    await steps.shipAll(orderId);
    // Same-day delivery: the carrier's report lands while the storefront still refuses the write-back.
    assert.equal((await steps.progress(orderId, shipments[0]!.shipmentId, 'delivered')).status, 200);
    const late = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.escalations?.some((e) => e.level === 'FS-2') ? v : undefined;
    }, 'FS-2 after delivery');
    assert.ok(!late.escalations!.some((e) => e.level === 'FS-3'), 'a delivered parcel has no silent trail');
    const cleared = await eventually(async () => {
      const v = await steps.read(orderId);
      return v.shipments[0]!.writtenBack && v.escalations!.every((e) => e.resolved) ? v : undefined;
    }, 'the alert to clear once the channel confirms');
    assert.match(cleared.escalations!.find((e) => e.level === 'FS-2')!.resolved!.note ?? '', /confirmed the write-back/);
    await steps.recordHistory('fs2-after-delivery', orderId);
  });
});
