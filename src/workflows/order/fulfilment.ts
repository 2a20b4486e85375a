/** The order's stock, routing and shipments: allocation, dispatch, write-back, address moves and compensation. */
import type { Address } from '../../domain/order';
import type { AuditChange, OrderView, ReservationState, ShipmentState } from '../../domain/orderView';
import { compensations, type StepProxies } from './proxies';
import { refuse } from './failures';
import { Mutex } from './mutex';
import { systemActor } from './state';

/** Reservation attempts per allocation: another order may take the stock between routing and reserving. */
const RESERVE_ATTEMPTS = 3;

/** Drives one order's stock and shipments; all state lives in the order view. */
export class Fulfilment {
  /** Why the last allocation failed, for the OUT_OF_STOCK hold. */
  lastShortage = '';
  /** True while a re-route moves the shipments: reports for the old ones are refused until it is done. */
  moving = false;
  private round = 0;
  // Serialises the steps that change shipments, so an address change never interleaves with a dispatch.
  private readonly lock = new Mutex();

  constructor(
    private readonly view: () => OrderView,
    private readonly record: (change: AuditChange) => Promise<void>,
    /** Regular activities for orders of the first design, local activities for the lean one. */
    private readonly activities: StepProxies,
  ) {}

  /** Routes the order and reserves its warehouse lines (INV-1); false when stock or a route is missing. */
  allocate(): Promise<boolean> {
    return this.lock.run(async () => {
      if (this.reserved().length > 0) return true;
      for (let attempt = 1; attempt <= RESERVE_ATTEMPTS; attempt += 1) {
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

  /** True once every shipment has left. */
  allShipped(): boolean {
    const { shipments } = this.view();
    return shipments.length > 0 && shipments.every((s) => s.shippedAt);
  }

  /** Shipments that left but are not yet committed and written back to the channel. */
  pendingWriteBacks(): ShipmentState[] {
    return this.view().shipments.filter((s) => s.shippedAt && !s.writtenBack);
  }

  /** Commits the stock of shipped parcels and writes their tracking numbers back to the channel (FS-2). */
  async completeShipped(): Promise<void> {
    const view = this.view();
    for (const shipment of this.pendingWriteBacks()) {
      const held = this.reserved().filter((r) => r.warehouseId === shipment.locationId && shipment.lineIds.includes(r.lineId));
      if (held.length > 0) {
        await this.activities.commitReservations({ orderId: view.orderId, keys: held.map((r) => r.key) });
        for (const r of held) r.state = 'committed';
      }
      await this.activities.writeBackShipment({
        orderId: view.orderId,
        channel: view.order.channel,
        channelOrderId: view.order.channelOrderId,
        shipmentId: shipment.shipmentId,
        trackingNumber: shipment.trackingNumber!,
        carrier: shipment.carrier!,
        lineIds: shipment.lineIds,
      });
      shipment.writtenBack = true;
      await this.record({
        actor: systemActor,
        action: 'SHIPMENT_WRITTEN_BACK',
        after: { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, committed: held.map((r) => r.key) },
      });
    }
  }

  /** Undoes what was done, in reverse: recall dispatches and supplier pushes, release stock, refund payment. */
  async compensate(): Promise<void> {
    await this.lock.run(async () => {
      const view = this.view();
      for (const shipment of [...view.shipments].reverse()) {
        if (shipment.step === 'planned') continue;
        if (shipment.kind === 'supplier')
          await compensations.recallSupplierPush({
            orderId: view.orderId,
            shipmentId: shipment.shipmentId,
            supplierId: shipment.locationId,
          });
        else
          await compensations.cancelWarehouseDispatch({
            orderId: view.orderId,
            shipmentId: shipment.shipmentId,
            warehouseId: shipment.locationId,
          });
        shipment.step = 'planned';
      }
      await this.release(this.reserved(), 'order cancelled', compensations);
      if (view.order.paymentStatus === 'paid') {
        await compensations.refundPayment({
          orderId: view.orderId,
          channel: view.order.channel,
          amount: view.order.amounts.paid,
          reason: view.cancellation?.reason ?? 'order cancelled',
          cause: 'cancellation',
        });
      }
    });
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
        await this.activities.updateShipmentAddress({ orderId: view.orderId, shipment, address, changeId });
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

  private async plan(): Promise<{ shipments: ShipmentState[]; reservations: ReservationState[] } | undefined> {
    const view = this.view();
    this.round += 1;
    const route = await this.activities.routeOrder({ orderId: view.orderId, order: view.order });
    view.routing = { summary: route.summary, decision: route.decision };
    if (route.unroutable.length > 0) {
      this.lastShortage = route.unroutable.map((u) => `line ${u.lineId}: ${u.reason}`).join('; ');
      return undefined;
    }
    const shipments: ShipmentState[] = route.shipments.map((s, index) => ({
      ...s,
      shipmentId: `S${this.round}-${index + 1}`,
      step: 'planned',
      writtenBack: false,
    }));
    const reservations = shipments
      .filter((s) => s.kind === 'warehouse')
      .flatMap((s) =>
        s.lineIds.map((lineId): ReservationState => {
          const line = view.order.lines.find((l) => l.lineId === lineId)!;
          return {
            key: `${view.orderId}/${this.round}/${lineId}@${s.locationId}`,
            lineId,
            sku: line.sku,
            warehouseId: s.locationId,
            quantity: line.quantity,
            state: 'reserved',
          };
        }),
      );
    return { shipments, reservations };
  }

  private async reserve(reservations: ReservationState[]): Promise<boolean> {
    const view = this.view();
    const result = await this.activities.reserveStock({ orderId: view.orderId, allocations: reservations });
    if (!result.ok) {
      this.lastShortage = result.shortages
        .map((s) => `${s.sku}@${s.warehouseId}: wanted ${s.requested}, available ${s.available}`)
        .join('; ');
      return false;
    }
    view.reservations.push(...reservations);
    return true;
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
      if (shipment.kind === 'supplier') await this.activities.pushToSupplier({ orderId: view.orderId, shipment, order: view.order });
      else await this.activities.dispatchToWarehouse({ orderId: view.orderId, shipment, order: view.order });
      shipment.step = 'dispatched';
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
    for (const shipment of old.filter((s) => s.step !== 'planned')) {
      if (shipment.kind === 'supplier')
        await this.activities.recallSupplierPush({
          orderId: view.orderId,
          shipmentId: shipment.shipmentId,
          supplierId: shipment.locationId,
        });
      else
        await this.activities.cancelWarehouseDispatch({
          orderId: view.orderId,
          shipmentId: shipment.shipmentId,
          warehouseId: shipment.locationId,
        });
    }
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
