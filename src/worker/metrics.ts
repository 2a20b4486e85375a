/** The worker's Prometheus endpoints: the hub's metrics on a small HTTP server, the Temporal SDK's from its own exporter. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { metricsContentType, metricsText } from '../metrics/registry';

/** The SDK runtime's telemetry for Runtime.install: its Prometheus exporter binds WORKER_SDK_METRICS_PORT, none when 0. */
export function sdkTelemetry(config: Config): TelemetryOptions {
  if (config.WORKER_SDK_METRICS_PORT === 0) return {};
  return { metrics: { prometheus: { bindAddress: `${config.WORKER_METRICS_HOST}:${config.WORKER_SDK_METRICS_PORT}` } } };
}

/** Serves this process's hub metrics at GET /metrics on host:port (port 0 takes a free one); resolves once listening. */
export function serveMetrics(host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    metricsText().then(
      (text) => res.writeHead(200, { 'content-type': metricsContentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { address, port: bound } = server.address() as AddressInfo;
      resolve({ server, url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}/metrics` });
    });
  });
}
