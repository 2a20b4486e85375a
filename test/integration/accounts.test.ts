/**
 * Partner accounts (issue 9): warehouses, carriers and suppliers hold accounts whose keys are issued through the
 * operations API, shown once, stored hashed, rotated and revoked — and a key still reports only its party's shipments.
 * Suppliers' accounts (issue 10) carry a profile and a payout state operations can freeze; every change is audited.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAccounts, PAUSED_SUPPLIERS_FRESHNESS_MS, VALID_KEY_CACHE_MS } from '../../src/db/accounts';
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
    const supplier = await steps.createAccount('supplier', 'chair-maker', 'Chair Maker Ltd');
    const second = await steps.addKey(supplier.accountId);
    const issued = [supplier, second, suzhou, hefei, sf, zto];
    const secretOf = (apiKey: string) => apiKey.split('_').slice(2).join('_');

    const listed = await hub.ops('GET', '/v1/accounts');
    assert.equal(listed.status, 200);
    const text = JSON.stringify(listed.body);
    for (const key of issued) assert.ok(!text.includes(secretOf(key.apiKey)), 'a secret in the list');
    assert.doesNotMatch(text, /apiKey|hash|ohk_/);
    const chair = listed.body.items.find((a: { id: string }) => a.id === 'supplier:chair-maker');
    assert.deepEqual(
      chair.keys.map((k: { keyId: string }) => k.keyId),
      [supplier.keyId, second.keyId],
    );
    const onlySuppliers = await hub.ops('GET', '/v1/accounts?kind=supplier');
    const supplierIds = onlySuppliers.body.items.map((a: { id: string; kind: string }) => `${a.kind} ${a.id}`);
    assert.ok(supplierIds.includes('supplier supplier:chair-maker'));
    assert.ok(
      supplierIds.every((id: string) => id.startsWith('supplier ')),
      supplierIds.join(),
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
    const { key } = await store.create({
      kind: 'supplier',
      partyId: 'clock-test',
      name: 'Clock test',
      supplier: { contact: { name: 'Clock desk' } },
      actor: 'test',
    });
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

  test('a key found valid is trusted for a few seconds: revoked here it fails at once, revoked by another process once that time is up', async () => {
    let now = Date.parse('2026-11-24T09:00:00Z');
    const thisProcess = createAccounts(hub.db.models, () => new Date(now));
    const otherProcess = createAccounts(hub.db.models, () => new Date(now));
    const { account, key } = await thisProcess.create({ kind: 'carrier', partyId: 'trust-test', name: 'Trust test', actor: 'test' });
    const second = await thisProcess.addKey(account.id, 'second', 'test');
    assert.equal((await thisProcess.check(key.apiKey)).status, 'valid');
    assert.equal((await thisProcess.check(second.apiKey)).status, 'valid');
    assert.equal((await thisProcess.check(`${key.apiKey.slice(0, -1)}x`)).status, 'unknown', 'a trusted key id with another secret');

    await thisProcess.revokeKey(account.id, second.keyId, 'test');
    assert.equal((await thisProcess.check(second.apiKey)).status, 'revoked', 'revoked in this process: at once');

    await otherProcess.revokeKey(account.id, key.keyId, 'test');
    assert.equal((await thisProcess.check(key.apiKey)).status, 'valid', 'revoked elsewhere: still trusted here');
    now += VALID_KEY_CACHE_MS;
    assert.equal((await thisProcess.check(key.apiKey)).status, 'revoked', `revoked elsewhere: refused ${VALID_KEY_CACHE_MS} ms later`);
  });

  test('paused suppliers are read at most once a second: paused here they show at once, paused by another process once that time is up', async () => {
    let now = Date.parse('2026-11-24T10:00:00Z');
    const thisProcess = createAccounts(hub.db.models, () => new Date(now));
    const otherProcess = createAccounts(hub.db.models, () => new Date(now));
    const supplier = (partyId: string) =>
      thisProcess.create({ kind: 'supplier', partyId, name: partyId, supplier: { contact: { name: 'Desk' } }, actor: 'test' });
    await supplier('pause-here');
    await supplier('pause-there');
    assert.deepEqual(await thisProcess.pausedSuppliers(), []);

    assert.equal(await thisProcess.setDispatchPaused('pause-here', true, 'test'), true);
    assert.deepEqual(await thisProcess.pausedSuppliers(), ['pause-here'], 'paused in this process: at once');

    assert.equal(await otherProcess.setDispatchPaused('pause-there', true, 'test'), true);
    assert.deepEqual(await thisProcess.pausedSuppliers(), ['pause-here'], 'paused elsewhere: not read yet');
    now += PAUSED_SUPPLIERS_FRESHNESS_MS;
    assert.deepEqual((await thisProcess.pausedSuppliers()).sort(), ['pause-here', 'pause-there'], 'read again a second later');

    await thisProcess.setDispatchPaused('pause-here', false, 'test');
    await thisProcess.setDispatchPaused('pause-there', false, 'test');
    assert.deepEqual(await thisProcess.pausedSuppliers(), [], 'resumed in this process: at once');
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

  test("a supplier's account carries its profile and unfrozen payouts, shown by the API and read back for deliveries", async () => {
    const profile = {
      contact: { name: 'Wang Fang', email: 'orders@box.example', phone: '+86 571 8800 1234' },
      webhookUrl: 'https://box.example/hub/orders',
      notify: { kind: 'webhook', url: 'https://box.example/hub/notices' },
    };
    const created = await hub.ops('POST', '/v1/accounts', { kind: 'supplier', partyId: 'box-maker', name: 'Box Maker', supplier: profile });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.account.supplier, profile);
    assert.deepEqual(created.body.account.payout, { frozen: false });

    const read = await hub.ops('GET', '/v1/accounts/supplier:box-maker');
    assert.deepEqual([read.body.supplier, read.body.payout], [profile, { frozen: false }]);
    const listed = await hub.ops('GET', '/v1/accounts?kind=supplier');
    assert.deepEqual(listed.body.items.find((a: { id: string }) => a.id === 'supplier:box-maker').supplier, profile);
    const warehouse = await hub.ops('GET', `/v1/accounts/${suzhou.accountId}`);
    assert.equal('supplier' in warehouse.body, false, 'only suppliers have a profile');
    assert.deepEqual(warehouse.body.payout, { frozen: false }, 'a warehouse partner is paid too');
    const carrier = await hub.ops('GET', `/v1/accounts/${sf.accountId}`);
    assert.equal('payout' in carrier.body, false, 'a carrier is paid nothing through the hub');

    assert.deepEqual(await hub.stores.accounts.supplierProfile('box-maker'), {
      ...profile,
      supplierId: 'box-maker',
      name: 'Box Maker',
      payout: { frozen: false },
    });
    assert.equal(await hub.stores.accounts.supplierProfile('nobody'), undefined);
  });

  test('a supplier without a profile or a contact, a wrong profile field, or a profile on a warehouse is refused (400)', async () => {
    const refused = [
      { kind: 'supplier', partyId: 'no-profile', name: 'No profile' },
      { kind: 'supplier', partyId: 'no-contact', name: 'No contact', supplier: { webhookUrl: 'https://x.example/orders' } },
      { kind: 'supplier', partyId: 'bad-mail', name: 'Bad mail', supplier: { contact: { name: 'X', email: 'not-an-address' } } },
      { kind: 'warehouse', partyId: 'hangzhou', name: 'Hangzhou WMS', supplier: { contact: { name: 'X' } } },
    ];
    for (const body of refused) {
      const answer = await hub.ops('POST', '/v1/accounts', body);
      assert.equal(answer.status, 400, body.partyId);
      assert.equal(answer.body.error.code, 'VALIDATION', body.partyId);
    }
    assert.equal((await hub.ops('GET', '/v1/accounts/warehouse:hangzhou')).status, 404, 'nothing was created');
  });

  test("replacing a supplier's profile is audited with before and after; a warehouse has no profile (409 NOT_A_SUPPLIER)", async () => {
    const first = { contact: { name: 'Li Lei', email: 'li@vase.example' }, webhookUrl: 'https://vase.example/orders' };
    const { accountId } = await steps.createAccount('supplier', 'vase-maker', 'Vase Maker', first);
    const next = {
      contact: { name: 'Han Meimei', phone: '+86 21 5555 0101' },
      notify: { kind: 'webhook', url: 'https://vase.example/notices' },
    };

    const replaced = await hub.ops('PUT', `/v1/accounts/${accountId}/profile`, next);
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual(replaced.body.supplier, next, 'replaced as a whole: the webhook URL left out is gone');
    assert.equal((await hub.stores.accounts.supplierProfile('vase-maker'))?.contact.name, 'Han Meimei');
    assert.equal((await hub.ops('PUT', `/v1/accounts/${accountId}/profile`, next)).status, 200);

    const [changed, ...earlier] = await steps.auditOf(accountId);
    assert.deepEqual(changed, { at: changed!.at, action: 'PROFILE_CHANGED', actor: 'ops-tester', before: first, after: next });
    assert.deepEqual(
      earlier.map((e) => e.action),
      ['KEY_ISSUED', 'ACCOUNT_CREATED'],
      'the same profile again is no change',
    );

    const invalid = await hub.ops('PUT', `/v1/accounts/${accountId}/profile`, { webhookUrl: 'https://vase.example/orders' });
    assert.equal(invalid.status, 400);
    const warehouse = await hub.ops('PUT', `/v1/accounts/${suzhou.accountId}/profile`, next);
    assert.equal(warehouse.status, 409);
    assert.equal(warehouse.body.error.code, 'NOT_A_SUPPLIER');
    assert.equal((await hub.ops('PUT', '/v1/accounts/supplier:nobody/profile', next)).body.error.code, 'UNKNOWN_ACCOUNT');
  });

  test("a supplier's payouts freeze and unfreeze, shown on the account and in its audit trail with the operator as actor", async () => {
    const { accountId } = await steps.createAccount('supplier', 'lamp-maker', 'Lamp Maker');
    const frozen = await steps.freeze(accountId, '3 late orders this week');
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    const payout = frozen.body.payout;
    assert.deepEqual(payout, { frozen: true, since: payout.since, by: 'ops-tester', reason: '3 late orders this week' });
    assert.ok(Date.now() - Date.parse(payout.since) < 60_000);
    assert.deepEqual((await hub.ops('GET', `/v1/accounts/${accountId}`)).body.payout, payout);
    assert.deepEqual((await hub.stores.accounts.supplierProfile('lamp-maker'))?.payout, payout, 'deliveries see the freeze');

    const again = await steps.freeze(accountId, 'another reason');
    assert.deepEqual(again.body.payout, payout, 'a second freeze keeps the first one in force');

    const unfrozen = await steps.unfreeze(accountId, 'settled with the supplier');
    assert.equal(unfrozen.status, 200, JSON.stringify(unfrozen.body));
    assert.deepEqual(unfrozen.body.payout, { frozen: false });
    assert.deepEqual((await steps.unfreeze(accountId)).body.payout, { frozen: false }, 'unfreezing again changes nothing');

    const trail = await steps.auditOf(accountId);
    assert.deepEqual(
      trail.map((e) => [e.action, e.actor]),
      [
        ['PAYOUT_UNFROZEN', 'ops-tester'],
        ['PAYOUT_FROZEN', 'ops-tester'],
        ['KEY_ISSUED', 'ops-tester'],
        ['ACCOUNT_CREATED', 'ops-tester'],
      ],
    );
    assert.deepEqual([trail[0]!.before, trail[0]!.after, trail[0]!.detail], [payout, { frozen: false }, 'settled with the supplier']);
    assert.deepEqual([trail[1]!.before, trail[1]!.after], [{ frozen: false }, payout]);
    assert.equal((await steps.freeze(accountId, '')).status, 400, 'a freeze needs its reason');
  });

  test('a warehouse partner is paid too and can be frozen (ES-4); a carrier is not a payee (409 NOT_A_PAYEE), an unknown account 404', async () => {
    const frozen = await steps.freeze(hefei.accountId, 'packed and not shipped for a day');
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    assert.equal(frozen.body.payout.frozen, true);
    assert.equal((await steps.unfreeze(hefei.accountId)).body.payout.frozen, false);
    const carrier = await steps.createAccount('carrier', 'STO', 'STO Express');
    for (const refused of [await steps.freeze(carrier.accountId, 'late'), await steps.unfreeze(carrier.accountId)]) {
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'NOT_A_PAYEE');
    }
    const unknown = await steps.freeze('supplier:nobody', 'x');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_ACCOUNT');
    assert.deepEqual((await steps.auditOf(hefei.accountId)).map((e) => e.action).slice(0, 2), ['PAYOUT_UNFROZEN', 'PAYOUT_FROZEN']);
    assert.deepEqual(
      (await steps.auditOf(carrier.accountId)).map((e) => e.action),
      ['KEY_ISSUED', 'ACCOUNT_CREATED'],
    );
  });

  test('the audit trail records creation and every key issued and revoked, newest first, in bounded pages', async () => {
    const first = await steps.createAccount('carrier', 'JTEX', 'J&T Express');
    const second = await steps.addKey(first.accountId, 'rotation');
    assert.equal((await steps.revoke(first)).status, 200);
    assert.equal((await steps.revoke(first)).status, 200);

    const trail = await steps.auditOf(first.accountId);
    assert.deepEqual(
      trail.map((e) => [e.action, e.keyId, e.actor]),
      [
        ['KEY_REVOKED', first.keyId, 'ops-tester'],
        ['KEY_ISSUED', second.keyId, 'ops-tester'],
        ['KEY_ISSUED', first.keyId, 'ops-tester'],
        ['ACCOUNT_CREATED', undefined, 'ops-tester'],
      ],
      'revoking twice is one revocation',
    );
    assert.deepEqual(trail[1]!.after, { label: 'rotation' });
    assert.deepEqual(trail[3]!.after, { kind: 'carrier', partyId: 'JTEX', name: 'J&T Express' });
    assert.doesNotMatch(JSON.stringify(trail), /ohk_/, 'never a key');

    const page = await hub.ops('GET', `/v1/accounts/${first.accountId}/audit?limit=2`);
    assert.deepEqual(
      page.body.entries.map((e: { action: string }) => e.action),
      ['KEY_REVOKED', 'KEY_ISSUED'],
    );
    assert.equal((await hub.ops('GET', `/v1/accounts/${first.accountId}/audit?limit=1000`)).status, 400);
    const unknown = await hub.ops('GET', '/v1/accounts/carrier:NOPE/audit');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_ACCOUNT');
  });
});
