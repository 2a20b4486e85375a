/** The order's stock, routing and shipments: allocation, dispatch, write-back, address moves and compensation. */
import { condition } from '@temporalio/workflow';
import type { Shortage } from '../../activities/inventory';
import type { RouteResult } from '../../activities/routing';
import { planAllocation, type AllocationPlan } from '../../domain/allocation';
import { writeBackKey } from '../../domain/ids';
import type { Address } from '../../domain/order';
import type { Attention, AuditChange, OrderView, ReservationState, ShipmentState } from '../../domain/orderView';
import { compensations, type StepProxies } from './proxies';
import { refuse } from './failures';
import { Mutex } from './mutex';
import type { OrderRun } from './run';
import { nowIso, systemActor } from './state';

/** Reservation attempts per allocation: another order may take the stock between routing and reserving. */
const RESERVE_ATTEMPTS = 3;
/** FS-2: a write-back unconfirmed this long after its parcel shipped alerts operations, unless the policy says otherwise. */
const WRITE_BACK_ALERT_SECONDS = 15 * 60;

/** Drives one order's stock and shipments; all state lives in the order view. */
export class Fulfilment {
  /** Why the last allocation failed, for the OUT_OF_STOCK hold. */
  lastShortage = '';
  /** True while a re-route moves the shipments: reports for the old ones are refused until it is done. */
  moving = false;
  /** The allocation round: numbers shipments and reservation keys, so it carries over to a continued run. */
  round = 0;
  // Serialises the steps that change shipments, so an address change never interleaves with a dispatch.
  private readonly lock = new Mutex();
  /** Third design: shipments whose write-back runs beside the lifecycle, and those write-backs. */
  private readonly writingBack = new Set<string>();
  private readonly writeBacks: Array<Promise<void>> = [];
  private readonly view: () => OrderView;
  private readonly record: (change: AuditChange) => Promise<void>;
  /** Regular activities for orders of the first design, local activities for the lean ones. */
  private readonly activities: StepProxies;

  constructor(private readonly run: OrderRun) {
    this.view = () => run.current();
    this.record = (change) => run.record(change);
    this.activities = run.steps;
  }

  /** Carries on from the run before: the allocation round it had reached. */
  resume(round: number): void {
    this.round = round;
  }

  /** Routes the order and reserves its warehouse lines (INV-1); false when stock or a route is missing. */
  allocate(): Promise<boolean> {
    return this.lock.run(async () => {
      if (this.reserved().length > 0) return true;
      for (let attempt = 1; attempt <= RESERVE_ATTEMPTS; attempt += 1) {
        if (this.run.allocates) {
          const outcome = await this.planAndReserve();
          if (outcome === 'reserved') return true;
          if (outcome === 'unroutable') return false;
          // A round undone after a failure is no shortage: it does not count against the attempts.
          if (outcome === 'undone') attempt -= 1;
          continue;
        }
        const plan = await this.plan();
        if (!plan) return false;
        if (await this.reserve(plan.reservations)) {
          this.view().shipments = plan.shipments;
          return true;
        }
      }
      return false;
    });
  }

  /** Releases every held reservation. */
  async releaseAll(reason: string): Promise<void> {
    await this.lock.run(() => this.release(this.reserved(), reason));
  }

  /** Sends planned shipments to their warehouse (FS-1) or supplier (DS-1). */
  dispatch(): Promise<void> {
    return this.lock.run(() => this.dispatchPlanned());
  }

  /** True once every shipment has left (a shipment its supplier rejected is not waited for: its lines moved on). */
  allShipped(): boolean {
    const live = this.view().shipments.filter((s) => s.step !== 'rejected');
    return live.length > 0 && live.every((s) => s.shippedAt);
  }

  /** Shipments a supplier rejected whose lines have not been routed elsewhere yet (DS-2). */
  pendingRejections(): ShipmentState[] {
    return this.view().shipments.filter((s) => s.step === 'rejected' && !s.rejection?.settled);
  }

  /** Why the lines of the last rejection found no other route, for the SUPPLIER_REJECTED hold. */
  lastRejection = '';

