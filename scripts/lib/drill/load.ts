/**
 * A drill's load: orders driven the whole way, as their parties drive them. The channel posts each order over signed
 * HTTP (a snapshot, then its payment notice) and retries until the hub takes it, as a channel retries its webhooks; the
 * WMS reacts to each pick list it receives by reporting the shipment's steps with its warehouse's key; the supplier
 * reacts to each drop-ship push by accepting and shipping through its own API; the carrier reports each parcel
 * delivered. Each order then completes after its (short) return window. With `chaos`, every channel event and every
 * callback is sent twice at once, some payment notices come before their snapshot, some callbacks out of order, and
 * old events and callbacks are replayed after the fact.
 */
import { signWebhook } from '../../../src/api/auth';
import { orderIdOf, orderWorkflowId } from '../../../src/domain/ids';
import type { CanonicalOrderWire } from '../../../src/domain/order';
import type { WebhookEvent } from '../partners/webhookReceiver';
import { DRILL_CHANNEL_SECRET, DRILL_OPS_KEY, type DrillHub } from './hub';

/** What the load does. */
export interface LoadOptions {
  /** Orders per second, open loop. */
  rate: number;
  /** Seconds of posting. */
  durationS: number;
  /** The brand of the drill's orders (their search attribute `Brand`). */
  brand: string;
  /** Duplicated, reordered and replayed webhooks and callbacks throughout. */
  chaos?: boolean;
  /** How long the WMS waits between accepting a pick list and starting to pick (ms): the window in which an order can still move. */
  pickDelayMs?: number;
}

/** One HTTP answer the load got, for the drill's accounting. */
export interface Answer {
  what: string;
  status: number;
  at: number;
}

/** An order of the load. */
export interface LoadOrder {
  orderId: string;
  channelOrderId: string;
  /** Epoch ms its first event left. */
  postedAt: number;
  /** Epoch ms the hub first took both its events (202), if it has. */
  acceptedAt?: number;
  dropShip: boolean;
}

const CHANNEL = 'tmall';
const EAST = { name: '张三', phone: '13812345678', province: '江苏', city: '苏州', district: '工业园区', line1: '星湖街 328 号 2 栋 1201' };
const SOUTH = { name: '李四', phone: '13912345678', province: '广东', city: '广州', district: '天河区', line1: '天河路 385 号 1 栋 808' };
/** SKUs the load orders: stock them in every warehouse (the sofa ships from its maker and needs none). */
export const LOAD_SKUS = ['DRILL-TEE-1', 'DRILL-TEE-2', 'DRILL-TEE-3'];
const SOFA = 'DRILL-SOFA-1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running load. */
export class DrillLoad {
  readonly orders: LoadOrder[] = [];
  readonly answers: Answer[] = [];
  /** Epoch ms of every callback (progress, supplier action) the hub took with 2xx. */
  readonly progressAt: number[] = [];
  /** Orders whose workflow closed, with when it was first seen closed and how. */
  readonly closed = new Map<string, { at: number; status: string }>();
  private stopped = false;
  private readonly journeys = new Map<string, { cancelled: boolean }>();
  private readonly tasks = new Set<Promise<unknown>>();
  private cursors = { wms: 0, suppliers: 0 };
  private posting?: Promise<void>;
  private chaosCount = { duplicates: 0, reordered: 0, replays: 0 };

  constructor(
    private readonly hub: DrillHub,
    private readonly options: LoadOptions,
  ) {}

  /** Starts posting orders and the partners' reactions; resolves once the last order has been sent (not taken). */
  start(): Promise<void> {
    this.track(this.react());
    this.track(this.watchClosed());
    this.posting = this.post();
    return this.posting;
  }

  /** Stops every loop and waits for in-flight requests. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.tasks, this.posting]);
  }

  /** How many duplicates, reorderings and replays the load sent. */
  chaos(): { duplicates: number; reordered: number; replays: number } {
    return { ...this.chaosCount };
  }

  /** Orders not closed yet. */
  open(): LoadOrder[] {
    return this.orders.filter((o) => !this.closed.has(o.orderId));
  }

