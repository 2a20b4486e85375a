/**
 * Evaluated once per workflow thread, before any workflow, and shared by all of them (see src/worker/workflowBundle.ts):
 * zod, whose evaluation every order would otherwise repeat when its first message needs a schema.
 */
import { z } from 'zod';

/**
 * zod completes its shared state on first use: the default locale and memoizer on the first schema built, whether
 * `new Function` may compile a parser on the first object parsed. The SDK freezes everything a preload leaves behind,
 * so that first use happens here, with good input and bad. The bundler keeps this module's zod because it is used.
 */
export const warmedSchema = z.object({ step: z.enum(['shipped']), at: z.string().trim().min(1), n: z.number().int().optional() });
warmedSchema.safeParse({ step: 'shipped', at: 'now' });
warmedSchema.safeParse({ step: 'lost', at: ' ', n: 0.5 });
