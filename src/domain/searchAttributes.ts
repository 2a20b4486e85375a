/** Custom search attributes that make the Temporal Web UI the operations console (OP-1). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Lifecycle status of the order, e.g. ON_HOLD. */
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** Sales channel the order came from. */
export const ChannelKey = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
/** Brand that owns the order. */
export const BrandKey = defineSearchAttributeKey('Brand', SearchAttributeType.KEYWORD);
/** Warehouses that ship part of the order. */
export const WarehouseIdKey = defineSearchAttributeKey('WarehouseId', SearchAttributeType.KEYWORD_LIST);
/** Drop-ship suppliers that ship part of the order. */
export const SupplierIdKey = defineSearchAttributeKey('SupplierId', SearchAttributeType.KEYWORD_LIST);
/** Why the order is on hold, empty when it is not. */
export const HoldReasonKey = defineSearchAttributeKey('HoldReason', SearchAttributeType.KEYWORD);
/** Stuck-order escalation level, 0 when not escalated (ES-1…ES-4). */
export const EscalationLevelKey = defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT);
/** True when a person must act on the order. */
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);
/** When the order entered the state it is waiting in. */
export const WaitingSinceKey = defineSearchAttributeKey('WaitingSince', SearchAttributeType.DATETIME);

/** Where a return stands (its workflow's ReturnStatus: REQUESTED … REFUNDED, COMPLETED). */
export const ReturnStatusKey = defineSearchAttributeKey('ReturnStatus', SearchAttributeType.KEYWORD);
/** Why the customer sent it back (size_fit, damaged, …). */
export const ReturnReasonKey = defineSearchAttributeKey('ReturnReason', SearchAttributeType.KEYWORD);

/** Every custom search attribute, for registration with the server. */
export const orderSearchAttributes = [
  OrderStatusKey,
  ChannelKey,
  BrandKey,
  WarehouseIdKey,
  SupplierIdKey,
  HoldReasonKey,
  EscalationLevelKey,
  NeedsAttentionKey,
  WaitingSinceKey,
  ReturnStatusKey,
  ReturnReasonKey,
] as const;
