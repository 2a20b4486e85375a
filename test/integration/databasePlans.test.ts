/**
 * The order path's reads are index-served on the local database (FerretDB v1.24 on PostgreSQL), shown by FerretDB's
 * own explain, which returns PostgreSQL's plan. The collections that grow with orders — the stock ledger, the order
 * read model, the audit trail, the buyer rows, the returns — are grown tenfold, with statistics gathered as autovacuum
 * would, and no read the order path makes of them is a Seq Scan, nor any filter of the operations list of returns:
 * each is a Bitmap Index Scan of a GIN index made by src/db/ferretIndexes.ts (without those indexes every one of these
 * plans is a Seq Scan).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, escapeIdentifier } from 'pg';
import { connectDatabase, type Database } from '../../src/db/connection';
import { ensureFerretGinIndexes, ginPlanOf } from '../../src/db/ferretIndexes';
import { rmaNumber } from '../../src/domain/ids';
import type { ReturnReason, ReturnStatus } from '../../src/domain/returns';
import { makeOrder } from '../fixtures/orders';

const postgresqlUrl = process.env.FERRETDB_POSTGRESQL_URL;
const N = 400;
const SKUS = 40;
const WAREHOUSES = ['suzhou', 'hefei', 'hangzhou'];
const BUYERS = 97;
const AUDIT_PER_ORDER = 8;
const SETTINGS_KINDS = ['orderPolicy', 'routingRules', 'network'];
/** One order in five is drop-shipped, by one of this many suppliers, and still open for it. */
const SUPPLIERS = 13;
/** One order in four is returned (the seeds say 23.7%), by one of this many brands. */
const RETURN_EVERY = 4;
const RETURN_BRANDS = 23;
/**
 * How often each reason is given and each status held, in percent, most common first. A list filter that matches a
 * large share (size_fit, REFUNDED) is rightly read whole by PostgreSQL; the plans below ask for small shares, as an
 * operator working a queue (AWAITING_DECISION) or looking into a problem (wrong_item) does.
 */
const REASON_SHARES: ReadonlyArray<readonly [ReturnReason, number]> = [
  ['size_fit', 40],
  ['changed_mind', 20],
  ['quality', 15],
  ['not_as_described', 10],
  ['damaged', 8],
  ['wrong_item', 4],
  ['other', 3],
];
const STATUS_SHARES: ReadonlyArray<readonly [ReturnStatus, number]> = [
  ['REFUNDED', 45],
  ['COMPLETED', 15],
  ['REQUESTED', 8],
  ['IN_TRANSIT', 8],
  ['LABEL_ISSUED', 6],
  ['REFUNDING', 4],
  ['RECEIVED', 3],
  ['AWAITING_DECISION', 3],
  ['CANCELLED', 3],
  ['EXCHANGE_SHIPPING', 2],
  ['REJECTED', 2],
  ['INSPECTED', 1],
];

/** The value of the n-th item under percent shares, spread over the percentiles so the shares hold in any run. */
function spread<T>(shares: ReadonlyArray<readonly [T, number]>, n: number): T {
  let percentile = (n * 37) % 100;
  return shares.find(([, share]) => (percentile -= share) < 0)![0];
}

/** A PostgreSQL plan node as FerretDB's explain returns it (EXPLAIN (VERBOSE, FORMAT JSON)). */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
const describePlan = (node: PlanNode): string =>
  `${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}` +
  (node.Plans ? ` (${node.Plans.map(describePlan).join(', ')})` : '');

/** The plan of a read and whether FerretDB pushed its filter down to PostgreSQL. */
async function planOf(query: { explain(): PromiseLike<unknown> }): Promise<{ nodes: PlanNode[]; text: string; filterPushdown: boolean }> {
  const explained = (await query.explain()) as { queryPlanner?: { Plan?: PlanNode }; filterPushdown?: boolean };
  const root = explained.queryPlanner?.Plan;
  assert.ok(root, `FerretDB's explain carries no PostgreSQL plan: ${JSON.stringify(explained).slice(0, 500)}`);
  return { nodes: nodesOf(root), text: describePlan(root), filterPushdown: explained.filterPushdown === true };
}

