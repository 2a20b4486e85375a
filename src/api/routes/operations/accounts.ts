/**
 * Operations: the accounts of warehouses (WMS), carriers and drop-ship suppliers, and their API keys — issued once,
 * rotated by adding a key before revoking the old one, revoked for good; suppliers' profiles and payout freezes; and
 * each account's audit trail.
 */
import { z } from 'zod';
import {
  AccountExistsError,
  accountAuditActions,
  accountKinds,
  MAX_AUDIT_PAGE,
  NotAPayeeError,
  NotASupplierError,
  UnknownAccountError,
  UnknownKeyError,
  type Account,
  type AccountAuditEntry,
  type Accounts,
  type ApiKeyState,
  type IssuedKey,
} from '../../../db/accounts';
import { supplierIdSchema, warehouseIdSchema } from '../../../domain/routing/rules';
import { payoutStateSchema, supplierProfileInputSchema } from '../../../domain/supplier';
import { HttpError } from '../../errors';
import type { Api } from '../../route';

const accountKindSchema = z.enum(accountKinds);
// As a shipment report names its carrier: the carrier key's scope is a plain string match against it.
const carrierCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .describe('the carrier as warehouses name it when they report "shipped", e.g. SF');
const nameSchema = z.string().trim().min(1).max(200);
const labelSchema = z.string().trim().min(1).max(200).optional().describe('what the key is for, e.g. "WMS production, 2026-11"');
const accountIdSchema = z
  .string()
  .max(120)
  .regex(/^(warehouse|carrier|supplier):.+$/, '{kind}:{partyId}, e.g. warehouse:suzhou')
  .describe('{kind}:{partyId}, e.g. warehouse:suzhou');
const accountParams = z.object({ accountId: accountIdSchema });
const keyParams = z.object({ accountId: accountIdSchema, keyId: z.string().min(1).max(64) });

const profileSchema = supplierProfileInputSchema.describe(
  'contact, where supplier orders are pushed (webhookUrl; without one the supplier works from the API) and where its contact is told of a new order (notify)',
);

// Strict, so a profile (or any other field) sent with a warehouse or carrier is refused rather than dropped.
const createBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('warehouse'),
    partyId: warehouseIdSchema.describe('the warehouse id in the network'),
    name: nameSchema,
    keyLabel: labelSchema,
  }),
  z.strictObject({ kind: z.literal('carrier'), partyId: carrierCodeSchema, name: nameSchema, keyLabel: labelSchema }),
  z.strictObject({
    kind: z.literal('supplier'),
    partyId: supplierIdSchema.describe('the drop-ship supplier id'),
    name: nameSchema,
    keyLabel: labelSchema,
    supplier: profileSchema,
  }),
]);
const freezeBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe('why payouts stop, e.g. "escalation ES-2: 3 late orders"'),
});
const unfreezeBody = z.strictObject({ note: z.string().trim().min(1).max(500).optional().describe('kept in the audit trail') });
const auditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50) });

