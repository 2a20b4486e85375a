/** Refunds go by the path that holds the money: the marketplace's after-sales API, or the own site's payment provider. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { partnersSchema } from '../../../../src/config/partners';
import { createPartnerDirectory } from '../../../../src/activities/partners';
import type { RefundRequest } from '../../../../src/activities/partners/types';
import { startWebhookReceiver } from '../../../../scripts/lib/partners/webhookReceiver';
import { newSecret } from '../helpers';

const privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const alipay = { adapter: 'alipay', gatewayUrl: 'http://127.0.0.1:9/gateway.do', appId: '2021000000000001', privateKeyPem };

function refund(channel: RefundRequest['channel']): RefundRequest {
  return {
    orderId: `${channel}-R1`,
    channel,
    channelOrderId: 'R1',
    amountMinor: 100,
    reason: 'cancelled',
    cause: 'cancellation',
    lines: [],
  };
}

test("a marketplace's refunds go to its channel adapter, the own site's to its payment provider", () => {
  const config = partnersSchema.parse({
    signingSecrets: [newSecret()],
    channels: {
      tmall: { adapter: 'webhook', url: 'http://127.0.0.1:9/tmall' },
      douyin: { adapter: 'douyin', appKey: 'k', appSecret: 's', accessToken: 't' },
      website: { adapter: 'shopify', shopUrl: 'http://127.0.0.1:9', accessToken: 'shpat' },
    },
    payments: { website: alipay, miniprogram: { url: 'http://127.0.0.1:9/pay' }, tmall: { url: 'http://127.0.0.1:9/pay' } },
  });
  const partners = createPartnerDirectory(config);

  assert.equal(partners.refunds('tmall'), partners.channel('tmall'));
  assert.equal(partners.refunds('douyin'), partners.channel('douyin'));
  assert.equal(partners.refunds('website'), partners.payment('website'));
  assert.notEqual(partners.refunds('website'), partners.channel('website'));
  assert.equal(partners.refunds('miniprogram'), partners.payment('miniprogram'));
  assert.equal(partners.refunds('jd'), undefined, 'a marketplace without its channel adapter has no refund path, payment provider or not');
  assert.equal(partners.refunds('b2b'), undefined);
});

test('over HTTP, a tmall refund reaches the storefront and a mini-program refund the payment provider', async (t) => {
  const secret = newSecret();
  const [storefront, payments] = await Promise.all([
    startWebhookReceiver({ secrets: [secret] }),
    startWebhookReceiver({ secrets: [secret] }),
  ]);
  t.after(() => Promise.all([storefront.server.stop(), payments.server.stop()]));
  const partners = createPartnerDirectory(
    partnersSchema.parse({
      signingSecrets: [secret],
      channels: { tmall: { adapter: 'webhook', url: `${storefront.server.url}/orders` } },
      payments: { tmall: { url: `${payments.server.url}/refunds` }, miniprogram: { url: `${payments.server.url}/refunds` } },
    }),
  );

  await partners.refunds('tmall')!.requestRefund(refund('tmall'), 'k-tmall');
  await partners.refunds('miniprogram')!.requestRefund(refund('miniprogram'), 'k-mini');

  assert.deepEqual(
    storefront.events('refund.requested').map((e) => e.id),
    ['k-tmall'],
  );
  assert.deepEqual(
    payments.events('refund.requested').map((e) => e.id),
    ['k-mini'],
  );
});

test('a payment provider given as { url } alone is the generic webhook; an Alipay one needs its app id', () => {
  const base = { signingSecrets: [newSecret()] };
  const parsed = partnersSchema.parse({ ...base, payments: { website: { url: 'http://127.0.0.1:9/pay' } } });
  assert.deepEqual(parsed.payments.website, { adapter: 'webhook', url: 'http://127.0.0.1:9/pay' });
  assert.equal(partnersSchema.safeParse({ ...base, payments: { website: { ...alipay, appId: undefined } } }).success, false);
  const withAlipay = partnersSchema.parse({ ...base, payments: { website: { ...alipay, gatewayUrl: undefined } } });
  assert.equal(
    withAlipay.payments.website?.adapter === 'alipay' && withAlipay.payments.website.gatewayUrl,
    'https://openapi.alipay.com/gateway.do',
  );
});

test('a malformed Alipay private key stops start-up, not the first refund', () => {
  const config = partnersSchema.parse({ signingSecrets: [newSecret()], payments: { website: { ...alipay, privateKeyPem: 'not a key' } } });

  assert.throws(() => createPartnerDirectory(config));
});
