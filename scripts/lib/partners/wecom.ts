/**
 * A WeCom (企业微信) group robot on loopback: `POST /cgi-bin/webhook/send?key=…` answered HTTP 200 with
 * `{errcode, errmsg}` as the robot documents: 0 "ok", 93000 for a key it does not know, 45009 past 20 messages a
 * minute. Content checks follow the documented limits (text 2048 bytes, markdown 4096 bytes, a text-notice card needs
 * a title or text and a card action); the errcodes for a malformed message (40008, 44004, 40058) are WeCom's general
 * codes, the closest documented ones. Tests assert on `messages()`, the messages the group would show.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PartnerServer, type Received, type Reply } from './server';

/** One message as the group shows it. */
export interface WeComMessage {
  msgtype: 'text' | 'markdown' | 'template_card';
  /** Text or markdown content; for a card, its sub-title text. */
  content: string;
  /** A card's title. */
  title?: string;
  /** Where a card opens. */
  url?: string;
  at: number;
}

/** A running simulated robot. */
export interface WeComSimulator {
  server: PartnerServer;
  /** The robot's webhook URL, key included. */
  url: string;
  /** Messages posted to the group, oldest first. */
  messages(): WeComMessage[];
  /** The next `n` posts are answered with the frequency limit (45009) and not shown. */
  rateLimitNext(n: number): void;
}

const PATH = '/cgi-bin/webhook/send';
const PER_MINUTE = 20;

const messageSchema = z.discriminatedUnion('msgtype', [
  z.object({ msgtype: z.literal('text'), text: z.object({ content: z.string() }) }),
  z.object({ msgtype: z.literal('markdown'), markdown: z.object({ content: z.string() }) }),
  z.object({
    msgtype: z.literal('template_card'),
    template_card: z.object({
      card_type: z.string(),
      main_title: z.object({ title: z.string().optional(), desc: z.string().optional() }).optional(),
      sub_title_text: z.string().optional(),
      card_action: z.object({ type: z.number().int(), url: z.string().optional(), appid: z.string().optional() }).optional(),
    }),
  }),
]);

const answer = (errcode: number, errmsg: string): Reply => ({ status: 200, body: { errcode, errmsg } });
const hinted = (errcode: number, errmsg: string): Reply =>
  answer(
    errcode,
    `${errmsg}, hint: [${randomBytes(8).toString('hex')}], more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  );
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Starts a robot that accepts posts carrying `key`. */
export async function startWeCom(options: { key: string; port?: number }): Promise<WeComSimulator> {
  const shown: WeComMessage[] = [];
  let limited = 0;

  /** The message the group would show, or the errcode reply that refuses it. */
  function read(body: unknown, at: number): WeComMessage | Reply {
    const kind = (body as { msgtype?: unknown } | undefined)?.msgtype;
    if (typeof kind !== 'string' || !['text', 'markdown', 'template_card'].includes(kind)) return hinted(40008, 'invalid message type');
    const parsed = messageSchema.safeParse(body);
    if (!parsed.success) return hinted(40058, `invalid parameter: ${parsed.error.issues[0]?.path.join('.')}`);
    const message = parsed.data;
    if (message.msgtype === 'text') {
      if (!message.text.content) return hinted(44004, 'empty content');
      if (bytes(message.text.content) > 2048) return hinted(40058, 'text.content exceed max length 2048');
      return { msgtype: 'text', content: message.text.content, at };
    }
    if (message.msgtype === 'markdown') {
      if (!message.markdown.content) return hinted(44004, 'empty content');
      if (bytes(message.markdown.content) > 4096) return hinted(40058, 'markdown.content exceed max length 4096');
      return { msgtype: 'markdown', content: message.markdown.content, at };
    }
    const card = message.template_card;
    if (card.card_type !== 'text_notice') return hinted(40058, 'invalid card_type');
    if (!card.main_title?.title && !card.sub_title_text) return hinted(40058, 'main_title.title or sub_title_text required');
    const action = card.card_action;
    if (!action || (action.type === 1 && !action.url) || (action.type === 2 && !action.appid) || ![1, 2].includes(action.type))
      return hinted(40058, 'invalid card_action');
    return { msgtype: 'template_card', content: card.sub_title_text ?? '', title: card.main_title?.title, url: action.url, at };
  }

  function handle(request: Received): Reply {
    const url = new URL(request.path, 'http://wecom.invalid');
    if (request.method !== 'POST' || url.pathname !== PATH) return { status: 404, body: 'not found' };
    if (url.searchParams.get('key') !== options.key) return hinted(93000, 'invalid webhook url');
    const recent = shown.filter((m) => m.at > request.at - 60_000).length;
    if (limited > 0 || recent >= PER_MINUTE) {
      limited = Math.max(0, limited - 1);
      return hinted(45009, 'api freq out of limit');
    }
    const message = read(request.body, request.at);
    if ('status' in message) return message;
    shown.push(message);
    return answer(0, 'ok');
  }

  const server = await PartnerServer.start(handle, options.port);
  return {
    server,
    url: `${server.url}${PATH}?key=${encodeURIComponent(options.key)}`,
    messages: () => structuredClone(shown),
    rateLimitNext(n) {
      limited = n;
    },
  };
}
