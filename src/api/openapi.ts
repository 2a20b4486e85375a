/** The OpenAPI document, generated from the endpoints' zod schemas. */
import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

/** Builds the OpenAPI 3.1 document of the registered endpoints. */
export function buildOpenApi(registry: OpenAPIRegistry, serverUrl?: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order Hub API',
      version: '0.1.0',
      description:
        'Every order is a durable Temporal workflow. Channels push signed order events; operations review, cancel and inspect; warehouses, suppliers and carriers report shipments. Errors always have the shape {"error":{"code","message","details?"}}.',
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
  });
}