  private track(task: Promise<unknown>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Open loop: order i leaves at start + i / rate, whatever happened to earlier ones. */
  private async post(): Promise<void> {
    const count = Math.max(1, Math.round(this.options.rate * this.options.durationS));
    const started = Date.now();
    for (let i = 0; i < count && !this.stopped; i += 1) {
      const due = started + (i * 1000) / this.options.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      this.track(this.postOrder(i));
    }
  }

  private async postOrder(i: number): Promise<void> {
    const dropShip = i % 5 === 4;
    const channelOrderId = `${this.options.brand.toUpperCase()}${String(i + 1).padStart(5, '0')}`;
    const order: CanonicalOrderWire = {
      channel: CHANNEL,
      channelOrderId,
      brand: this.options.brand,
      buyer: { id: `buyer-${channelOrderId}`, phone: '13812345678' },
      shippingAddress: i % 4 === 3 ? SOUTH : EAST,
      lines: dropShip
        ? [{ lineId: 'L1', sku: SOFA, category: 'sofa', quantity: 1, unitPrice: 99, listPrice: 99 }]
        : [{ lineId: 'L1', sku: LOAD_SKUS[i % LOAD_SKUS.length]!, category: 'tshirt', quantity: 1, unitPrice: 99, listPrice: 99 }],
      amounts: { goods: 99, shipping: 0, discount: 0, paid: 99 },
      paymentStatus: 'unpaid',
      createdAt: new Date(Date.now() - 1000).toISOString(),
    } as CanonicalOrderWire;
    const entry: LoadOrder = { orderId: orderIdOf(CHANNEL, channelOrderId), channelOrderId, postedAt: Date.now(), dropShip };
    this.orders.push(entry);
    const created = { type: 'snapshot', eventId: `${channelOrderId}:created`, order };
    const paidEvent = { type: 'paid', eventId: `${channelOrderId}:paid`, channelOrderId, paidAt: new Date().toISOString(), amount: 99 };
    const events = this.options.chaos && i % 3 === 1 ? [paidEvent, created] : [created, paidEvent];
    if (this.options.chaos && i % 3 === 1) this.chaosCount.reordered += 1;
    for (const event of events) {
      const ok = await this.untilTaken(`intake:${event.type}`, () => this.channelEvent(event));
      if (!ok) return;
    }
    entry.acceptedAt = Date.now();
    if (this.options.chaos) this.replayLater(`intake:replay`, [() => this.channelEvent(created), () => this.channelEvent(paidEvent)]);
  }

  /**
   * Sends until a 2xx (true) or a 4xx (false: the hub refused; recorded); anything else is retried, as partners retry.
   * A 409 is retried for `conflictRetryMs`: the hub answers it to a report that came before the step it follows was
   * recorded (e.g. a WMS reporting on a pick list whose acknowledgement the hub has not recorded yet), which a real
   * WMS sends again.
   */
  private async untilTaken(what: string, send: () => Promise<number>, conflictRetryMs = 60_000): Promise<boolean> {
    let wait = 500;
    const started = Date.now();
    const deadline = started + 15 * 60_000;
    while (!this.stopped && Date.now() < deadline) {
      const status = await send();
      this.answers.push({ what, status, at: Date.now() });
      if (status >= 200 && status < 300) return true;
      if (status === 409 && Date.now() - started < conflictRetryMs) {
        await sleep(1_000);
        continue;
      }
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
      await sleep(wait);
      wait = Math.min(wait * 2, 4_000);
    }
    return false;
  }

  /** Posts one signed channel event (twice at once with chaos); the status of the first answer that took it. */
  private async channelEvent(event: object): Promise<number> {
    const once = async () => {
      const raw = JSON.stringify(event);
      const timestamp = new Date().toISOString();
      return this.send(`/v1/channels/${CHANNEL}/events`, raw, {
        'x-orderhub-timestamp': timestamp,
        'x-orderhub-signature': signWebhook(DRILL_CHANNEL_SECRET, timestamp, raw),
      });
    };
    if (!this.options.chaos) return once();
    this.chaosCount.duplicates += 1;
    const statuses = await Promise.all([once(), once()]);
    return best(statuses);
  }

  /** A callback to the hub with a party's key (twice at once with chaos). */
  private async callback(path: string, key: string, idempotencyKey: string, body: object): Promise<number> {
    const once = () => this.send(path, JSON.stringify(body), { 'x-api-key': key, 'idempotency-key': idempotencyKey });
    if (!this.options.chaos) return once();
    this.chaosCount.duplicates += 1;
    return best(await Promise.all([once(), once()]));
  }

  private async send(path: string, body: string, headers: Record<string, string>): Promise<number> {
    try {
      const response = await fetch(`${this.hub.baseUrl}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** With chaos: sends these again a few seconds later (an old event or callback replayed), once each. */
  private replayLater(what: string, sends: Array<() => Promise<number>>): void {
    this.track(
      (async () => {
        await sleep(3_000 + Math.random() * 5_000);
        for (const send of sends) {
          if (this.stopped) return;
          this.chaosCount.replays += 1;
          this.answers.push({ what, status: await send(), at: Date.now() });
        }
      })(),
    );
  }

  /** The partners' side: each new pick list starts the WMS's work on it, each drop-ship push the supplier's. */
  private async react(): Promise<void> {
    const { wms, suppliers } = this.hub.partners.receivers;
    while (!this.stopped) {
      const wmsEvents = wms.events();
      for (const event of wmsEvents.slice(this.cursors.wms)) this.onWmsEvent(event);
      this.cursors.wms = wmsEvents.length;
      const supplierEvents = suppliers.events();
      for (const event of supplierEvents.slice(this.cursors.suppliers)) this.onSupplierEvent(event);
      this.cursors.suppliers = supplierEvents.length;
      await sleep(200);
    }
  }

  private onWmsEvent(event: WebhookEvent): void {
    const data = event.data as {
      orderId: string;
      shipmentId: string;
      warehouseId: string;
      waybill?: { carrier: string; trackingNumber: string };
    };
    this.follow(
      `wms:${data.warehouseId}:${data.orderId}:${data.shipmentId}`,
      event.type,
      ['pick_list.created', 'pick_list.withdrawn'],
      (journey) => this.wmsJourney(data, journey),
    );
  }

  private onSupplierEvent(event: WebhookEvent): void {
    const data = event.data as { orderId: string; shipmentId: string; lines?: Array<{ lineId: string }> };
    this.follow(
      `supplier:${data.orderId}:${data.shipmentId}`,
      event.type,
      ['dropship.order_created', 'dropship.order_recalled'],
      (journey) => this.supplierJourney(data, journey),
    );
  }

  /** Starts a partner's work on its first `start` event for `id` (a repeat starts nothing), and stops it on `stop`. */
  private follow(
    id: string,
    type: string,
    [start, stop]: readonly [string, string],
    work: (journey: { cancelled: boolean }) => Promise<void>,
  ): void {
    if (type === stop) {
      const journey = this.journeys.get(id);
      if (journey) journey.cancelled = true;
      return;
    }
    if (type !== start || this.journeys.has(id)) return;
    const journey = { cancelled: false };
    this.journeys.set(id, journey);
    this.track(work(journey));
  }

  /** The WMS works a pick list: accepted, picking (after the pick delay), packed, shipped; then the carrier delivers. */
  private async wmsJourney(
    pickList: { orderId: string; shipmentId: string; warehouseId: string; waybill?: { carrier: string; trackingNumber: string } },
    journey: { cancelled: boolean },
  ): Promise<void> {
    const { orderId, shipmentId, warehouseId } = pickList;
    const key = this.hub.keys.warehouses[warehouseId];
    if (!key) return;
    const path = `/v1/orders/${orderId}/shipments/${shipmentId}/progress`;
    const carrier = pickList.waybill?.carrier ?? 'SF';
    // The loopback carrier issues short numbers (SF1, SF2…) that a progress report does not take (6–40 characters):
    // those are padded the way a label printer would, keeping the carrier's number in them.
    const issued = pickList.waybill?.trackingNumber;
    const trackingNumber = issued && issued.length >= 6 ? issued : `${issued ?? 'SF'}-${shipmentId.replace(/\W/g, '')}`.slice(0, 40);
    const report = (step: string, by = key, extra: object = {}, conflictRetryMs?: number) =>
      this.untilTaken(
        `progress:${step}`,
        async () => {
          const status = await this.callback(path, by, `${orderId}:${shipmentId}:${step}`, {
            step,
            at: new Date().toISOString(),
            ...extra,
          });
          if (status >= 200 && status < 300) this.progressAt.push(Date.now());
          return status;
        },
        conflictRetryMs,
      );
    await sleep(200);
    if (journey.cancelled || !(await report('accepted'))) return;
    await sleep(this.options.pickDelayMs ?? 2_000);
    if (journey.cancelled) return;
    if (this.options.chaos) {
      // Out of order: packed arrives with picking, then both again in order (the same keys), as a WMS resends. The
      // hub may refuse a step that comes too late; whether the parcel ships is what counts, so go on regardless.
      this.chaosCount.reordered += 1;
      await Promise.all([report('packed', key, {}, 0), report('picking', key, {}, 0)]);
      await report('picking', key, {}, 0);
      await report('packed', key, {}, 0);
    } else {
      if (!(await report('picking'))) return;
      await sleep(300);
      if (!(await report('packed'))) return;
    }
    await sleep(300);
    if (!(await report('shipped', key, { trackingNumber, carrier }))) return;
    await this.inTransit(orderId, shipmentId);
    if (!(await report('delivered', this.hub.keys.carrier))) return;
    if (this.options.chaos)
      this.replayLater('progress:replay', [
        () =>
          this.callback(path, key, `${orderId}:${shipmentId}:shipped`, {
            step: 'shipped',
            at: new Date().toISOString(),
            trackingNumber,
            carrier,
          }),
        () => this.callback(path, key, `${orderId}:${shipmentId}:accepted`, { step: 'accepted', at: new Date().toISOString() }),
      ]);
  }

  /** The supplier accepts a pushed shipment and ships its lines through its own API; then the carrier delivers. */
  private async supplierJourney(
    push: { orderId: string; shipmentId: string; lines?: Array<{ lineId: string }> },
    journey: { cancelled: boolean },
  ): Promise<void> {
    const { orderId, shipmentId } = push;
    const key = this.hub.keys.supplier;
    const act = (what: string, path: string, body: object) =>
      this.untilTaken(`supplier:${what}`, async () => {
        const status = await this.callback(path, key, `${orderId}:${shipmentId}:${what}`, body);
        if (status >= 200 && status < 300) this.progressAt.push(Date.now());
        return status;
      });
    await sleep(300);
    if (journey.cancelled || !(await act('accept', `/v1/supplier/orders/${orderId}/accept`, {}))) return;
    await sleep(500);
    const trackingNumber = `SFS${orderId.replace(/\W/g, '')}`.slice(0, 40);
    const lineIds = (push.lines ?? []).map((l) => l.lineId);
    const shipment = { carrier: 'SF', trackingNumber, lineIds: lineIds.length > 0 ? lineIds : ['L1'] };
    if (journey.cancelled || !(await act('ship', `/v1/supplier/orders/${orderId}/shipments`, shipment))) return;
    await this.inTransit(orderId, shipmentId);
    const path = `/v1/orders/${orderId}/shipments/${shipmentId}/progress`;
    await this.untilTaken('progress:delivered', async () => {
      const status = await this.callback(path, this.hub.keys.carrier, `${orderId}:${shipmentId}:delivered`, {
        step: 'delivered',
        at: new Date().toISOString(),
      });
      if (status >= 200 && status < 300) this.progressAt.push(Date.now());
      return status;
    });
  }

  /**
   * The parcel's transit: at least half a second, and until the channel has the parcel's tracking (its write-back
   * reached the storefront), at most 10 minutes. A real parcel takes days, so its write-back lands long before the
   * buyer signs; delivering sooner would end the hub's write-back watch (FS-2) before it could fire.
   */
  private async inTransit(orderId: string, shipmentId: string): Promise<void> {
    await sleep(500);
    const { storefront } = this.hub.partners.receivers;
    const deadline = Date.now() + 10 * 60_000;
    const writtenBack = () =>
      storefront.events('shipment.shipped').some((e) => {
        const data = e.data as { orderId?: string; shipmentId?: string };
        return data.orderId === orderId && (data.shipmentId === undefined || data.shipmentId === shipmentId);
      });
    while (!this.stopped && Date.now() < deadline && !writtenBack()) await sleep(500);
  }

  /** Notes when each order's workflow closes, from Temporal's visibility (every 2 s; nothing while Temporal is down). */
  private async watchClosed(): Promise<void> {
    const byWorkflowId = () => new Map(this.orders.map((o) => [orderWorkflowId(o.orderId), o.orderId]));
    while (!this.stopped) {
      try {
        const ids = byWorkflowId();
        const query = `Brand = "${this.options.brand}" AND ExecutionStatus != "Running"`;
        for await (const execution of this.hub.client.workflow.list({ query })) {
          const orderId = ids.get(execution.workflowId);
          if (orderId && !this.closed.has(orderId)) this.closed.set(orderId, { at: Date.now(), status: execution.status.name });
        }
      } catch {
        // Temporal is down (a drill stopped it): try again next round.
      }
      await sleep(2_000);
    }
  }
}

/** The best of two answers to the same request: a 2xx if either took it, else the first. */
function best(statuses: number[]): number {
  return statuses.find((s) => s >= 200 && s < 300) ?? statuses[0]!;
}

/** Reads an order's status through the operations API (what a person would see), or undefined. */
export async function orderStatus(hub: DrillHub, orderId: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${hub.baseUrl}/v1/orders/${orderId}`, {
      headers: { 'x-api-key': DRILL_OPS_KEY },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return `HTTP ${response.status}`;
    return ((await response.json()) as { order?: { status?: string } }).order?.status;
  } catch {
    return undefined;
  }
}
