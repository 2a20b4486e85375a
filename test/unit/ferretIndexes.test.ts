/** The GIN index plan for FerretDB on PostgreSQL: read from the mongoose schemas, named within PostgreSQL's limits, quoted. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Schema } from 'mongoose';
import { ginIndexName, ginIndexStatement, indexedFields } from '../../src/db/ferretIndexes';
import { stockEntrySchema } from '../../src/db/schemas/inventory';

describe('FerretDB GIN indexes', () => {
  test("a schema's indexed fields are _id and every field its indexes name, once each, without dotted paths", () => {
    const schema = new Schema({ a: String, b: String, c: { d: String }, e: { type: String, index: true } });
    schema.index({ a: 1, b: -1 });
    schema.index({ b: 1 }, { unique: true });
    schema.index({ 'c.d': 1 });
    assert.deepEqual(indexedFields(schema).sort(), ['_id', 'a', 'b', 'e']);
  });

  test('the ledger schema has its head and key fields indexed', () => {
    const fields = indexedFields(stockEntrySchema);
    for (const field of ['_id', 'sku', 'warehouseId']) assert.ok(fields.includes(field), field);
  });

  test('names fit in 63 bytes and stay distinct when shortened', () => {
    assert.equal(ginIndexName('stock_ledger_418ebfe7', 'sku'), 'stock_ledger_418ebfe7_sku_gin');
    const long = 'a_very_long_collection_name_that_fills_the_table_name_1234abcd';
    const one = ginIndexName(long, 'someLongFieldName');
    const other = ginIndexName(long, 'someLongFieldNameToo');
    assert.ok(Buffer.byteLength(one) <= 63 && Buffer.byteLength(other) <= 63);
    assert.notEqual(one, other);
    assert.match(one, /_gin$/);
  });

  test('the statement quotes the schema, table and field, and indexes the expression FerretDB filters on', () => {
    assert.equal(
      ginIndexStatement('it_db-1', 'orders_325e96ec', "o'brien"),
      'CREATE INDEX IF NOT EXISTS "orders_325e96ec_o\'brien_gin" ON "it_db-1"."orders_325e96ec" USING gin ((_jsonb -> \'o\'\'brien\'))',
    );
  });
});
