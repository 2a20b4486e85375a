/** Example rule sets and a warehouse network, written exactly as the seeds state them (RT-1, RT-2, RT-4). */
import { routingRuleSetSchema, type RoutingRuleSet } from './rules';
import { regionPrioritySchema, warehouseSchema, type RegionPriority, type Warehouse } from './warehouses';

/** The four RT-2 seed rules; parsed at load, so an example that stops validating fails loudly. */
export const rt2ExampleRuleSet: RoutingRuleSet = routingRuleSetSchema.parse({
  id: 'rt2-examples',
  version: 1,
  rules: [
    {
      id: 'douyin-onesie-hangzhou',
      name: 'channel = Douyin AND category = onesie ⇒ Hangzhou',
      priority: 10,
      enabled: true,
      when: {
        all: [
          { field: 'channel', op: 'eq', value: 'douyin' },
          { field: 'category', op: 'eq', value: 'onesie' },
        ],
      },
      then: [{ type: 'preferWarehouses', warehouseIds: ['hangzhou'] }],
    },
    {
      // "Ordered" is the payment time here: the cut-off is a paid-by promise, stated with its offset (IN-3).
      id: 'miniprogram-vip-expedite',
      name: 'channel = mini-program AND paid AND ordered before 2026-02-03 12:00 (UTC+8) ⇒ VIP expedite',
      priority: 20,
      enabled: true,
      when: {
        all: [
          { field: 'channel', op: 'eq', value: 'miniprogram' },
          { field: 'paymentStatus', op: 'eq', value: 'paid' },
          { field: 'paidAt', op: 'lt', value: '2026-02-03T12:00:00+08:00' },
        ],
      },
      then: [
        { type: 'setQueue', queue: 'expedite' },
        { type: 'setPriority', priority: 1 },
      ],
    },
    {
      id: 'fj-quick-response',
      name: 'style starts with FJ AND due ≤ 3 days ⇒ quick-response line, flagged red',
      priority: 30,
      enabled: true,
      when: {
        all: [
          { field: 'sku', op: 'startsWith', value: 'FJ' },
          { field: 'dueInDays', op: 'lte', value: 3 },
        ],
      },
      then: [
        { type: 'setQueue', queue: 'quick-response' },
        { type: 'flag', color: 'red', note: 'FJ style due within 3 days' },
      ],
    },
    {
      id: 'bom-check-5-sizes',
      name: '≥ 5 size combinations ⇒ BOM check',
      priority: 40,
      enabled: true,
      when: { field: 'sizeCombinationCount', op: 'gte', value: 5 },
      then: [{ type: 'setQueue', queue: 'bom-check' }],
    },
  ],
});

/** A drop-ship example: gift boxes go to their supplier, everything else to warehouses (DS-1). */
export const dropShipExampleRuleSet: RoutingRuleSet = routingRuleSetSchema.parse({
  id: 'drop-ship-examples',
  version: 1,
  rules: [
    {
      id: 'gift-box-supplier',
      name: 'gift boxes are drop-shipped by the Hangzhou box maker',
      priority: 10,
      when: { field: 'category', op: 'eq', value: 'gift-box' },
      then: [{ type: 'assignSupplier', supplierId: 'sup-hz-box', lines: { category: 'gift-box' } }],
    },
  ],
});

/** The demo network: East China ships from Suzhou, then Hefei (RT-1), with a temporary overflow warehouse (RT-4). */
export const exampleWarehouses: Warehouse[] = [
  { id: 'suzhou', name: 'Suzhou', regions: ['east'], dailyCapacity: 20_000, deliveryDays: { east: 1, central: 2 }, defaultDeliveryDays: 3 },
  {
    id: 'hefei',
    name: 'Hefei',
    regions: ['east', 'central'],
    dailyCapacity: 12_000,
    deliveryDays: { east: 2, central: 1 },
    defaultDeliveryDays: 3,
  },
  {
    id: 'hangzhou',
    name: 'Hangzhou',
    regions: ['east'],
    dailyCapacity: 8_000,
    deliveryDays: { east: 1, north: 3 },
    defaultDeliveryDays: 3,
  },
  {
    id: 'beijing',
    name: 'Beijing',
    regions: ['north', 'northeast'],
    dailyCapacity: 15_000,
    deliveryDays: { north: 1, northeast: 2 },
    defaultDeliveryDays: 3,
  },
  {
    id: 'guangzhou',
    name: 'Guangzhou',
    regions: ['south', 'southwest'],
    dailyCapacity: 15_000,
    deliveryDays: { south: 1, southwest: 2 },
    defaultDeliveryDays: 4,
  },
  {
    id: 'kunshan-temp',
    name: 'Kunshan (temporary)',
    regions: ['east'],
    kind: 'temporary',
    dailyCapacity: 5_000,
    deliveryDays: { east: 2 },
    defaultDeliveryDays: 4,
  },
].map((warehouse) => warehouseSchema.parse(warehouse));

/** The demo region priority matrix; the fallback row serves regions without a row of their own. */
export const exampleRegionPriority: RegionPriority = regionPrioritySchema.parse({
  byRegion: {
    east: ['suzhou', 'hefei', 'hangzhou'],
    central: ['hefei', 'suzhou'],
    north: ['beijing', 'suzhou'],
    northeast: ['beijing'],
    south: ['guangzhou', 'hefei'],
    southwest: ['guangzhou'],
  },
  fallback: ['suzhou', 'beijing', 'guangzhou'],
});
