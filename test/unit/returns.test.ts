/** Returns, pure (RF-1, RF-3): the automatic check of a request against its order, the return policy, and the refund. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rmaNumber } from '../../src/domain/ids';
import type { ShipmentState } from '../../src/domain/orderView';
import {
  defaultReturnPolicy,
  isReturnable,
  resolveReturnPolicy,
  returnPolicySchema,
  returnSettingsSchema,
  type ReturnPolicy,
} from '../../src/domain/returnPolicy';
import {
  checkInspection,
  paidShareByLine,
  refundAmountOf,
  resellableUnitsOf,
  sentBackUnitsOf,
  returnRequestSchema,
  validateReturnRequest,
  type EarlierReturn,
  type InspectionReport,
  type ReturnCheck,
  type ReturnLine,
} from '../../src/domain/returns';
import { makeOrder, paid, toCanonical } from '../fixtures/orders';

const DAY = 24 * 3600;
const DELIVERED_AT = '2026-11-26T10:00:00+08:00';

/**
 * Two tees at 100.00, one underwear at 50.00 and three mugs at 33.33 (goods 349.99), 10.00 shipping, 30.00 off:
 * 329.99 paid, of which 319.99 for the goods. Tees and underwear in one parcel, the mugs in another.
 */
const order = toCanonical(
  paid(
    makeOrder({
      lines: [
        { lineId: 'L1', sku: 'TEE-001', category: 'tshirt', quantity: 2, unitPrice: 100, listPrice: 100 },
        { lineId: 'L2', sku: 'UW-204', category: 'Underwear', quantity: 1, unitPrice: 50, listPrice: 50 },
        { lineId: 'L3', sku: 'MUG-9', category: 'kitchen', quantity: 3, unitPrice: 33.33, listPrice: 33.33 },
      ],
      amounts: { goods: 349.99, shipping: 10, discount: 30, paid: 329.99 },
    }),
  ),
);

const parcel = (shipmentId: string, lineIds: string[], extra: Partial<ShipmentState> = {}): ShipmentState => ({
  shipmentId,
  kind: 'warehouse',
  locationId: 'suzhou',
  lineIds,
  promisedDeliveryDays: 1,
  step: 'delivered',
  writtenBack: true,
  shippedAt: '2026-11-25T09:00:00+08:00',
  deliveredAt: DELIVERED_AT,
  ...extra,
});

const deliveredView: ReturnCheck['view'] = {
  order,
  shipments: [parcel('S1', ['L1', 'L2']), parcel('S2', ['L3'])],
  timeline: [{ at: DELIVERED_AT, status: 'DELIVERED', note: 'delivered' }],
};

/** A request as a channel would send it. */
const request = (returnId: string, lines: Array<{ lineId: string; quantity: number }>, extra: Record<string, unknown> = {}) =>
  returnRequestSchema.parse({ returnId, lines, reason: 'size_fit', requestedBy: 'buyer', actor: 'buyer-1', ...extra });

/** The check of a request on the delivered order, three days after delivery, under a 7-day window. */
const check = (overrides: Partial<ReturnCheck> = {}): ReturnCheck => ({
  view: deliveredView,
  earlier: [],
  policy: defaultReturnPolicy,
  returnWindowSeconds: 7 * DAY,
  now: '2026-11-29T10:00:00+08:00',
  ...overrides,
});

const accepted = (result: ReturnType<typeof validateReturnRequest>): ReturnLine[] => {
  assert.ok(result.ok, result.ok ? '' : `${result.code}: ${result.message}`);
  return result.lines;
};

const earlier = (returnId: string, status: EarlierReturn['status'], lines: EarlierReturn['lines']): EarlierReturn => ({
  returnId,
  status,
  lines,
});

