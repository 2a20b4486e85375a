/** Escalation notices over the real protocols, against loopback WeCom, Aliyun SMS and SMTP simulators. */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import {
  createAliyunSmsNotifier,
  createEmailNotifier,
  createWebhookNotifier,
  createWeComNotifier,
} from '../../../src/activities/partners/notify';
import { signatureOf } from '../../../src/activities/partners/notify/sms';
import type { Notice } from '../../../src/activities/partners/notify/types';
import { startAliyunSms } from '../../../scripts/lib/partners/sms';
import { startSmtp } from '../../../scripts/lib/partners/smtp';
import { startWebhookReceiver } from '../../../scripts/lib/partners/webhookReceiver';
import { startWeCom } from '../../../scripts/lib/partners/wecom';
import { newSecret } from './helpers';

const notice: Notice = {
  subject: '订单 T1001 等待处理',
  text: '苏州仓库存不足，订单已挂起 30 分钟。',
  markdown: '**订单 T1001 等待处理**\n> 苏州仓库存不足，订单已挂起 30 分钟。',
};

// --- WeCom group robot ---------------------------------------------------------------------------------------------

async function robot(t: TestContext) {
  const simulator = await startWeCom({ key: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' });
  t.after(() => simulator.server.stop());
  return { simulator, notifier: createWeComNotifier({ url: simulator.url }, { timeoutMs: 1000 }) };
}

test('a markdown notice arrives in the WeCom group as markdown, Chinese intact', async (t) => {
  const { simulator, notifier } = await robot(t);

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'delivered');
  assert.deepEqual(
    simulator.messages().map((m) => [m.msgtype, m.content]),
    [['markdown', notice.markdown]],
  );
});

test('a plain notice arrives as text headed by its subject', async (t) => {
  const { simulator, notifier } = await robot(t);

  await notifier.send({ subject: notice.subject, text: notice.text }, 'esc-T1001-1');

  assert.deepEqual(
    simulator.messages().map((m) => [m.msgtype, m.content]),
    [['text', `${notice.subject}\n${notice.text}`]],
  );
});

test('a short notice with a link arrives as a text-notice card that opens the link', async (t) => {
  const { simulator, notifier } = await robot(t);

  await notifier.send({ ...notice, link: 'https://hub.example/orders/T1001' }, 'esc-T1001-1');

  const [card] = simulator.messages();
  assert.deepEqual(
    { type: card?.msgtype, title: card?.title, text: card?.content, url: card?.url },
    { type: 'template_card', title: notice.subject, text: notice.text, url: 'https://hub.example/orders/T1001' },
  );
});

test("markdown longer than the robot's 4096 bytes is cut at a character and keeps its link", async (t) => {
  const { simulator, notifier } = await robot(t);
  const link = 'https://hub.example/orders/T1001';

  const answer = await notifier.send({ ...notice, text: '库存不足'.repeat(40), markdown: '库存不足'.repeat(600), link }, 'esc-T1001-1');

  assert.equal(answer.outcome, 'delivered');
  const content = simulator.messages()[0]?.content ?? '';
  assert.ok(Buffer.byteLength(content, 'utf8') <= 4096);
  assert.ok(content.endsWith(`…\n\n[${link}](${link})`));
});

test("the robot's frequency limit (45009) is retried after a minute, and nothing is shown", async (t) => {
  const { simulator, notifier } = await robot(t);
  simulator.rateLimitNext(1);

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
  assert.equal(answer.outcome === 'retry' && answer.retryAfterMs, 60_000);
  assert.equal(simulator.messages().length, 0);
});

test("a webhook with a wrong key is refused with WeCom's reason", async (t) => {
  const { simulator } = await robot(t);
  const notifier = createWeComNotifier({ url: simulator.url.replace(/key=.*/, 'key=not-the-key') }, { timeoutMs: 1000 });

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome === 'refused' && answer.reason, 'invalid webhook url (errcode 93000)');
});

test('HTTP 502 in front of the robot is retried', async (t) => {
  const { simulator, notifier } = await robot(t);
  simulator.server.script('/cgi-bin/webhook/send', { status: 502, body: 'Bad Gateway' });

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
});

// --- Aliyun SMS ------------------------------------------------------------------------------------------------------

const ACCOUNT = { accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: 'test-secret-1' };
const TEMPLATE = 'SMS_460925001';