const keyStateSchema = z.object({
  keyId: z.string(),
  accountId: z.string(),
  label: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().optional().describe('updated at most once a minute'),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
});
const issuedKeySchema = keyStateSchema.extend({
  apiKey: z.string().describe('the key to send as X-Api-Key; shown only in this answer, the hub keeps only its hash'),
});
const accountSchema = z.object({
  id: z.string(),
  kind: accountKindSchema,
  partyId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  supplier: profileSchema.optional().describe('suppliers only'),
  payout: payoutStateSchema
    .optional()
    .describe('suppliers and warehouse partners: frozen with since, by and reason of the freeze in force, or { frozen: false }'),
  dispatchPaused: z.object({ by: z.string() }).optional().describe('suppliers only: routing sends no new order (ES-3), and who paused it'),
  keys: z.array(keyStateSchema).describe('oldest first; never with their secrets'),
});
const auditEntrySchema = z.object({
  at: z.string(),
  actor: z.string().describe('the operations user (or seeding script) who made the change'),
  action: z.enum(accountAuditActions),
  keyId: z.string().optional().describe('the key issued or revoked'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  detail: z.string().optional().describe("the operator's note"),
});

const iso = (at: Date | undefined) => at?.toISOString();
const presentKey = (key: ApiKeyState): z.infer<typeof keyStateSchema> => ({
  ...key,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: iso(key.lastUsedAt),
  revokedAt: iso(key.revokedAt),
});
const presentIssued = (key: IssuedKey): z.infer<typeof issuedKeySchema> => ({ ...presentKey(key), apiKey: key.apiKey });
const presentAccount = (account: Account): z.infer<typeof accountSchema> => ({
  ...account,
  createdAt: account.createdAt.toISOString(),
  keys: account.keys.map(presentKey),
});

const presentAudit = ({ accountId: _accountId, ...entry }: AccountAuditEntry): z.infer<typeof auditEntrySchema> => ({
  ...entry,
  at: entry.at.toISOString(),
});

/**
 * Runs a store call, answering its refusals in the error shape: 409 for a second account or a supplier-only change to
 * another kind's account (the account exists, it is just not a supplier's), 404 for an unknown account or key.
 */
async function refusalsAsHttp<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AccountExistsError) throw new HttpError(409, 'ACCOUNT_EXISTS', error.message);
    if (error instanceof UnknownAccountError) throw new HttpError(404, 'UNKNOWN_ACCOUNT', error.message);
    if (error instanceof UnknownKeyError) throw new HttpError(404, 'UNKNOWN_KEY', error.message);
    if (error instanceof NotASupplierError) throw new HttpError(409, 'NOT_A_SUPPLIER', error.message);
    if (error instanceof NotAPayeeError) throw new HttpError(409, 'NOT_A_PAYEE', error.message);
    throw error;
  }
}

