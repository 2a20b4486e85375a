/**
 * Steps the accounts and callers tests share: partner accounts and keys through the operations API, orders through
 * signed channel events, shipment reports sent with a partner's own key.
 */
import assert from 'node:assert/strict';
import { orderIdOf } from '../../src/domain/ids';
import type { CanonicalOrder } from '../../src/domain/order';
import type { OrderView } from '../../src/domain/orderView';
import { eventually, type Answer, type Harness } from './harness';

/** A key as issued: shown in the creating answer only. */
export interface IssuedKey {
  accountId: string;
  keyId: string;
  apiKey: string;
}

/** An entry of an account's audit trail as the API answers it. */
export interface AccountAuditEntry {
  at: string;
  action: string;
  actor: string;
  keyId?: string;
  before?: unknown;
  after?: unknown;
  detail?: string;
}

/** Partner steps against one harness. */
export function partners(hub: Harness) {
  const steps = {
    /** Creates a party's account through the operations API and returns its first key; a supplier's gets a contact. */
    async createAccount(
      kind: 'warehouse' | 'carrier' | 'supplier',
      partyId: string,
      name = `${partyId} (${kind})`,
      supplier: object = { contact: { name: `${name} orders desk` } },
    ): Promise<IssuedKey> {
      const answer = await hub.ops('POST', '/v1/accounts', {
        kind,
        partyId,
        name,
        keyLabel: 'first',
        ...(kind === 'supplier' ? { supplier } : {}),
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return { accountId: answer.body.account.id, keyId: answer.body.key.keyId, apiKey: answer.body.key.apiKey };
    },
    /** Issues another key for an account (rotation). */
    async addKey(accountId: string, label?: string): Promise<IssuedKey> {
      const answer = await hub.ops('POST', `/v1/accounts/${accountId}/keys`, label ? { label } : {});
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return { accountId, keyId: answer.body.keyId, apiKey: answer.body.apiKey };
    },
    /** Revokes a key through the operations API. */
    revoke(key: Pick<IssuedKey, 'accountId' | 'keyId'>): Promise<Answer> {
      return hub.ops('POST', `/v1/accounts/${key.accountId}/keys/${key.keyId}/revoke`);
    },
    /** Freezes a supplier's payouts through the operations API. */
    freeze(accountId: string, reason: string): Promise<Answer> {
      return hub.ops('POST', `/v1/accounts/${accountId}/payouts/freeze`, { reason });
    },
    /** Unfreezes a supplier's payouts through the operations API. */
    unfreeze(accountId: string, note?: string): Promise<Answer> {
      return hub.ops('POST', `/v1/accounts/${accountId}/payouts/unfreeze`, note ? { note } : {});
    },
    /** The actions of an account's audit trail, newest first, with who made each. */
    async auditOf(accountId: string): Promise<AccountAuditEntry[]> {
      const answer = await hub.ops('GET', `/v1/accounts/${accountId}/audit`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.entries;
    },
    /** Reports a shipment step with a party's key, as its WMS or tracking system would. */
    report(apiKey: string, orderId: string, shipmentId: string, step: string, extra: Record<string, unknown> = {}): Promise<Answer> {
      return hub.request(
        'POST',
        `/v1/orders/${orderId}/shipments/${shipmentId}/progress`,
        JSON.stringify({ step, at: new Date().toISOString(), ...extra }),
        { 'x-api-key': apiKey },
      );
    },
    /** Posts an order snapshot as its channel and returns its order id. */
    async submit(order: CanonicalOrder): Promise<string> {
      const answer = await hub.channel(order.channel, '/events', {
        type: 'snapshot',
        eventId: `${order.channelOrderId}:${order.paymentStatus}`,
        order,
      });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return orderIdOf(order.channel, order.channelOrderId);
    },
    /** Waits until the order's workflow reports a status. */
    waitFor(orderId: string, status: OrderView['status']): Promise<OrderView> {
      return eventually(async () => {
        const answer = await hub.ops('GET', `/v1/orders/${orderId}`);
        const view = answer.body?.order as OrderView | undefined;
        return view?.status === status ? view : undefined;
      }, `${orderId} to be ${status}`);
    },
    /** Submits an order and waits for its one shipment to be handed to fulfilment. */
    async fulfilling(order: CanonicalOrder): Promise<{ orderId: string; shipment: OrderView['shipments'][number] }> {
      const orderId = await steps.submit(order);
      const view = await steps.waitFor(orderId, 'FULFILLING');
      assert.equal(view.shipments.length, 1);
      return { orderId, shipment: view.shipments[0]! };
    },
  };
  return steps;
}
