/**
 * Partner accounts (issue 9): warehouses, carriers and suppliers hold accounts whose keys are issued through the
 * operations API, shown once, stored hashed, rotated and revoked — and a key still reports only its party's shipments.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAccounts } from '../../src/db/accounts';
import { makeOrder, paid } from '../fixtures/orders';
import { seedHub } from '../fixtures/network';
import { eventually, startHarness, type Harness } from './harness';
import { partners, type IssuedKey } from './accountsSupport';

const guangzhouAddress = { name: '李四', phone: '13912345678', province: '广东', city: '广州', district: '天河区', line1: '天河路 1 号' };
const mugLine = { lineId: 'L1', sku: 'MUG-002', category: 'mug', quantity: 1, unitPrice: 99, listPrice: 99 };

describe('partner accounts', () => {
  let hub: Harness;
  let steps: ReturnType<typeof partners>;
  let suzhou: IssuedKey;
  let hefei: IssuedKey;
  let sf: IssuedKey;
  let zto: IssuedKey;
  before(async () => {
    hub = await startHarness('accounts');
    steps = partners(hub);
    // Tees ship from Suzhou (first for East China), mugs only from Hefei, anything to the south from Guangzhou.
    await seedHub(hub, {
      stock: { 'TEE-001@suzhou': 20, 'MUG-002@hefei': 20, 'TEE-001@guangzhou': 20 },
      policy: { returnWindowSeconds: 3600 },
    });
    suzhou = await steps.createAccount('warehouse', 'suzhou', 'Suzhou WMS');
    hefei = await steps.createAccount('warehouse', 'hefei', 'Hefei WMS');
    sf = await steps.createAccount('carrier', 'SF', 'SF Express');
    zto = await steps.createAccount('carrier', 'ZTO', 'ZTO Express');
  });
  after(async () => {
    await hub?.stop();
  });

  test("a Suzhou WMS key cannot report a Hefei shipment (404) but reports its own (200), as the warehouse's actor", async () => {
    const hefeiOrder = await steps.fulfilling(paid(makeOrder({ lines: [mugLine] })));
    assert.equal(hefeiOrder.shipment.locationId, 'hefei');
    const foreign = await steps.report(suzhou.apiKey, hefeiOrder.orderId, hefeiOrder.shipment.shipmentId, 'accepted');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'UNKNOWN_SHIPMENT');
    assert.equal((await steps.report(hefei.apiKey, hefeiOrder.orderId, hefeiOrder.shipment.shipmentId, 'accepted')).status, 200);

    const own = await steps.fulfilling(paid(makeOrder()));
    assert.equal(own.shipment.locationId, 'suzhou');
    assert.equal((await steps.report(suzhou.apiKey, own.orderId, own.shipment.shipmentId, 'accepted')).status, 200);
    const audit = await hub.ops('GET', `/v1/orders/${own.orderId}/audit`);
    const accepted = audit.body.entries.find((e: { action: string }) => e.action === 'SHIPMENT_ACCEPTED');
    assert.deepEqual(accepted.actor, { kind: 'warehouse', id: 'suzhou' });
  });

  test("a carrier key reports only the parcels it carries: another carrier's answers 404", async () => {
    const { orderId, shipment } = await steps.fulfilling(paid(makeOrder()));
    const shipped = await steps.report(suzhou.apiKey, orderId, shipment.shipmentId, 'shipped', {
      trackingNumber: 'SF2026000001',
      carrier: 'SF',
    });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    await steps.waitFor(orderId, 'SHIPPED');
    assert.equal((await steps.report(zto.apiKey, orderId, shipment.shipmentId, 'delivered')).status, 404);
    assert.equal((await steps.report(sf.apiKey, orderId, shipment.shipmentId, 'delivered')).status, 200);
    await steps.waitFor(orderId, 'DELIVERED');
  });

  test('a revoked key answers 401 KEY_REVOKED from then on; revoking twice keeps the first revocation', async () => {
    const yto = await steps.createAccount('carrier', 'YTO');
    // An order the carrier may not see: 404 shows the key was accepted, 401 that it was not.
    const unknownParcel = (key: string) => steps.report(key, 'tmall-NOPE1', 'S1', 'delivered');
    assert.equal((await unknownParcel(yto.apiKey)).status, 404);

    const revoked = await steps.revoke(yto);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.keyId, yto.keyId);
    assert.equal(revoked.body.revokedBy, 'ops-tester');
    assert.ok(revoked.body.revokedAt);

    const refused = await unknownParcel(yto.apiKey);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'KEY_REVOKED');
    assert.equal((await hub.request('GET', '/v1/orders', undefined, { 'x-api-key': yto.apiKey })).status, 401);

    const again = await steps.revoke(yto);
    assert.equal(again.status, 200);
    assert.equal(again.body.revokedAt, revoked.body.revokedAt, 'the first revocation is the one kept');
  });

  test('an unknown, malformed or tampered key answers 401 INVALID_KEY; a valid key of another role 403', async () => {
    const secret = sf.apiKey.split('_').slice(2).join('_');
    const tampered = `ohk_${sf.keyId}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    const unknownId = `ohk_${'0'.repeat(24)}_${secret}`;
    for (const key of ['nonsense', tampered, unknownId]) {
      const answer = await steps.report(key, 'tmall-NOPE1', 'S1', 'delivered');
      assert.equal(answer.status, 401, key);
      assert.equal(answer.body.error.code, 'INVALID_KEY', key);
    }
    const wrongRole = await hub.request('GET', '/v1/accounts', undefined, { 'x-api-key': sf.apiKey });
    assert.equal(wrongRole.status, 403);
    assert.equal(wrongRole.body.error.code, 'FORBIDDEN');
    assert.equal((await hub.request('GET', '/v1/accounts')).status, 401, 'no key at all');
  });

  test('after rotation both keys work until the old one is revoked', async () => {
    const old = await steps.createAccount('warehouse', 'guangzhou', 'Guangzhou WMS');
    const { orderId, shipment } = await steps.fulfilling(paid(makeOrder({ shippingAddress: guangzhouAddress })));
    assert.equal(shipment.locationId, 'guangzhou');

    const rotated = await steps.addKey(old.accountId, 'rotation 2026-11');
    assert.notEqual(rotated.keyId, old.keyId);
    assert.equal((await steps.report(old.apiKey, orderId, shipment.shipmentId, 'accepted')).status, 200);
    assert.equal((await steps.report(rotated.apiKey, orderId, shipment.shipmentId, 'picking')).status, 200);

    assert.equal((await steps.revoke(old)).status, 200);
    assert.equal((await steps.report(old.apiKey, orderId, shipment.shipmentId, 'packed')).status, 401);
    assert.equal((await steps.report(rotated.apiKey, orderId, shipment.shipmentId, 'packed')).status, 200);

    const account = await hub.ops('GET', `/v1/accounts/${old.accountId}`);
    assert.deepEqual(
      account.body.keys.map((k: { keyId: string; label?: string; revokedAt?: string }) => [k.keyId, k.label, Boolean(k.revokedAt)]),
      [
        [old.keyId, 'first', true],
        [rotated.keyId, 'rotation 2026-11', false],
      ],
    );
  });

  test('a key is shown only when issued: the list never returns a secret and the database holds only its hash', async () => {
    const supplier = await steps.createAccount('supplier', 'sofa-maker', 'Sofa Maker Ltd');
    const second = await steps.addKey(supplier.accountId);
    const issued = [supplier, second, suzhou, hefei, sf, zto];
    const secretOf = (apiKey: string) => apiKey.split('_').slice(2).join('_');

    const listed = await hub.ops('GET', '/v1/accounts');
    assert.equal(listed.status, 200);
    const text = JSON.stringify(listed.body);
    for (const key of issued) assert.ok(!text.includes(secretOf(key.apiKey)), 'a secret in the list');
    assert.doesNotMatch(text, /apiKey|hash|ohk_/);
    const sofa = listed.body.items.find((a: { id: string }) => a.id === 'supplier:sofa-maker');
    assert.deepEqual(
      sofa.keys.map((k: { keyId: string }) => k.keyId),
      [supplier.keyId, second.keyId],
    );
    const onlySuppliers = await hub.ops('GET', '/v1/accounts?kind=supplier');
    assert.deepEqual(
      onlySuppliers.body.items.map((a: { id: string }) => a.id),
      ['supplier:sofa-maker'],
    );

    const stored = JSON.stringify([
      await hub.db.connection.collection('accounts').find().toArray(),
      await hub.db.connection.collection('account_keys').find().toArray(),
    ]);
    for (const key of issued) {
      assert.ok(!stored.includes(secretOf(key.apiKey)), 'a secret in the database');
      assert.ok(stored.includes(createHash('sha256').update(key.apiKey).digest('hex')), 'its SHA-256 is kept');
    }
  });

  test("a key's last use is recorded after it is used, at most once a minute", async () => {
    const used = await steps.addKey(suzhou.accountId, 'used');
    const unused = await steps.addKey(suzhou.accountId, 'unused');
    const keyOf = async (keyId: string) =>
      (await hub.ops('GET', `/v1/accounts/${suzhou.accountId}`)).body.keys.find((k: { keyId: string }) => k.keyId === keyId);
    assert.equal((await keyOf(used.keyId)).lastUsedAt, undefined);

    const { orderId, shipment } = await steps.fulfilling(paid(makeOrder()));
    assert.equal((await steps.report(used.apiKey, orderId, shipment.shipmentId, 'accepted')).status, 200);
    const lastUsedAt: string = await eventually(async () => (await keyOf(used.keyId)).lastUsedAt, 'the last use to be recorded');
    assert.ok(Date.now() - Date.parse(lastUsedAt) < 60_000);
    assert.equal((await keyOf(unused.keyId)).lastUsedAt, undefined, 'a key never used has no last use');

    assert.equal((await steps.report(used.apiKey, orderId, shipment.shipmentId, 'picking')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await keyOf(used.keyId)).lastUsedAt, lastUsedAt, 'not written again within the minute');
  });

  test('the last-used time moves once a minute has passed, and a second API process with a stale read does not move it sooner', async () => {
    let now = Date.parse('2026-11-24T08:00:00Z');
    const store = createAccounts(hub.db.models, () => new Date(now));
    const { key } = await store.create({ kind: 'supplier', partyId: 'clock-test', name: 'Clock test', actor: 'test' });
    const lastUsed = async () => (await store.find(key.accountId)).keys.find((k) => k.keyId === key.keyId)?.lastUsedAt?.toISOString();

    await store.recordUse(key.keyId);
    assert.equal(await lastUsed(), '2026-11-24T08:00:00.000Z');
    now += 30_000;
    await store.recordUse(key.keyId);
    assert.equal(await lastUsed(), '2026-11-24T08:00:00.000Z', 'within the minute');
    now += 31_000;
    await store.recordUse(key.keyId);
    assert.equal(await lastUsed(), '2026-11-24T08:01:01.000Z', 'a minute later');
    const otherProcess = createAccounts(hub.db.models, () => new Date(now + 1_000));
    await otherProcess.recordUse(key.keyId);
    assert.equal(await lastUsed(), '2026-11-24T08:01:01.000Z', 'the guarded write refuses a second write within the minute');
  });

  test('one account per party (409), unknown accounts and keys 404, invalid input 400, and only operations manage accounts', async () => {
    const duplicate = await hub.ops('POST', '/v1/accounts', { kind: 'warehouse', partyId: 'suzhou', name: 'again' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'ACCOUNT_EXISTS');

    const noAccount = await hub.ops('POST', '/v1/accounts/warehouse:nowhere/keys', {});
    assert.equal(noAccount.status, 404);
    assert.equal(noAccount.body.error.code, 'UNKNOWN_ACCOUNT');
    assert.equal((await hub.ops('GET', '/v1/accounts/warehouse:nowhere')).body.error.code, 'UNKNOWN_ACCOUNT');
    // A real key of another account is unknown to this one.
    const foreignKey = await hub.ops('POST', `/v1/accounts/${hefei.accountId}/keys/${suzhou.keyId}/revoke`);
    assert.equal(foreignKey.status, 404);
    assert.equal(foreignKey.body.error.code, 'UNKNOWN_KEY');

    const invalid = await hub.ops('POST', '/v1/accounts', { kind: 'bank', partyId: 'x y', name: '' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'VALIDATION');
    assert.equal((await hub.ops('GET', '/v1/accounts?kind=bank')).status, 400);
    assert.equal((await hub.ops('GET', '/v1/accounts/nonsense')).status, 400);

    const asWarehouse = await hub.request('POST', `/v1/accounts/${suzhou.accountId}/keys`, '{}', { 'x-api-key': suzhou.apiKey });
    assert.equal(asWarehouse.status, 403, 'a partner cannot issue itself keys');
  });
});