  /**
   * Routes the lines of rejected shipments again, without the suppliers that rejected them: reserves warehouse
   * stock and dispatches the new shipments. False when no warehouse or other supplier can take them (a hold).
   */
  rerouteRejected(): Promise<boolean> {
    return this.lock.run(async () => {
      const rejected = this.pendingRejections();
      const lineIds = rejected.flatMap((s) => s.lineIds);
      const reasons = rejected.map((s) => `${s.locationId}: ${s.rejection?.reason}`).join('; ');
      for (let attempt = 1; attempt <= RESERVE_ATTEMPTS; attempt += 1) {
        const plan = await this.plan(lineIds);
        if (!plan) {
          this.lastRejection = `rejected by ${reasons}; no other route: ${this.lastShortage}`;
          return false;
        }
        if (!(await this.reserve(plan.reservations))) continue;
        const view = this.view();
        view.shipments.push(...plan.shipments);
        for (const shipment of rejected) shipment.rejection = { ...shipment.rejection!, settled: true };
        await this.dispatchPlanned();
        await this.record({
          actor: systemActor,
          action: 'ORDER_REROUTED',
          after: {
            shipments: plan.shipments.map((s) => `${s.kind}:${s.locationId}:${s.lineIds.join(',')}`),
            routing: view.routing?.summary,
          },
          detail: `rejected by ${reasons}`,
        });
        return true;
      }
      this.lastRejection = `rejected by ${reasons}; no other route: ${this.lastShortage}`;
      return false;
    });
  }

  /**
   * A supplier ships some of its lines (DS-2): a shipment whose lines all left is shipped; a subset leaves as a
   * parcel of its own (`{shipmentId}-P{n}`), so each parcel is written back to the channel with its own tracking.
   */
  shipSupplierLines(supplierId: string, lineIds: string[], parcel: { carrier: string; trackingNumber: string; at: string }): string[] {
    const shipments = this.view().shipments;
    const shipped: string[] = [];
    for (const shipment of [...shipments]) {
      if (shipment.kind !== 'supplier' || shipment.locationId !== supplierId || shipment.shippedAt || shipment.step === 'rejected')
        continue;
      const taken = shipment.lineIds.filter((id) => lineIds.includes(id));
      if (taken.length === 0) continue;
      const now = nowIso();
      const leaving = {
        step: 'shipped' as const,
        carrier: parcel.carrier,
        trackingNumber: parcel.trackingNumber,
        shippedAt: parcel.at,
        since: now,
        lastChangeAt: now,
      };
      if (taken.length === shipment.lineIds.length) {
        Object.assign(shipment, leaving);
        shipped.push(shipment.shipmentId);
        continue;
      }
      const parcels = shipments.filter((s) => s.shipmentId.startsWith(`${shipment.shipmentId}-P`)).length;
      const split: ShipmentState = {
        ...shipment,
        ...leaving,
        shipmentId: `${shipment.shipmentId}-P${parcels + 1}`,
        lineIds: taken,
        writtenBack: false,
      };
      shipment.lineIds = shipment.lineIds.filter((id) => !taken.includes(id));
      shipments.splice(shipments.indexOf(shipment) + 1, 0, split);
      shipped.push(split.shipmentId);
    }
    return shipped;
  }

  /** Shipments that left but are not yet committed, nor written back (or being written back) to the channel. */
  pendingWriteBacks(): ShipmentState[] {
    return this.view().shipments.filter((s) => s.shippedAt && !s.writtenBack && !this.writingBack.has(s.shipmentId));
  }

  /** Resolves once every write-back started beside the lifecycle is confirmed or done by hand (third design). */
  async writeBacksDone(): Promise<void> {
    await Promise.all(this.writeBacks);
  }

  /**
   * Commits the stock of shipped parcels and writes their tracking numbers back to the channel (FS-2). From the
   * third design on each write-back runs beside the lifecycle under its alert timer, so one slow channel answer
   * holds up neither the other parcels nor delivery.
   */
  async completeShipped(): Promise<void> {
    const view = this.view();
    for (const shipment of this.pendingWriteBacks()) {
      const held = this.reserved().filter((r) => r.warehouseId === shipment.locationId && shipment.lineIds.includes(r.lineId));
      if (held.length > 0) {
        await this.activities.commitReservations({ orderId: view.orderId, keys: held.map((r) => r.key) });
        for (const r of held) r.state = 'committed';
      }
      // Fourth design: in line, one coroutine (the escalation watcher times FS-2), so a replay meets every step in order.
      if (this.run.watches) {
        await this.writeBack(shipment, held);
        continue;
      }
      if (this.run.delivers) {
        this.writingBack.add(shipment.shipmentId);
        this.writeBacks.push(this.writeBackWatched(shipment, held));
        continue;
      }
      await this.activities.writeBackShipment(this.writeBackOf(shipment));
      shipment.writtenBack = true;
      await this.record({
        actor: systemActor,
        action: 'SHIPMENT_WRITTEN_BACK',
        after: { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, committed: held.map((r) => r.key) },
      });
    }
  }