/** Declares the account endpoints. */
export function accountRoutes(api: Api, accounts: Accounts): void {
  api.endpoint(
    {
      method: 'post',
      path: '/v1/accounts',
      tag: 'accounts',
      access: ['operations'],
      summary:
        "Create the account of a warehouse, carrier or supplier with its first key; the key is in this answer only. A party has one account (409 ACCOUNT_EXISTS); its keys report only that party's shipments. A supplier's comes with its profile (`supplier`), which no other kind may have (400).",
      body: createBody,
      responses: {
        201: { description: 'the account and its first key', schema: z.object({ account: accountSchema, key: issuedKeySchema }) },
      },
    },
    async ({ body, caller }) => {
      const { account, key } = await refusalsAsHttp(() => accounts.create({ ...body, actor: caller!.id }));
      return { status: 201, body: { account: presentAccount(account), key: presentIssued(key) } };
    },
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/accounts',
      tag: 'accounts',
      access: ['operations'],
      summary: 'Every account, of one kind when given, with its keys: ids, labels, creation, last use and revocation, never a secret.',
      query: z.strictObject({ kind: accountKindSchema.optional() }),
      responses: { 200: { description: 'accounts by id', schema: z.object({ items: z.array(accountSchema) }) } },
    },
    async ({ query }) => ({ status: 200, body: { items: (await accounts.list(query.kind)).map(presentAccount) } }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/accounts/{accountId}',
      tag: 'accounts',
      access: ['operations'],
      summary: 'One account with its keys (404 UNKNOWN_ACCOUNT).',
      params: accountParams,
      responses: { 200: { description: 'the account', schema: accountSchema } },
    },
    async ({ params }) => ({ status: 200, body: presentAccount(await refusalsAsHttp(() => accounts.find(params.accountId))) }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/accounts/{accountId}/keys',
      tag: 'accounts',
      access: ['operations'],
      summary: 'Issue another key for an account, to rotate: the earlier keys stay valid until revoked. The key is in this answer only.',
      params: accountParams,
      body: z.object({ label: labelSchema }),
      responses: { 201: { description: 'the new key', schema: issuedKeySchema } },
    },
    async ({ params, body, caller }) => ({
      status: 201,
      body: presentIssued(await refusalsAsHttp(() => accounts.addKey(params.accountId, body.label, caller!.id))),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/accounts/{accountId}/keys/{keyId}/revoke',
      tag: 'accounts',
      access: ['operations'],
      summary:
        'Revoke a key for good: it answers 401 KEY_REVOKED from the next request on. Revoking it again answers the same state (404 UNKNOWN_KEY for a key the account does not have).',
      params: keyParams,
      responses: { 200: { description: 'the revoked key', schema: keyStateSchema } },
    },
    async ({ params, caller }) => ({
      status: 200,
      body: presentKey(await refusalsAsHttp(() => accounts.revokeKey(params.accountId, params.keyId, caller!.id))),
    }),
  );

  api.endpoint(
    {
      method: 'put',
      path: '/v1/accounts/{accountId}/profile',
      tag: 'accounts',
      access: ['operations'],
      summary:
        "Replace a supplier's profile (contact, webhookUrl, notify) as a whole: a field left out is removed. Audited with before and after. 404 UNKNOWN_ACCOUNT; 409 NOT_A_SUPPLIER for a warehouse's or carrier's account.",
      params: accountParams,
      body: profileSchema,
      responses: { 200: { description: 'the account with its new profile', schema: accountSchema } },
    },
    async ({ params, body, caller }) => ({
      status: 200,
      body: presentAccount(await refusalsAsHttp(() => accounts.updateProfile(params.accountId, body, caller!.id))),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/accounts/{accountId}/payouts/freeze',
      tag: 'accounts',
      access: ['operations'],
      summary:
        'Freeze the payouts of a supplier or a warehouse partner, with the reason; audited. Freezing a frozen account changes nothing: the freeze in force keeps its time, operator and reason. 404 UNKNOWN_ACCOUNT; 409 NOT_A_PAYEE.',
      params: accountParams,
      body: freezeBody,
      responses: { 200: { description: 'the account, its payout frozen', schema: accountSchema } },
    },
    async ({ params, body, caller }) => ({
      status: 200,
      body: presentAccount(
        await refusalsAsHttp(() => accounts.freezePayouts(params.accountId, { reason: body.reason, actor: caller!.id })),
      ),
    }),
  );

  api.endpoint(
    {
      method: 'post',
      path: '/v1/accounts/{accountId}/payouts/unfreeze',
      tag: 'accounts',
      access: ['operations'],
      summary:
        'Unfreeze the payouts of a supplier or a warehouse partner, with an optional note for the audit trail. Unfreezing one not frozen changes nothing. 404 UNKNOWN_ACCOUNT; 409 NOT_A_PAYEE.',
      params: accountParams,
      body: unfreezeBody,
      responses: { 200: { description: 'the account, its payout not frozen', schema: accountSchema } },
    },
    async ({ params, body, caller }) => ({
      status: 200,
      body: presentAccount(
        await refusalsAsHttp(() =>
          accounts.unfreezePayouts(params.accountId, { ...(body.note ? { note: body.note } : {}), actor: caller!.id }),
        ),
      ),
    }),
  );

  api.endpoint(
    {
      method: 'get',
      path: '/v1/accounts/{accountId}/audit',
      tag: 'accounts',
      access: ['operations'],
      summary: `Every change to an account — created, key issued or revoked, profile changed, payouts frozen or unfrozen — newest first, at most \`limit\` (default 50, up to ${MAX_AUDIT_PAGE}). 404 UNKNOWN_ACCOUNT.`,
      params: accountParams,
      query: auditQuery,
      responses: {
        200: { description: 'entries, newest first', schema: z.object({ accountId: z.string(), entries: z.array(auditEntrySchema) }) },
      },
    },
    async ({ params, query }) => {
      const entries = await refusalsAsHttp(() => accounts.audit(params.accountId, query.limit));
      return { status: 200, body: { accountId: params.accountId, entries: entries.map(presentAudit) } };
    },
  );
}
