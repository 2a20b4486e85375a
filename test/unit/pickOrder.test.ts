/** FS-1: pick lists follow the warehouse's walking order, zone by zone, so pickers never double back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickOrder } from '../../src/activities/warehouse';

const line = (sku: string) => ({ lineId: sku, sku, quantity: 1 });

test('lines are sorted by the configured zone order, then SKU, and carry their zone', () => {
  const zones = [
    { zone: 'A', skuPrefixes: ['MUG-'] },
    { zone: 'B', skuPrefixes: ['TEE-', 'CAP-'] },
  ];
  assert.deepEqual(
    pickOrder([line('TEE-2'), line('SOFA-1'), line('CAP-1'), line('MUG-9'), line('TEE-1')], { pickZones: zones }).map(
      (l) => `${l.zone ?? '-'}:${l.sku}`,
    ),
    ['A:MUG-9', 'B:CAP-1', 'B:TEE-1', 'B:TEE-2', '-:SOFA-1'],
  );
});

test('a warehouse without zones gets its lines by SKU, unzoned', () => {
  assert.deepEqual(
    pickOrder([line('B'), line('A')], undefined).map((l) => [l.sku, l.zone]),
    [
      ['A', undefined],
      ['B', undefined],
    ],
  );
});

test('the first zone whose prefix matches wins, so overlapping prefixes are resolved by walking order', () => {
  const zones = [
    { zone: 'FRONT', skuPrefixes: ['TEE-RED'] },
    { zone: 'BACK', skuPrefixes: ['TEE-'] },
  ];
  assert.deepEqual(
    pickOrder([line('TEE-BLUE'), line('TEE-RED-1')], { pickZones: zones }).map((l) => l.zone),
    ['FRONT', 'BACK'],
  );
});