  /**
   * An exchange (fifth design): routes and reserves the returned lines again and dispatches them as new shipments
   * through the normal path; their ids, or undefined when no warehouse or supplier can take them now.
   */
  replace(lineIds: string[], reason: string): Promise<string[] | undefined> {
    return this.lock.run(async () => {
      for (let attempt = 1; attempt <= RESERVE_ATTEMPTS; attempt += 1) {
        const plan = await this.plan(lineIds);
        if (!plan) return undefined;
        if (!(await this.reserve(plan.reservations))) continue;
        this.view().shipments.push(...plan.shipments);
        await this.dispatchPlanned();
        const shipmentIds = plan.shipments.map((s) => s.shipmentId);
        await this.record({
          actor: systemActor,
          action: 'REPLACEMENT_DISPATCHED',
          after: { shipments: shipmentIds, lineIds },
          detail: reason,
        });
        return shipmentIds;
      }
      return undefined;
    });
  }

  /** Undoes what was done, in reverse: recall dispatches and supplier pushes, release stock, refund payment. */
  async compensate(): Promise<void> {
    await this.lock.run(async () => {
      const view = this.view();
      for (const shipment of [...view.shipments].reverse()) {
        if (shipment.step === 'planned') continue;
        await this.withdraw(shipment, true);
        shipment.step = 'planned';
      }
      await this.release(this.reserved(), 'order cancelled', compensations);
      if (view.order.paymentStatus === 'paid') {
        await this.run.deliver(
          (via) =>
            via.refundPayment({
              orderId: view.orderId,
              channel: view.order.channel,
              amount: view.order.amounts.paid,
              reason: view.cancellation?.reason ?? 'order cancelled',
              cause: 'cancellation',
            }),
          { interruptible: false, compensation: true },
        );
      }
    });
  }

  /** Third design: one parcel's write-back, and beside it the timer that alerts when it is late (FS-2). */
  private async writeBackWatched(shipment: ShipmentState, committed: ReservationState[]): Promise<void> {
    const view = this.view();
    const writing = this.writeBack(shipment, committed);
    // From the fourth design on the escalation watcher times FS-2 with the escalation policy.
    if (this.run.watches) return writing;
    const alertSeconds = view.policy?.writeBackAlertSeconds ?? WRITE_BACK_ALERT_SECONDS;
    const dueInMs = Date.parse(shipment.shippedAt!) + alertSeconds * 1000 - Date.now();
    const confirmed = dueInMs > 0 && (await condition(() => shipment.writtenBack, dueInMs));
    if (!confirmed && !shipment.writtenBack) {
      const item: Attention = {
        kind: 'WRITE_BACK_LATE',
        key: writeBackKey(view.orderId, shipment.shipmentId),
        partner: `channel:${view.order.channel}`,
        reason: `the write-back of ${shipment.shipmentId} is not confirmed ${alertSeconds} s after the parcel shipped`,
        since: nowIso(),
      };
      await this.run.raiseAttention(item, `order ${view.orderId}: ${item.reason}`);
      await condition(() => shipment.writtenBack);
      await this.run.clearAttention(item, {
        actor: systemActor,
        action: 'WRITE_BACK_ALERT_CLEARED',
        after: { shipmentId: shipment.shipmentId },
      });
    }
    await writing;
  }

  /** What a parcel's write-back tells the channel (the designs before the third sent exactly this). */
  private writeBackOf(shipment: ShipmentState) {
    const view = this.view();
    return {
      orderId: view.orderId,
      channel: view.order.channel,
      channelOrderId: view.order.channelOrderId,
      shipmentId: shipment.shipmentId,
      trackingNumber: shipment.trackingNumber!,
      carrier: shipment.carrier!,
      lineIds: shipment.lineIds,
    };
  }