describe('the automatic check of a return request (RF-1)', () => {
  test('a return inside the window is accepted with its lines priced at what the customer paid for them', () => {
    const lines = accepted(validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }]), check()));
    assert.deepEqual(
      lines.map((l) => [l.lineId, l.sku, l.quantity, l.unitPrice, l.refundableMinor, l.shipmentId, l.deliveredAt]),
      [['L1', 'TEE-001', 1, 10_000, 9_143, 'S1', DELIVERED_AT]],
    );
  });

  test('a return after the window closed is refused with RETURN_WINDOW_CLOSED', () => {
    const result = validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }]), check({ now: '2026-12-03T10:00:01+08:00' }));
    assert.deepEqual(result.ok ? undefined : result.code, 'RETURN_WINDOW_CLOSED');
  });

  test('the window counts from the delivery of the parcel that brought the line', () => {
    const view = {
      ...deliveredView,
      shipments: [parcel('S1', ['L1', 'L2']), parcel('S2', ['L3'], { deliveredAt: '2026-11-30T10:00:00+08:00' })],
    };
    const late = check({ view, now: '2026-12-05T10:00:00+08:00' });
    assert.equal(validateReturnRequest(request('R1', [{ lineId: 'L3', quantity: 1 }]), late).ok, true);
    const tee = validateReturnRequest(request('R2', [{ lineId: 'L1', quantity: 1 }]), late);
    assert.equal(tee.ok ? undefined : tee.code, 'RETURN_WINDOW_CLOSED');
  });

  test("a parcel without its own delivery time counts from the order's delivery", () => {
    const view = { ...deliveredView, shipments: [parcel('S1', ['L1', 'L2'], { deliveredAt: undefined }), parcel('S2', ['L3'])] };
    assert.equal(
      accepted(validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }]), check({ view })))[0]!.deliveredAt,
      DELIVERED_AT,
    );
  });

  test('a line not yet delivered is refused with NOT_DELIVERED', () => {
    const view = {
      ...deliveredView,
      shipments: [parcel('S1', ['L1', 'L2']), parcel('S2', ['L3'], { step: 'shipped', deliveredAt: undefined })],
      timeline: [],
    };
    const result = validateReturnRequest(request('R1', [{ lineId: 'L3', quantity: 1 }]), check({ view }));
    assert.equal(result.ok ? undefined : result.code, 'NOT_DELIVERED');
  });

  test("a SKU prefix the brand excludes is refused with NOT_RETURNABLE, and other brands' items are not affected", () => {
    const settings = returnSettingsSchema.parse({
      base: {},
      overrides: [{ id: 'acme-custom', brand: 'acme', settings: { notReturnable: [{ skuPrefix: 'tee-', note: 'printed to order' }] } }],
    });
    const acme = resolveReturnPolicy(settings, 'acme', 3);
    assert.deepEqual(acme.appliedOverrides, ['acme-custom']);
    const result = validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }]), check({ policy: acme.policy }));
    assert.deepEqual(result.ok ? undefined : [result.code, result.message], [
      'NOT_RETURNABLE',
      'TEE-001 (tshirt) cannot be returned: printed to order',
    ]);
    const other = resolveReturnPolicy(settings, 'globex', 3).policy;
    assert.equal(validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }]), check({ policy: other })).ok, true);
  });

  test('a category the brand excludes is refused with NOT_RETURNABLE, whatever its case in the catalog', () => {
    const policy = returnPolicySchema.parse({ notReturnable: [{ category: 'underwear' }] });
    const result = validateReturnRequest(request('R1', [{ lineId: 'L2', quantity: 1 }]), check({ policy }));
    assert.equal(result.ok ? undefined : result.code, 'NOT_RETURNABLE');
    assert.equal(isReturnable('UW-204', 'Underwear', policy), false);
    assert.equal(isReturnable('TEE-001', 'tshirt', policy), true);
  });

  test('more units than were shipped is refused with RETURN_QUANTITY_EXCEEDED', () => {
    const result = validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 3 }]), check());
    assert.equal(result.ok ? undefined : result.code, 'RETURN_QUANTITY_EXCEEDED');
  });

  test('units in an earlier return are not returnable again; rejected and cancelled returns give theirs back', () => {
    const first = earlier('R1', 'RECEIVED', [{ lineId: 'L3', quantity: 2 }]);
    const result = validateReturnRequest(request('R2', [{ lineId: 'L3', quantity: 2 }]), check({ earlier: [first] }));
    assert.deepEqual(result.ok ? undefined : [result.code, result.message], [
      'RETURN_QUANTITY_EXCEEDED',
      'line L3: 2 asked, 1 may be returned (3 shipped, 2 already returned)',
    ]);
    const withdrawn = [
      earlier('R1', 'CANCELLED', [{ lineId: 'L3', quantity: 2 }]),
      earlier('R0', 'REJECTED', [{ lineId: 'L3', quantity: 1 }]),
    ];
    assert.equal(validateReturnRequest(request('R2', [{ lineId: 'L3', quantity: 3 }]), check({ earlier: withdrawn })).ok, true);
  });

  test('a partial return of a multi-line order prices only the lines and units sent back', () => {
    const lines = accepted(
      validateReturnRequest(
        request('R1', [
          { lineId: 'L3', quantity: 1 },
          { lineId: 'L2', quantity: 1 },
        ]),
        check(),
      ),
    );
    assert.deepEqual(
      lines.map((l) => [l.lineId, l.quantity, l.refundableMinor, l.shipmentId]),
      [
        ['L3', 1, 3_047, 'S2'],
        ['L2', 1, 4_571, 'S1'],
      ],
    );
  });

  test("two returns of one line together refund exactly the line's paid share", () => {
    const first = accepted(validateReturnRequest(request('R1', [{ lineId: 'L3', quantity: 2 }]), check()));
    const second = accepted(
      validateReturnRequest(request('R2', [{ lineId: 'L3', quantity: 1 }]), check({ earlier: [earlier('R1', 'REFUNDED', first)] })),
    );
    assert.equal(first[0]!.refundableMinor + second[0]!.refundableMinor, paidShareByLine(order).get('L3'));
  });

  test('the same return id twice is refused with DUPLICATE_RETURN, a line the order lacks with UNKNOWN_LINE', () => {
    const again = validateReturnRequest(
      request('R1', [{ lineId: 'L1', quantity: 1 }]),
      check({ earlier: [earlier('R1', 'CANCELLED', [])] }),
    );
    assert.equal(again.ok ? undefined : again.code, 'DUPLICATE_RETURN');
    const unknown = validateReturnRequest(request('R2', [{ lineId: 'L9', quantity: 1 }]), check());
    assert.equal(unknown.ok ? undefined : unknown.code, 'UNKNOWN_LINE');
  });

  test('an exchange at a brand that only refunds is refused with EXCHANGE_NOT_ALLOWED', () => {
    const policy: ReturnPolicy = { ...defaultReturnPolicy, exchangeAllowed: false };
    const result = validateReturnRequest(request('R1', [{ lineId: 'L1', quantity: 1 }], { outcome: 'exchange' }), check({ policy }));
    assert.equal(result.ok ? undefined : result.code, 'EXCHANGE_NOT_ALLOWED');
  });
});

