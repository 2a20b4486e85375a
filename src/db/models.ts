/** Registers every model on a connection; only the owners in src/db use them. */
import type { Connection } from 'mongoose';
import { accountAuditSchema, accountKeySchema, accountSchema } from './schemas/accounts';
import { deliverySchema } from './schemas/deliveries';
import { warehouseDayOrderSchema, warehouseDaySchema } from './schemas/capacity';
import { stockEntrySchema, stockItemSchema } from './schemas/inventory';
import { auditEventSchema, buyerOrderSchema, orderRecordSchema } from './schemas/order';
import { returnRecordSchema } from './schemas/returns';
import { settingsVersionSchema } from './schemas/settings';

/** Builds the models of one connection. */
export function registerModels(connection: Connection) {
  return {
    Order: connection.model('Order', orderRecordSchema),
    AuditEvent: connection.model('AuditEvent', auditEventSchema),
    BuyerOrder: connection.model('BuyerOrder', buyerOrderSchema),
    Delivery: connection.model('Delivery', deliverySchema),
    StockEntry: connection.model('StockEntry', stockEntrySchema),
    StockItem: connection.model('StockItem', stockItemSchema),
    SettingsVersion: connection.model('SettingsVersion', settingsVersionSchema),
    WarehouseDay: connection.model('WarehouseDay', warehouseDaySchema),
    WarehouseDayOrder: connection.model('WarehouseDayOrder', warehouseDayOrderSchema),
    Account: connection.model('Account', accountSchema),
    AccountKey: connection.model('AccountKey', accountKeySchema),
    AccountAudit: connection.model('AccountAudit', accountAuditSchema),
    Return: connection.model('Return', returnRecordSchema),
  };
}

/** The models of one connection. */
export type Models = ReturnType<typeof registerModels>;