async function gateway(t: TestContext, accessKeySecret = ACCOUNT.accessKeySecret) {
  const simulator = await startAliyunSms({ ...ACCOUNT, signNames: ['订单中心'], templates: { [TEMPLATE]: ['subject', 'text'] } });
  t.after(() => simulator.server.stop());
  const channel = createAliyunSmsNotifier(
    { baseUrl: simulator.server.url, ...ACCOUNT, accessKeySecret, signName: '订单中心', templateCode: TEMPLATE },
    { timeoutMs: 1000 },
  );
  return { simulator, channel };
}

test("the SMS signature reproduces the worked example in Aliyun's signing docs", () => {
  const params = {
    AccessKeyId: 'testId',
    Action: 'SendSms',
    Format: 'XML',
    OutId: '123',
    PhoneNumbers: '15300000001',
    RegionId: 'cn-hangzhou',
    SignName: '阿里云短信测试专用',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_71390007',
    TemplateParam: '{"customer":"test"}',
    Timestamp: '2017-07-12T02:42:19Z',
    Version: '2017-05-25',
  };

  assert.equal(signatureOf(params, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
});

test("an SMS passes the gateway's signature check and carries the notice in the template, Chinese intact", async (t) => {
  const { simulator, channel } = await gateway(t);

  const answer = await channel.to('+8613800000000').send(notice, 'esc-T1001-1');

  const [sms] = simulator.sent();
  assert.equal(answer.outcome, 'delivered');
  assert.equal(answer.outcome === 'delivered' && answer.reference, sms?.bizId);
  assert.deepEqual(
    { phone: sms?.phone, signName: sms?.signName, templateCode: sms?.templateCode, param: sms?.templateParam, outId: sms?.outId },
    {
      phone: '+8613800000000',
      signName: '订单中心',
      templateCode: TEMPLATE,
      param: { subject: notice.subject, text: notice.text },
      outId: 'esc-T1001-1',
    },
  );
});

test("a long notice is cut to the template variables' 35 characters, on one line", async (t) => {
  const { simulator, channel } = await gateway(t);

  const answer = await channel.to('13800000000').send({ subject: notice.subject, text: `第一行\n${'库存不足'.repeat(20)}` }, 'esc-T1001-1');

  assert.equal(answer.outcome, 'delivered');
  const text = simulator.sent()[0]?.templateParam.text ?? '';
  assert.equal(Array.from(text).length, 35);
  assert.ok(text.startsWith('第一行 库存不足') && text.endsWith('…'));
});

test("the gateway's flow control (isv.BUSINESS_LIMIT_CONTROL) is retried after a minute", async (t) => {
  const { simulator, channel } = await gateway(t);
  simulator.limitNext(1);

  const answer = await channel.to('13800000000').send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
  assert.equal(answer.outcome === 'retry' && answer.retryAfterMs, 60_000);
  assert.equal(simulator.sent().length, 0);
});

test('API throttling in front of the gateway is retried', async (t) => {
  const { simulator, channel } = await gateway(t);
  simulator.server.script('/', { status: 400, body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' } });

  const answer = await channel.to('13800000000').send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
});

test("an unknown template is refused with the gateway's message", async (t) => {
  const { simulator } = await gateway(t);
  const channel = createAliyunSmsNotifier(
    { baseUrl: simulator.server.url, ...ACCOUNT, signName: '订单中心', templateCode: 'SMS_000000000' },
    { timeoutMs: 1000 },
  );

  const answer = await channel.to('13800000000').send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome === 'refused' && answer.reason, '该账号下找不到对应模板 (isv.SMS_TEMPLATE_ILLEGAL)');
});

test('a request signed with the wrong secret is refused by the gateway', async (t) => {
  const { simulator, channel } = await gateway(t, 'not-the-secret');

  const answer = await channel.to('13800000000').send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'refused');
  assert.match(answer.outcome === 'refused' ? answer.reason : '', /\(SignatureDoesNotMatch\)$/);
  assert.equal(simulator.sent().length, 0);
});

test('SendSms keeps no idempotency: a retry after a lost answer sends a second SMS with the same OutId', async (t) => {
  const { simulator, channel } = await gateway(t);
  simulator.server.script('/', { handleThenDrop: true });
  const notifier = channel.to('13800000000');

  const lost = await notifier.send(notice, 'esc-T1001-1');
  const retried = await notifier.send(notice, 'esc-T1001-1');

  assert.deepEqual([lost.outcome, retried.outcome], ['retry', 'delivered']);
  assert.deepEqual(
    simulator.sent().map((s) => s.outId),
    ['esc-T1001-1', 'esc-T1001-1'],
  );
});

// --- E-mail over SMTP ------------------------------------------------------------------------------------------------

const FROM = 'Order Hub <alerts@brand.example>';

async function relay(t: TestContext, timeoutMs = 2000) {
  const simulator = await startSmtp();
  t.after(() => simulator.stop());
  const channel = createEmailNotifier({ host: simulator.host, port: simulator.port, from: FROM }, { timeoutMs });
  return { simulator, notifier: channel.to('ops@brand.example') };
}

test('an e-mail arrives with its subject and text, Chinese intact, and a Message-ID made from the key', async (t) => {
  const { simulator, notifier } = await relay(t);

  const answer = await notifier.send({ ...notice, link: 'https://hub.example/orders/T1001' }, 'esc:T1001/1');

  const [mail] = simulator.mails();
  assert.equal(answer.outcome, 'delivered');
  assert.equal(answer.outcome === 'delivered' && answer.reference, '<esc=3AT1001=2F1@brand.example>');
  assert.deepEqual(
    { from: mail?.from, to: mail?.envelopeTo, subject: mail?.subject, text: mail?.text.trim(), messageId: mail?.messageId },
    {
      from: '"Order Hub" <alerts@brand.example>',
      to: ['ops@brand.example'],
      subject: notice.subject,
      text: `${notice.text}\n\nhttps://hub.example/orders/T1001`,
      messageId: '<esc=3AT1001=2F1@brand.example>',
    },
  );
});

test('every attempt with one key carries the same Message-ID, so mailboxes can drop the duplicate', async (t) => {
  const { simulator, notifier } = await relay(t);

  await notifier.send(notice, 'esc-T1001-1');
  await notifier.send(notice, 'esc-T1001-1');
  await notifier.send(notice, 'esc-T1001-2');

  assert.deepEqual(
    simulator.mails().map((m) => m.messageId),
    ['<esc-T1001-1@brand.example>', '<esc-T1001-1@brand.example>', '<esc-T1001-2@brand.example>'],
  );
});

test('a temporary SMTP rejection (451) is retried', async (t) => {
  const { simulator, notifier } = await relay(t);
  simulator.rejectNext(1, 451);

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
  assert.equal(answer.outcome === 'retry' && answer.status, 451);
  assert.equal(simulator.mails().length, 0);
});

test("a permanent SMTP rejection (550) is refused with the relay's reply", async (t) => {
  const { simulator, notifier } = await relay(t);
  simulator.rejectNext(1, 550);

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome === 'refused' && answer.reason, 'SMTP 550: 5.7.1 Message rejected');
});

test('a relay that never greets is retried once the timeout has passed', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const { port } = silent.address() as AddressInfo;
  const notifier = createEmailNotifier({ host: '127.0.0.1', port, from: FROM }, { timeoutMs: 300 }).to('ops@brand.example');

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome === 'retry' && answer.reason, 'no answer within 300 ms');
});