describe('the return request', () => {
  test('photos are https URLs or media references, at most nine', () => {
    const photos = (list: string[]) =>
      returnRequestSchema.safeParse({ ...request('R1', [{ lineId: 'L1', quantity: 1 }]), photos: list }).success;
    assert.equal(photos(['https://img.example.com/r1/1.jpg', 'oss/returns/r1-2.jpg']), true);
    assert.equal(photos(['http://img.example.com/1.jpg']), false);
    assert.equal(photos(['javascript:alert(1)']), false);
    assert.equal(photos(Array.from({ length: 10 }, (_, i) => `media-${i}`)), false);
  });

  test('the reason "other" needs a note, and a line is named once', () => {
    const paths = (input: Record<string, unknown>) =>
      returnRequestSchema
        .safeParse({
          returnId: 'R1',
          reason: 'size_fit',
          requestedBy: 'buyer',
          actor: 'b',
          lines: [{ lineId: 'L1', quantity: 1 }],
          ...input,
        })
        .error?.issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths({ reason: 'other' }), ['note']);
    assert.equal(paths({ reason: 'other', note: 'arrived a week late' }), undefined);
    assert.deepEqual(
      paths({
        lines: [
          { lineId: 'L1', quantity: 1 },
          { lineId: 'L1', quantity: 1 },
        ],
      }),
      ['lines.1.lineId'],
    );
  });

  test('the RMA number is the same for the same return, different for another, and only letters and digits', () => {
    assert.equal(rmaNumber('tmall-123', 'R1'), rmaNumber('tmall-123', 'R1'));
    assert.notEqual(rmaNumber('tmall-123', 'R1'), rmaNumber('tmall-123', 'R2'));
    assert.notEqual(rmaNumber('tmall-123', 'R1'), rmaNumber('tmall-124', 'R1'));
    assert.match(rmaNumber('tmall-123', 'R1'), /^RMA-[0-9A-HJKMNP-TV-Z]{12}$/);
  });
});