  /** Third design: writes one parcel back until the channel confirms it (or a person did it by hand). */
  private async writeBack(shipment: ShipmentState, committed: ReservationState[]): Promise<void> {
    const view = this.view();
    const confirmed = await this.run.deliver(
      // From the third design on the lines go along, so a channel can fulfil the parcel's quantities.
      (via) => via.writeBackShipment({ ...this.writeBackOf(shipment), lines: view.order.lines }),
      { interruptible: false },
    );
    shipment.writtenBack = true;
    await this.record({
      actor: systemActor,
      action: 'SHIPMENT_WRITTEN_BACK',
      after: {
        shipmentId: shipment.shipmentId,
        trackingNumber: shipment.trackingNumber,
        committed: committed.map((r) => r.key),
        confirmedBy: confirmed
          ? `channel ${view.order.channel}${confirmed.reference ? ` (${confirmed.reference})` : ''}`
          : 'operations, by hand',
      },
    });
    // The sixth design writes it with the milestone that follows (every wait after it pauses first).
    if (!this.run.compact) await this.run.pause();
  }

  /** Withdraws a dispatched shipment from its warehouse or supplier (as a compensation when the order is cancelled). */
  private async withdraw(shipment: ShipmentState, compensation: boolean): Promise<void> {
    const orderId = this.view().orderId;
    const { shipmentId, locationId } = shipment;
    await this.run.deliver(
      (via) =>
        shipment.kind === 'supplier'
          ? via.recallSupplierPush({ orderId, shipmentId, supplierId: locationId })
          : via.cancelWarehouseDispatch({ orderId, shipmentId, warehouseId: locationId }),
      { interruptible: false, compensation },
    );
  }

  /**
   * Applies a new address (FS-4): checked against the delivery area; while no parcel is being picked the
   * order is re-routed and its reservations moved if the warehouse changes; otherwise the WMS is told.
   */
  changeAddress(address: Address, changeId: string): Promise<void> {
    return this.lock.run(async () => {
      const area = await this.activities.checkDeliveryArea({ address });
      if (!area.deliverable) {
        refuse('UNDELIVERABLE_ADDRESS', area.reason ?? 'outside the delivery area');
      }
      const view = this.view();
      view.order = { ...view.order, shippingAddress: address };
      if (this.reserved().length > 0 && !this.pickingStarted() && (await this.move('moved to another warehouse after an address change')))
        return;
      for (const shipment of view.shipments.filter((s) => s.step !== 'planned' && !s.shippedAt)) {
        await this.run.deliver((via) => via.updateShipmentAddress({ orderId: view.orderId, shipment, address, changeId }), {
          interruptible: false,
        });
      }
    });
  }

  /** Moves the order after a warehouse outage unless a parcel is already being picked; says what happened. */
  reroute(reason: string): Promise<'moved' | 'picking started' | 'no better route'> {
    return this.lock.run(async () => {
      if (this.pickingStarted()) return 'picking started';
      return (await this.move(reason)) ? 'moved' : 'no better route';
    });
  }

  private pickingStarted(): boolean {
    return this.view().shipments.some((s) => ['picking', 'progress', 'packed', 'shipped', 'delivered'].includes(s.step));
  }

  private reserved(): ReservationState[] {
    return this.view().reservations.filter((r) => r.state === 'reserved');
  }

  /** Routes the order (or only `lineIds`), never back to a supplier that rejected lines of it. */
  private async plan(lineIds?: string[]): Promise<AllocationPlan | undefined> {
    const view = this.view();
    this.round += 1;
    // Orders without a rejection route exactly as before, with the same input.
    const scope = lineIds ? { lineIds, excludedSuppliers: this.rejectingSuppliers() } : this.rejectionScope();
    return this.planned(await this.activities.routeOrder({ orderId: view.orderId, order: view.order, ...scope }));
  }

  /**
   * Seventh design: routes the whole order and reserves the round's plan in one step, and takes the plan once reserved.
   * A round its step had to undo (retried after a failure) is planned again as the next round.
   */
  private async planAndReserve(): Promise<'reserved' | 'short' | 'unroutable' | 'undone'> {
    const view = this.view();
    this.round += 1;
    const allocation = await this.activities.allocateStock({
      orderId: view.orderId,
      order: view.order,
      round: this.round,
      ...this.rejectionScope(),
    });
    if ('undone' in allocation) return 'undone';
    const plan = this.planned(allocation.route);
    if (!plan || !allocation.reserved) return 'unroutable';
    if (!this.reservationHeld(allocation.reserved)) return 'short';
    view.reservations.push(...plan.reservations);
    view.shipments = plan.shipments;
    return 'reserved';
  }

