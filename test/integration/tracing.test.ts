/**
 * Tracing end to end (issue 13): one order's webhook, workflow, activities and partner calls are one OpenTelemetry
 * trace, exported over OTLP/HTTP to a real receiver on loopback, and its audit trail names that trace.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { seedHub } from '../fixtures/network';
import { makeOrder, paid } from '../fixtures/orders';
import { eventually, startHarness, type Harness } from './harness';
import { lifecycle } from './lifecycleSupport';

/** One span as the receiver got it, its attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  service: string;
}

/** An OTLP/HTTP JSON attribute value: one of its typed fields. */
type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };

/** A collector on loopback: takes OTLP/HTTP JSON at POST /v1/traces and keeps every span. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; stop(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = flatten(resourceSpans.resource?.attributes)['service.name'] as string;
        for (const scopeSpans of resourceSpans.scopeSpans ?? [])
          for (const span of scopeSpans.spans ?? [])
            spans.push({ ...span, parentSpanId: span.parentSpanId || undefined, attributes: flatten(span.attributes), service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function flatten(attributes: Array<{ key: string; value: AnyValue }> = []): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue)),
    ]),
  );
}

describe('tracing', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let hub: Harness;
  let steps: ReturnType<typeof lifecycle>;
  before(async () => {
    receiver = await startOtlpReceiver();
    hub = await startHarness('tracing', {}, { otlpEndpoint: receiver.url });
    steps = lifecycle(hub);
    await seedHub(hub, { stock: { 'TEE-001@suzhou': 100 } });
  });
  after(async () => {
    await hub?.stop();
    await receiver?.stop();
  });

  test('an order is one trace from its webhook through its workflow and activities to the pick list sent to the WMS, and its audit trail names it', async () => {
    const orderId = await steps.submit(paid(makeOrder()));
    await steps.waitFor(orderId, 'FULFILLING');
    const pickList = await eventually(
      async () =>
        hub.partners.wms.server.received.find(
          (r) => (r.body as { type?: string; data?: { orderId?: string } })?.data?.orderId === orderId && r.method === 'POST',
        ),
      'the pick list at the WMS',
    );

    const audit = await hub.ops('GET', `/v1/orders/${orderId}/audit`);
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const written = await hub.stores.orders.audit(orderId);
    assert.ok(written.length > 0);
    const traceIds = new Set(written.map((entry) => entry.traceId));
    assert.equal(traceIds.size, 1, `every written entry carries the order's one trace: ${JSON.stringify(written)}`);
    const [traceId] = [...traceIds];
    assert.match(String(traceId), /^[0-9a-f]{32}$/);
    const received = audit.body.entries.find((entry: { action: string }) => entry.action === 'ORDER_RECEIVED');
    assert.equal(received.traceId, traceId, 'the audit endpoint shows the trace id');

    // The WMS was handed the trace too: a partner that traces joins it.
    assert.match(pickList.headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const wmsPort = Number(new URL(hub.partners.wms.server.url).port);
    const spans = await eventually(async () => {
      await hub.tracing.flush();
      const ofTrace = receiver.spans.filter((span) => span.traceId === traceId);
      const names = new Set(ofTrace.map((span) => span.name));
      const partnerCall = ofTrace.some((span) => span.kind === 3 && span.attributes['server.port'] === wmsPort);
      const wanted = ['POST /v1/channels/:channel/events', 'StartWorkflow:orderWorkflow', 'RunActivity:recordOrderChanges'];
      return partnerCall && wanted.every((name) => names.has(name)) ? ofTrace : undefined;
    }, "the order's request, workflow start, activity and WMS call spans at the receiver");
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const request = spans.find((span) => span.name === 'POST /v1/channels/:channel/events')!;
    assert.equal(request.kind, 2);
    assert.equal(request.parentSpanId, undefined, 'the webhook starts the trace');
    assert.equal(request.attributes['http.response.status_code'], 202);
    const start = spans.find((span) => span.name === 'StartWorkflow:orderWorkflow')!;
    assert.equal(start.parentSpanId, request.spanId, 'the workflow is started inside the request');
    const activities = spans.filter((span) => span.name.startsWith('RunActivity:'));
    assert.ok(activities.length >= 2, 'the activities run in the trace');
    for (const activity of activities)
      assert.equal(activity.parentSpanId, start.spanId, `${activity.name} continues from the workflow's start`);
    const recorded = activities.find((span) => span.name === 'RunActivity:recordOrderChanges')!;
    assert.equal(recorded.attributes['temporalWorkflowId'], `Order:${orderId}`);
    assert.equal(typeof recorded.attributes['temporal.activity.queue_wait_ms'], 'number');

    const partnerCall = spans.find((span) => span.kind === 3 && span.attributes['server.port'] === wmsPort)!;
    assert.equal(partnerCall.name, `POST 127.0.0.1:${wmsPort}`);
    assert.equal(partnerCall.attributes['http.response.status_code'], 200);
    assert.equal(partnerCall.attributes['orderhub.partner.outcome'], 'delivered');
    assert.equal(partnerCall.attributes['server.address'], '127.0.0.1');
    assert.match(String(partnerCall.attributes['orderhub.partner']), /.+/);
    const delivery = byId.get(partnerCall.parentSpanId!);
    assert.match(delivery?.name ?? '', /^RunActivity:/, 'the partner call runs inside its delivery activity');
    assert.ok(pickList.headers.traceparent?.includes(partnerCall.spanId), "the WMS's parent is the call's span");
  });
});