describe('the return policy', () => {
  test('with nothing configured everything is returnable, the customer pays the label, refunds are full and alert after a day', () => {
    assert.deepEqual(defaultReturnPolicy, {
      notReturnable: [],
      freeReturn: false,
      lightWearDeductionPercent: 0,
      refundSettlementAlertSeconds: DAY,
      exchangeAllowed: true,
    });
  });

  test('a rule names a SKU prefix or a category, not both and not neither; a misspelt setting is refused', () => {
    const paths = (input: unknown) => returnPolicySchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths({ notReturnable: [{ skuPrefix: 'UW-', category: 'underwear' }, {}] }), [
      'notReturnable.0.skuPrefix',
      'notReturnable.1.skuPrefix',
    ]);
    assert.equal(returnPolicySchema.safeParse({ freeReturns: true }).success, false);
  });

  test('a brand override changes only what it names, durations as written are stored as seconds', () => {
    const settings = returnSettingsSchema.parse({
      base: { notReturnable: [{ category: 'underwear' }] },
      overrides: [{ id: 'acme', brand: 'acme', settings: { freeReturn: true, refundSettlementAlertSeconds: '2d' } }],
    });
    const { policy } = resolveReturnPolicy(settings, 'acme', 1);
    assert.deepEqual(
      [policy.freeReturn, policy.refundSettlementAlertSeconds, policy.notReturnable],
      [true, 2 * DAY, [{ category: 'underwear' }]],
    );
    assert.deepEqual(returnSettingsSchema.parse(settings), settings, 'the stored form reads back the same');
  });
});

