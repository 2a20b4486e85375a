/**
 * WeCom (企业微信) group robot: one message per call to the robot's webhook, answered HTTP 200 with
 * `{"errcode":0,"errmsg":"ok"}` or a non-zero errcode. The robot has no idempotency key: when its answer is lost, the
 * retry may post the message to the group a second time. The hub keeps that rare by recording each attempt in the
 * deliveries log before any retry, and a duplicate alert in a group chat is the lesser harm than a lost one.
 */
import { z } from 'zod';
import { callPartner, classify, excerptOf, type HttpResponse, jsonOf } from '../http';
import type { PartnerAnswer } from '../types';
import { shortenToBytes } from './text';
import type { Notice, Notifier, NotifierOptions } from './types';

/** A group robot's webhook, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`: the key in it is the credential. */
export interface WeComEndpoint {
  url: string;
}

/** Content limits the robot documents: text 2048 bytes, markdown 4096 bytes, both UTF-8. */
const TEXT_MAX_BYTES = 2048;
const MARKDOWN_MAX_BYTES = 4096;
/** The text-notice card's recommended lengths; a notice longer than these is sent as text so nothing is cut from view. */
const CARD_TITLE_MAX_CHARS = 26;
const CARD_TEXT_MAX_CHARS = 112;

/** "api freq out of limit": the robot takes 20 messages a minute, so a minute's wait always clears it. */
const FREQUENCY_LIMIT = 45009;
const FREQUENCY_WAIT_MS = 60_000;
/** WeCom's "system busy". */
const SYSTEM_BUSY = -1;

const answerSchema = z.object({ errcode: z.number().int(), errmsg: z.string().optional() });

/**
 * The robot message for a notice: a text-notice card that opens the link when there is one and the notice fits the
 * card; otherwise markdown when the notice has it, else text headed by the subject (with the link on its own line).
 */
export function weComMessageOf(notice: Notice): Record<string, unknown> {
  const { subject, text, markdown, link } = notice;
  if (link && Array.from(subject).length <= CARD_TITLE_MAX_CHARS && Array.from(text).length <= CARD_TEXT_MAX_CHARS) {
    return {
      msgtype: 'template_card',
      template_card: {
        card_type: 'text_notice',
        main_title: { title: subject },
        sub_title_text: text,
        card_action: { type: 1, url: link },
      },
    };
  }
  if (markdown !== undefined) {
    const suffix = link ? `\n\n[${link}](${link})` : '';
    return { msgtype: 'markdown', markdown: { content: withSuffix(markdown, suffix, MARKDOWN_MAX_BYTES) } };
  }
  const suffix = link ? `\n${link}` : '';
  return { msgtype: 'text', text: { content: withSuffix(`${subject}\n${text}`, suffix, TEXT_MAX_BYTES) } };
}

/** The body shortened so that the suffix (the link) always fits within the limit. */
function withSuffix(body: string, suffix: string, maxBytes: number): string {
  return shortenToBytes(body, maxBytes - Buffer.byteLength(suffix, 'utf8')) + suffix;
}

/** Reads the robot's answer: errcode 0 delivered, frequency limit and system busy retried, the rest refused with errmsg. */
function readAnswer(response: HttpResponse): PartnerAnswer {
  const { status, text } = response;
  if (status < 200 || status >= 300) return classify(response);
  const excerpt = excerptOf(text);
  const body = jsonOf(text);
  const parsed = answerSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'refused', status, excerpt, reason: 'unexpected answer from WeCom (no errcode)' };
  const { errcode, errmsg } = parsed.data;
  if (errcode === 0) return { outcome: 'delivered', status, excerpt };
  // errmsg goes on with a request hint and the caller's IP: the log keeps them in the excerpt, the reason stays short.
  const reason = `${(errmsg ?? '').split(', hint:')[0] || 'no message'} (errcode ${errcode})`;
  if (errcode === FREQUENCY_LIMIT) return { outcome: 'retry', status, excerpt, reason, retryAfterMs: FREQUENCY_WAIT_MS };
  if (errcode === SYSTEM_BUSY) return { outcome: 'retry', status, excerpt, reason };
  return { outcome: 'refused', status, excerpt, reason };
}

/** Builds the notifier for one group robot. */
export function createWeComNotifier(endpoint: WeComEndpoint, options: NotifierOptions): Notifier {
  return {
    // The robot has no field for our key: it is not sent, and a retry after a lost answer may post twice (see above).
    async send(notice) {
      const response = await callPartner({
        url: endpoint.url,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'OrderHub/1' },
        body: JSON.stringify(weComMessageOf(notice)),
        timeoutMs: options.timeoutMs,
      });
      return 'outcome' in response ? response : readAnswer(response);
    },
  };
}
