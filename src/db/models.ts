/** Registers every model on a connection. */
import type { Connection } from 'mongoose';
import { auditEventSchema, buyerOrderSchema, orderRecordSchema } from './order';
import { outboxMessageSchema } from './outbox';
import { stockEntrySchema, stockItemSchema } from './inventory';
import { settingsVersionSchema } from './settings';

/** Builds the models of one connection. */
export function registerModels(connection: Connection) {
  return {
    Order: connection.model('Order', orderRecordSchema),
    AuditEvent: connection.model('AuditEvent', auditEventSchema),
    BuyerOrder: connection.model('BuyerOrder', buyerOrderSchema),
    OutboxMessage: connection.model('OutboxMessage', outboxMessageSchema),
    StockEntry: connection.model('StockEntry', stockEntrySchema),
    StockItem: connection.model('StockItem', stockItemSchema),
    SettingsVersion: connection.model('SettingsVersion', settingsVersionSchema),
  };
}

/** The models of one connection. */
export type Models = ReturnType<typeof registerModels>;