describe('inspection and refund (RF-3)', () => {
  const lines = accepted(
    validateReturnRequest(
      request('R1', [
        { lineId: 'L3', quantity: 3 },
        { lineId: 'L1', quantity: 2 },
      ]),
      check(),
    ),
  );
  const report = (graded: InspectionReport['lines']): InspectionReport => ({
    lines: graded,
    inspector: 'qc-7',
    at: '2026-12-01T10:00:00+08:00',
  });

  test('intact units refund in full: the paid share, after the order discount, not the list price', () => {
    const refund = refundAmountOf(
      lines,
      report([
        { lineId: 'L3', quantity: 3, condition: 'intact' },
        { lineId: 'L1', quantity: 2, condition: 'intact' },
      ]),
      defaultReturnPolicy,
    );
    assert.deepEqual([refund.amountMinor, refund.awaitingDecision], [9_142 + 18_286, false]);
  });

  test("light wear refunds less the brand's deduction, rounded in the customer's favour", () => {
    const refund = refundAmountOf(
      lines,
      report([
        { lineId: 'L3', quantity: 1, condition: 'light_wear', note: 'box dented' },
        { lineId: 'L3', quantity: 2, condition: 'intact' },
        { lineId: 'L1', quantity: 2, condition: 'intact' },
      ]),
      { lightWearDeductionPercent: 15 },
    );
    assert.deepEqual(
      refund.lines.map((l) => [l.condition, l.fullMinor, l.deductionMinor, l.amountMinor]),
      [
        ['light_wear', 3_047, 457, 2_590],
        ['intact', 6_095, 0, 6_095],
        ['intact', 18_286, 0, 18_286],
      ],
    );
    assert.equal(refund.amountMinor, 2_590 + 6_095 + 18_286);
  });

  test('not-resellable units refund nothing until operations decide, then the decided share', () => {
    const graded = report([
      { lineId: 'L3', quantity: 3, condition: 'intact' },
      { lineId: 'L1', quantity: 1, condition: 'intact' },
      { lineId: 'L1', quantity: 1, condition: 'not_resellable', note: 'stained' },
    ]);
    const waiting = refundAmountOf(lines, graded, defaultReturnPolicy);
    assert.deepEqual([waiting.awaitingDecision, waiting.amountMinor], [true, 9_142 + 9_143]);
    const decision = { lines: [{ lineId: 'L1', refundPercent: 50 }], by: 'ops-1', at: '2026-12-01T12:00:00+08:00' };
    const decided = refundAmountOf(lines, graded, defaultReturnPolicy, decision);
    assert.deepEqual([decided.awaitingDecision, decided.amountMinor], [false, 9_142 + 9_143 + 4_572]);
    assert.deepEqual(sentBackUnitsOf(lines, graded, decision), [], 'a partial refund keeps the unit');
    const nothing = { ...decision, lines: [{ lineId: 'L1', refundPercent: 0 }] };
    assert.equal(refundAmountOf(lines, graded, defaultReturnPolicy, nothing).amountMinor, 9_142 + 9_143);
    assert.deepEqual(
      sentBackUnitsOf(lines, graded, nothing),
      [{ lineId: 'L1', sku: 'TEE-001', quantity: 1 }],
      'refunded nothing: sent back',
    );
    assert.deepEqual(sentBackUnitsOf(lines, graded, undefined), [], 'nothing is sent back before a decision');
  });

  test('an inspection must grade every returned unit once; resellable units go back to stock', () => {
    const short = checkInspection(lines, report([{ lineId: 'L3', quantity: 3, condition: 'intact' }]));
    assert.equal(short.ok ? undefined : short.code, 'INSPECTION_MISMATCH');
    const stray = checkInspection(lines, report([{ lineId: 'L2', quantity: 1, condition: 'intact' }]));
    assert.equal(stray.ok ? undefined : stray.code, 'INSPECTION_MISMATCH');
    const graded = report([
      { lineId: 'L3', quantity: 2, condition: 'light_wear' },
      { lineId: 'L3', quantity: 1, condition: 'not_resellable' },
      { lineId: 'L1', quantity: 2, condition: 'intact' },
    ]);
    assert.equal(checkInspection(lines, graded).ok, true);
    assert.deepEqual(resellableUnitsOf(lines, graded), [
      { lineId: 'L3', sku: 'MUG-9', quantity: 2 },
      { lineId: 'L1', sku: 'TEE-001', quantity: 2 },
    ]);
  });

  test("the order's paid goods are spread over its lines exactly, by their value", () => {
    const shares = paidShareByLine(order);
    assert.deepEqual(
      [...shares],
      [
        ['L1', 18_286],
        ['L2', 4_571],
        ['L3', 9_142],
      ],
    );
    assert.equal(
      [...shares.values()].reduce((a, b) => a + b, 0),
      order.amounts.paid - order.amounts.shipping,
    );
  });
});