  /** Suppliers that rejected lines of this order. */
  private rejectingSuppliers(): string[] {
    return [
      ...new Set(
        this.view()
          .shipments.filter((s) => s.step === 'rejected')
          .map((s) => s.locationId),
      ),
    ];
  }

  /** What a whole-order routing leaves out: the suppliers that rejected lines of it, when any did. */
  private rejectionScope(): { excludedSuppliers?: string[] } {
    const excludedSuppliers = this.rejectingSuppliers();
    return excludedSuppliers.length > 0 ? { excludedSuppliers } : {};
  }

  /** Takes a routing decision into the view and plans this round from it; undefined when a line found no route. */
  private planned(route: RouteResult): AllocationPlan | undefined {
    const view = this.view();
    view.routing = { summary: route.summary, decision: route.decision };
    if (route.unroutable.length > 0) {
      this.lastShortage = route.unroutable.map((u) => `line ${u.lineId}: ${u.reason}`).join('; ');
      return undefined;
    }
    return planAllocation(view.orderId, view.order, this.round, route.shipments);
  }

  private async reserve(reservations: ReservationState[]): Promise<boolean> {
    const result = await this.activities.reserveStock({ orderId: this.view().orderId, allocations: reservations });
    if (!this.reservationHeld(result)) return false;
    this.view().reservations.push(...reservations);
    return true;
  }

  /** True when a reservation succeeded; otherwise notes the shortage for the OUT_OF_STOCK hold. */
  private reservationHeld(result: { ok: true } | { ok: false; shortages: Shortage[] }): boolean {
    if (result.ok) return true;
    this.lastShortage = result.shortages
      .map((s) => `${s.sku}@${s.warehouseId}: wanted ${s.requested}, available ${s.available}`)
      .join('; ');
    return false;
  }

  private async release(reservations: ReservationState[], reason: string, via: StepProxies = this.activities): Promise<void> {
    if (reservations.length === 0) return;
    await via.releaseReservations({ orderId: this.view().orderId, keys: reservations.map((r) => r.key), reason });
    for (const r of reservations) r.state = 'released';
    await this.record({ actor: systemActor, action: 'STOCK_RELEASED', after: { keys: reservations.map((r) => r.key) }, detail: reason });
  }

  private async dispatchPlanned(): Promise<void> {
    const view = this.view();
    for (const shipment of view.shipments.filter((s) => s.step === 'planned')) {
      const input = { orderId: view.orderId, shipment, order: view.order };
      if (shipment.kind === 'supplier') await this.run.deliver((via) => via.pushToSupplier(input), { interruptible: true });
      else {
        const sent = await this.run.deliver((via) => via.dispatchToWarehouse(input), { interruptible: true });
        // The carrier's e-waybill: the parcel's carrier and tracking number are known before it is packed.
        if (sent?.waybill) Object.assign(shipment, sent.waybill);
      }
      shipment.step = 'dispatched';
      shipment.since = shipment.lastChangeAt = nowIso();
    }
  }

  /** Re-routes with the current address and network; moves reservations and dispatches when the locations change. */
  private async move(reason: string): Promise<boolean> {
    this.moving = true;
    try {
      return await this.moveShipments(reason);
    } finally {
      this.moving = false;
    }
  }

  private async moveShipments(reason: string): Promise<boolean> {
    const view = this.view();
    const plan = await this.plan();
    const where = (shipments: ShipmentState[]) =>
      shipments
        .map((s) => `${s.kind}:${s.locationId}:${s.lineIds.join(',')}`)
        .sort()
        .join('|');
    if (!plan || where(plan.shipments) === where(view.shipments)) return false;
    if (!(await this.reserve(plan.reservations))) return false;
    const old = view.shipments;
    const wasDispatched = old.some((s) => s.step !== 'planned');
    for (const shipment of old.filter((s) => s.step !== 'planned')) await this.withdraw(shipment, false);
    const newKeys = new Set(plan.reservations.map((r) => r.key));
    await this.release(
      this.reserved().filter((r) => !newKeys.has(r.key)),
      reason,
    );
    view.shipments = plan.shipments;
    if (wasDispatched) await this.dispatchPlanned();
    await this.record({
      actor: systemActor,
      action: 'ORDER_REROUTED',
      before: { shipments: where(old) },
      after: { shipments: where(plan.shipments), routing: view.routing?.summary },
      detail: reason,
    });
    return true;
  }
}
