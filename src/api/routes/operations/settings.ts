/** Operations: run-time settings (routing rules, warehouse network, order, escalation and return policy); every edit is a new version (OP-2). */
import { zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { SettingsConflictError, type SettingsStore, type SettingsVersion } from '../../../db/settingsStore';
import type { Stores } from '../../../db/stores';
import { escalationOverrideSettingsSchema, escalationSettingsSchema, type EscalationSettings } from '../../../domain/escalation';
import { policyOverrideSchema, policySettingsSchema } from '../../../domain/policy';
import { returnSettingsSchema } from '../../../domain/returnPolicy';
import { networkSchema, type Network } from '../../../domain/routing/warehouses';
import { conditionSchema, routingRuleSetSchema, type RoutingRuleSet } from '../../../domain/routing/rules';
import { HttpError } from '../../errors';
import type { Api } from '../../route';

// OpenAPI hints for two domain schemas the generator cannot describe alone: the recursive condition tree becomes
// a named component (a $ref instead of an endless expansion), and override settings (a custom check) an object.
zodToOpenAPIRegistry.add(conditionSchema, { _internal: { refId: 'RoutingCondition' } });
zodToOpenAPIRegistry.add(policyOverrideSchema.shape.settings, {
  type: 'object',
  description: 'policy settings to change; anything left out is inherited',
});
zodToOpenAPIRegistry.add(escalationOverrideSettingsSchema, {
  type: 'object',
  description: 'escalation settings to change (es1…es5, es5b, fs2, fs3); anything left out is inherited',
});

/** One kind of settings as the API exposes it. */
interface SettingsKind<T> {
  /** The path segment, e.g. routing-rules. */
  path: string;
  what: string;
  store: SettingsStore<T>;
  /** What a PUT body must hold; validated in full, so errors name their field paths. */
  schema: z.ZodType<T>;
  /** Stamps the body with the version it is saved as, for kinds that carry their own version. */
  stamp?: (body: T, version: number) => T;
  /** Runs after a save with the version it replaced, e.g. to re-route orders away from a disabled warehouse. */
  afterSave?: (previous: SettingsVersion<T>, saved: SettingsVersion<T>) => Promise<void>;
}

// The rule set's `version` is the settings version, so an author may leave it out; it is set on save.
const ruleSetInput = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && !('version' in value) ? { ...value, version: 0 } : value,
  routingRuleSetSchema,
);

const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) });

function versionSchema(body: z.ZodType) {
  return z.object({ version: z.number().int(), body, actor: z.string(), at: z.string().describe('ISO instant') });
}

function present<T>(saved: SettingsVersion<T>) {
  return { version: saved.version, body: saved.body, actor: saved.actor, at: saved.at.toISOString() };
}

/** Declares GET, PUT and history of one settings kind. */
function settingsEndpoints<T>(api: Api, kind: SettingsKind<T>): void {
  const path = `/v1/settings/${kind.path}`;
  const response = versionSchema(kind.schema);

  api.endpoint(
    {
      method: 'get',
      path,
      tag: 'settings',
      access: ['operations'],
      summary: `The current ${kind.what}: version, body, who saved it and when (version 0 is the built-in default).`,
      responses: { 200: { description: 'the latest version', schema: response } },
    },
    async () => ({ status: 200, body: present(await kind.store.latest({ fresh: true })) }),
  );

  api.endpoint(
    {
      method: 'put',
      path,
      tag: 'settings',
      access: ['operations'],
      summary: `Save new ${kind.what}, in force without a restart for every order that reads it from a second later; pass expectedVersion to refuse a stale edit (409).`,
      body: z.object({
        expectedVersion: z.number().int().nonnegative().optional().describe('the version this edit is based on'),
        body: kind.schema,
      }),
      responses: { 200: { description: 'the saved version', schema: response } },
    },
    async ({ body, caller }) => {
      // Without expectedVersion the edit is based on the latest version; either way a concurrent save answers 409.
      const previous = await kind.store.latest({ fresh: true });
      const base = body.expectedVersion ?? previous.version;
      const settings = kind.stamp ? kind.stamp(body.body, base + 1) : body.body;
      let saved: SettingsVersion<T>;
      try {
        saved = await kind.store.save(settings, caller!.id, base);
      } catch (error) {
        if (error instanceof SettingsConflictError) throw new HttpError(409, 'SETTINGS_CONFLICT', error.message);
        throw error;
      }
      await kind.afterSave?.(previous, saved);
      return { status: 200, body: present(saved) };
    },
  );

  api.endpoint(
    {
      method: 'get',
      path: `${path}/history`,
      tag: 'settings',
      access: ['operations'],
      summary: `Every saved version of the ${kind.what}, newest first; versions are never deleted (OP-2).`,
      query: historyQuery,
      responses: { 200: { description: 'versions, newest first', schema: z.object({ items: z.array(response) }) } },
    },
    async ({ query }) => ({ status: 200, body: { items: (await kind.store.history(query.limit)).map(present) } }),
  );
}

/** Declares the settings endpoints. */
export function settingsRoutes(
  api: Api,
  stores: Stores,
  onNetworkSaved: SettingsKind<Network>['afterSave'],
  onEscalationPolicySaved: SettingsKind<EscalationSettings>['afterSave'],
): void {
  settingsEndpoints<RoutingRuleSet>(api, {
    path: 'routing-rules',
    what: 'routing rules (RT-2)',
    store: stores.routingRules,
    schema: ruleSetInput,
    stamp: (rules, version) => ({ ...rules, version }),
  });
  settingsEndpoints(api, {
    path: 'network',
    what: 'warehouse network (RT-1, RT-4); disabling or pausing a warehouse re-routes its orders that have not started picking',
    store: stores.network,
    schema: networkSchema,
    afterSave: onNetworkSaved,
  });
  settingsEndpoints(api, {
    path: 'order-policy',
    what: 'order policy (INV-2, MR-3, MR-4, RF-1)',
    store: stores.policy,
    schema: policySettingsSchema,
  });
  settingsEndpoints(api, {
    path: 'escalation-policy',
    what: 'escalation policy (ES-1…ES-5, FS-2, FS-3); durations are stored and answered in seconds',
    store: stores.escalationPolicy,
    schema: escalationSettingsSchema,
    afterSave: onEscalationPolicySaved,
  });
  settingsEndpoints(api, {
    path: 'return-policy',
    what: 'return policy per brand (RF-1…RF-4): what may not be returned, free returns, light-wear deduction, refund alert; durations in seconds',
    store: stores.returnPolicy,
    schema: returnSettingsSchema,
  });
}