test('a relay that refuses connections is retried', async (t) => {
  const { simulator } = await relay(t);
  await simulator.stop();
  const notifier = createEmailNotifier({ host: '127.0.0.1', port: simulator.port, from: FROM }, { timeoutMs: 1000 }).to(
    'ops@brand.example',
  );

  const answer = await notifier.send(notice, 'esc-T1001-1');

  assert.equal(answer.outcome, 'retry');
  assert.match(answer.outcome === 'retry' ? answer.reason : '', /^network error: /);
});

// --- Generic signed webhook ------------------------------------------------------------------------------------------

test('a notice through the signed webhook arrives once as an escalation.notice event, however often it is sent', async (t) => {
  const secret = newSecret();
  const receiver = await startWebhookReceiver({ secrets: [secret] });
  t.after(() => receiver.server.stop());
  const notifier = createWebhookNotifier({ url: `${receiver.server.url}/hooks` }, { signingSecrets: [secret], timeoutMs: 1000 });

  const answers = [await notifier.send(notice, 'esc-T1001-1'), await notifier.send(notice, 'esc-T1001-1')];

  assert.deepEqual(
    answers.map((a) => a.outcome),
    ['delivered', 'delivered'],
  );
  assert.deepEqual(
    receiver.events().map((e) => [e.id, e.type, e.data]),
    [['esc-T1001-1', 'escalation.notice', notice]],
  );
});