describe(
  'database plans: the order path reads from indexes on FerretDB-on-PostgreSQL',
  { skip: !postgresqlUrl && 'FERRETDB_POSTGRESQL_URL is unset (not FerretDB on PostgreSQL)' },
  () => {
    let db: Database;
    let grown = 0;

    before(async () => {
      const url = new URL(process.env.MONGODB_URI!);
      url.pathname = `/it_plans_${process.pid}`;
      db = await connectDatabase(url.toString(), { ferretdbPostgresqlUrl: postgresqlUrl });
      // Settings grow with operators' edits, not with orders: a few versions of each kind.
      await db.models.SettingsVersion.insertMany(
        Array.from({ length: 30 }, (_, i) => ({
          kind: SETTINGS_KINDS[i % SETTINGS_KINDS.length],
          version: Math.floor(i / SETTINGS_KINDS.length) + 1,
          body: { n: i },
          actor: 'plans',
          at: new Date(),
        })),
      );
    });
    after(async () => {
      await db?.connection.dropDatabase().catch(() => undefined);
      await db?.close();
    });

    /** Grows the ledger, the read model (orders, audit trail, buyer rows) and the returns to `size` orders, then gathers statistics. */
    async function growTo(size: number): Promise<void> {
      const { StockEntry, Order, AuditEvent, BuyerOrder, Return } = db.models;
      const at = new Date('2026-11-24T08:00:00Z');
      const entries = [];
      const orders = [];
      const audit = [];
      const buyers = [];
      const returns = [];
      for (let i = grown; i < size; i += 1) {
        const orderId = `tmall-plan-${i}`;
        const sku = `SKU-${i % SKUS}`;
        const warehouseId = WAREHOUSES[Math.floor(i / SKUS) % WAREHOUSES.length]!;
        const seq = Math.floor(i / (SKUS * WAREHOUSES.length)) + 1;
        entries.push({
          _id: `reserve:plan-${i}`,
          sku,
          warehouseId,
          seq,
          pos: `${sku}@${warehouseId}#${seq}`,
          kind: 'reserve',
          quantity: 1,
          onHand: 1_000,
          reserved: seq,
          orderId,
          reservationKey: `plan-${i}`,
          at,
        });
        const buyerId = `buyer-${i % BUYERS}`;
        orders.push({
          _id: orderId,
          workflowId: `Order:${orderId}`,
          channel: 'tmall',
          channelOrderId: `plan-${i}`,
          brand: 'acme',
          buyerId,
          status: 'RESERVED',
          warehouseIds: [warehouseId],
          openSupplierIds: i % 5 === 0 ? [`supplier-${(i / 5) % SUPPLIERS}`] : [],
          orderedAt: at,
          version: 3,
          view: { orderId, status: 'RESERVED', order: makeOrder() },
          createdAt: at,
          updatedAt: at,
        });
        buyers.push({ _id: orderId, buyerId, orderedAt: at });
        if (i % RETURN_EVERY === 0) returns.push(returnRecord(orderId, i / RETURN_EVERY, at));
        for (let n = 1; n <= AUDIT_PER_ORDER; n += 1) {
          audit.push({ _id: `${orderId}:${n}`, orderId, seq: n, at, actor: { kind: 'system', id: 'plans' }, action: 'STATUS_CHANGED' });
        }
      }
      await StockEntry.insertMany(entries, { lean: true });
      await Order.insertMany(orders, { lean: true });
      await AuditEvent.insertMany(audit, { lean: true });
      await BuyerOrder.insertMany(buyers, { lean: true });
      await Return.insertMany(returns, { lean: true });
      grown = size;
      // What autovacuum does after such growth, done now so the plans do not depend on when it runs.
      const client = new Client({ connectionString: postgresqlUrl });
      await client.connect();
      try {
        const schema = db.connection.name;
        const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
        for (const { tablename } of rows) await client.query(`ANALYZE ${escapeIdentifier(schema)}.${escapeIdentifier(tablename)}`);
      } finally {
        await client.end();
      }
    }

    /** The n-th return: brands, statuses, reasons and SKUs spread so each list filter matches a share of them. */
    function returnRecord(orderId: string, n: number, at: Date) {
      const sku = `SKU-${n % SKUS}`;
      const requestedAt = new Date(at.getTime() + n * 60_000);
      const status = spread(STATUS_SHARES, n);
      const reason = spread(REASON_SHARES, n);
      const brand = `brand-${n % RETURN_BRANDS}`;
      const rma = rmaNumber(orderId, 'R1');
      const at1 = (minutes: number) => new Date(requestedAt.getTime() + minutes * 60_000).toISOString();
      // A view of a return's usual size (lines, photos, label, timeline, refund), so pages hold as many as they would.
      const view = {
        orderId,
        returnId: 'R1',
        rma,
        brand,
        channel: 'tmall',
        requestedBy: 'buyer',
        actor: 'buyer-7',
        requestedAt: at1(0),
        reason,
        note: 'the sleeves are shorter than the size chart says',
        outcome: 'refund',
        status,
        freeReturn: true,
        policyVersion: 3,
        photos: [1, 2, 3].map((p) => `https://img.example.com/returns/${orderId}/photo-${p}.jpg`),
        lines: [{ lineId: 'L1', sku, category: 'tshirt', quantity: 1, unitPrice: 9_900, refundableMinor: 9_405, shipmentId: 'S1' }],
        label: { carrier: 'SF', trackingNumber: `SF${1_000_000_000 + n}`, paidBy: 'brand', issuedAt: at1(1) },
        refund: { key: `refund:${orderId}:R1`, amountMinor: 9_405, state: 'pending' },
        timeline: ['REQUESTED', 'LABEL_ISSUED', 'IN_TRANSIT', 'RECEIVED'].map((s, k) => ({
          at: at1(k * 600),
          status: s,
          note: `moved to ${s}`,
        })),
        version: 2,
      };
      return {
        _id: `${orderId}:R1`,
        orderId,
        returnId: 'R1',
        rma,
        brand,
        channel: 'tmall',
        status,
        reason,
        skus: [sku],
        requestedAt,
        version: 2,
        view,
        createdAt: requestedAt,
        updatedAt: requestedAt,
      };
    }

    /**
     * The order path's reads of collections that grow with orders (see the owners in src/db), as FerretDB receives them.
     * Reads of collections bounded by the catalog, the network or operators' edits may scan and are not here: stock
     * items and warehouse days (by `_id`), settings (head by kind, then `{kind, version}`).
     * What an index cannot bound on FerretDB v1.24: a sort or a range. Sorts (other than `$natural`) and limits after a
     * filter are never pushed down — FerretDB fetches every match and sorts it itself — and neither are `$gt`/`$gte`/
     * `$lt`/`$in`; only equalities (and `$ne` on scalars) reach PostgreSQL. So a read like the ledger endpoint's
     * `{sku, warehouseId}` sorted by `seq` is index-served but costs every entry of that pair, which is why the order
     * path finds the ledger head by the stock item and the entry `pos` (equalities) instead.
     */
    function growingReads() {
      const { StockEntry, Order, AuditEvent, BuyerOrder, Return } = db.models;
      const others = { buyerId: 'buyer-7', _id: { $ne: 'tmall-plan-7' } };
      return {
        // stockLedger: the entry after a known head, by its position (headOf).
        'ledger entry by position': StockEntry.find({ pos: 'SKU-7@hefei#3' }, { seq: 1, onHand: 1, reserved: 1 }).limit(1),
        // stockLedger: an operation's entry by its key (append's exists for receipts and adjustments, appliedAdjustment).
        'ledger entry by _id': StockEntry.find({ _id: 'reserve:plan-123' }),
        // stockLedger: a reservation key's entries (keyState, reservationsOf).
        'ledger entries of a reservation key': StockEntry.find({ reservationKey: 'plan-123' }),
        // The ledger endpoint (not the order path): every entry of the pair through the indexes, sorted by FerretDB.
        'ledger of a SKU in a warehouse': StockEntry.find({ sku: 'SKU-7', warehouseId: 'hefei' }).sort({ seq: -1 }).limit(1),
        // orderReadModel: the mirror by _id, and its update guarded by version (the range is filtered after the index).
        'order by _id': Order.find({ _id: 'tmall-plan-42' }),
        'order by _id and older version': Order.find({ _id: 'tmall-plan-42', version: { $lt: 4 } }),
        // orderReadModel: an audit entry by _id (written once), and an order's trail.
        'audit entry by _id': AuditEvent.find({ _id: 'tmall-plan-42:3' }),
        'audit trail of an order': AuditEvent.find({ orderId: 'tmall-plan-42' }).sort({ seq: 1 }),
        // orderReadModel.openOrdersOfSupplier: the supplier API's list, by equality on an array (sorted in memory).
        'open orders of a supplier': Order.find({ openSupplierIds: 'supplier-3' }, { status: 1, orderedAt: 1, updatedAt: 1 }),
        // orderReadModel.buyerHistory (MR-3): the buyer's other orders through the buyer's index, sorted by FerretDB.
        'buyer orders, newest first': BuyerOrder.find(others, { _id: 0, orderedAt: 1 }).sort({ orderedAt: -1 }).limit(1000),
        'buyer row by _id': BuyerOrder.find({ _id: 'tmall-plan-42' }),
        // returns: the mirror by _id and its update guarded by version, an order's returns (RF-1), the receipt scan.
        'return by _id and older version': Return.find({ _id: 'tmall-plan-40:R1', version: { $lt: 3 } }),
        'returns of an order': Return.find({ orderId: 'tmall-plan-40' }),
        'return by RMA': Return.find({ rma: rmaNumber('tmall-plan-40', 'R1') }),
        // returns.list: every filter of the operations list is an equality on an indexed column; FerretDB sorts the matches.
        ...Object.fromEntries(
          (
            [
              ['status', { status: 'AWAITING_DECISION' }],
              ['reason', { reason: 'wrong_item' }],
              ['brand', { brand: 'brand-3' }],
              ['SKU', { skus: 'SKU-7' }],
              ['brand and status', { brand: 'brand-3', status: 'REFUNDING' }],
            ] as const
          ).map(([by, filter]) => [`returns by ${by}`, Return.find(filter, { view: 0 }).sort({ requestedAt: -1, _id: 1 }).limit(51)]),
        ),
        // returns.list, the next page: the cursor's range is filtered after the brand's index.
        'returns of a brand after a cursor': Return.find({
          brand: 'brand-3',
          $or: [
            { requestedAt: { $lt: new Date('2026-11-24T09:00:00Z') } },
            { requestedAt: new Date('2026-11-24T09:00:00Z'), _id: { $gt: 'tmall-plan-3' } },
          ],
        }).sort({ requestedAt: -1, _id: 1 }),
      };
    }

    test('the GIN indexes mirror the schemas: _id and every indexed field of every collection, made once', async () => {
      const schema = db.connection.name;
      const made = await ensureFerretGinIndexes(postgresqlUrl!, schema, ginPlanOf(db.models));
      // What PostgreSQL holds, per collection, read from its catalog and FerretDB's metadata.
      const client = new Client({ connectionString: postgresqlUrl });
      await client.connect();
      const { rows } = await client
        .query<{ collection: string; indexdef: string }>(
          `SELECT m._jsonb ->> '_id' AS collection, i.indexdef
             FROM ${escapeIdentifier(schema)}._ferretdb_database_metadata m
             JOIN pg_indexes i ON i.schemaname = $1 AND i.tablename = m._jsonb ->> 'table'
            WHERE i.indexdef LIKE '%USING gin%'`,
          [schema],
        )
        .finally(() => client.end());
      const held = (collection: string) =>
        rows
          .filter((r) => r.collection === collection)
          .map((r) => /USING gin \(+_jsonb -> '([^']+)'::text\)+/.exec(r.indexdef)?.[1])
          .sort();
      for (const model of Object.values(db.models)) {
        const declared = new Set(['_id', ...model.schema.indexes().flatMap(([keys]) => Object.keys(keys))]);
        assert.deepEqual(held(model.collection.collectionName), [...declared].sort(), model.collection.collectionName);
      }
      assert.ok(held('orders').includes('buyerId') && held('audit_events').includes('orderId'));
      assert.equal(made.length, rows.length);
      // Idempotent: a second process starting finds them all and adds nothing.
      assert.deepEqual(await ensureFerretGinIndexes(postgresqlUrl!, schema, ginPlanOf(db.models)), made);
    });

    for (const size of [N, 10 * N]) {
      test(`${size} orders (${size} ledger entries, ${size * AUDIT_PER_ORDER} audit entries): every order-path read of them is an index scan`, async (t) => {
        await growTo(size);
        const scans: string[] = [];
        for (const [read, query] of Object.entries(growingReads())) {
          const { nodes, text, filterPushdown } = await planOf(query);
          t.diagnostic(`${read}: ${text}`);
          const indexed = nodes.some((n) => /Index Scan/.test(n['Node Type']) && n['Index Name']?.endsWith('_gin'));
          if (!filterPushdown || !indexed || nodes.some((n) => n['Node Type'] === 'Seq Scan')) scans.push(`${read}: ${text}`);
        }
        assert.deepEqual(scans, [], 'order-path reads that scan a growing collection');
      });
    }
  },
);
