/** How the worker's workflow code is bundled, the same for a worker bundling from source and for a prebuilt bundle. */
import type { BundleOptions } from '@temporalio/worker';

/**
 * Modules evaluated once per workflow thread and shared by every workflow in it (the SDK's `preloadModules`), where
 * other modules are evaluated again for each workflow: zod, which keeps no state. Without this, each order's first
 * message that needs a schema evaluated the whole library again (about 8 % of the workflow thread in a profile). The schemas
 * built from zod stay per workflow: the SDK freezes what it shares, and zod completes a schema object on first use.
 */
export const sharedWorkflowModules: NonNullable<BundleOptions['preloadModules']> = [require.resolve('../workflows/sharedLibraries')];
