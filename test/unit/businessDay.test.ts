/** Daily warehouse capacity counts business days in the network's time zone, not UTC days (IN-3). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { businessDayOf, businessDayStart } from '../../src/domain/routing/businessDay';

test('at 07:30 in Shanghai the business day began at 16:00 UTC the day before', () => {
  assert.equal(businessDayStart(new Date('2026-11-24T23:30:00Z'), '+08:00').toISOString(), '2026-11-24T16:00:00.000Z');
  assert.equal(businessDayStart(new Date('2026-11-24T15:59:59Z'), '+08:00').toISOString(), '2026-11-23T16:00:00.000Z');
});

test('negative offsets and UTC work the same way', () => {
  assert.equal(businessDayStart(new Date('2026-11-24T03:00:00Z'), '-05:00').toISOString(), '2026-11-23T05:00:00.000Z');
  assert.equal(businessDayStart(new Date('2026-11-24T03:00:00Z'), '+00:00').toISOString(), '2026-11-24T00:00:00.000Z');
});

test('the business day key is the local date: 07:30 in Shanghai on the 25th is the 25th, 23:30 UTC on the 24th', () => {
  assert.equal(businessDayOf(new Date('2026-11-24T23:30:00Z'), '+08:00'), '2026-11-25');
  assert.equal(businessDayOf(new Date('2026-11-24T15:59:59Z'), '+08:00'), '2026-11-24');
  assert.equal(businessDayOf(new Date('2026-11-24T03:00:00Z'), '-05:00'), '2026-11-23');
});
