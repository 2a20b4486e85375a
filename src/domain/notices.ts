/**
 * What an escalation tells a person, in Chinese by default and in English on request: which order, what is late and
 * since when, who acts, and a link to the order in the Temporal Web UI. Pure; no zod, so the workflow may render it.
 */

/** The facts a notice states. */
export interface EscalationFacts {
  orderId: string;
  /** The level's id: ES-1 … ES-5b, FS-2, FS-3. */
  level: string;
  /** The warehouse or supplier the order waits on, when routed. */
  location?: string;
  /** The instant the wait counted from. */
  since: string;
  /** The instant the level fell due (ES-6 measures from here to the notice leaving the hub). */
  dueAt?: string;
  /** What was done beyond telling: "dispatch paused", "payouts frozen", "pinned for manual review". */
  actions: string[];
  /** The order in the Temporal Web UI. */
  link?: string;
}

/** A rendered notice, as notification channels take it. */
export interface RenderedNotice {
  subject: string;
  text: string;
  markdown: string;
  link?: string;
}

const what: Record<string, { zh: string; en: string }> = {
  'ES-1': { zh: '已付款但未分配仓库', en: 'paid and not assigned to a warehouse' },
  'ES-2': { zh: '已分配但未开始作业', en: 'assigned and not started' },
  'ES-3': { zh: '已开始作业但长时间无进展，已暂停向该仓发单', en: 'started and no progress; dispatch there paused' },
  'ES-4': { zh: '已打包但未发出，已冻结结算', en: 'packed and not shipped; payouts frozen' },
  'ES-5': { zh: '自派单起状态无变化且无运单号', en: 'no status change and no tracking number since dispatch' },
  'ES-5b': { zh: '仍无进展，已进入人工审核队列', en: 'still no progress: in the manual-review queue' },
  'FS-2': { zh: '发货后运单号未回传到销售渠道', en: 'tracking not confirmed by the sales channel after shipment' },
  'FS-3': { zh: '物流轨迹长时间无更新', en: 'tracking trail silent' },
};

/** Renders a notice for one recipient's language. */
export function renderNotice(facts: EscalationFacts, language: 'zh' | 'en'): RenderedNotice {
  const late = what[facts.level]?.[language] ?? facts.level;
  const where = facts.location ? (language === 'zh' ? `（${facts.location}）` : ` (${facts.location})`) : '';
  const subject =
    language === 'zh' ? `【${facts.level}】订单 ${facts.orderId} ${late}` : `[${facts.level}] order ${facts.orderId}: ${late}`;
  const since = language === 'zh' ? `起始时间：${facts.since}` : `since ${facts.since}`;
  const done =
    facts.actions.length > 0 ? (language === 'zh' ? `已执行：${facts.actions.join('，')}` : `done: ${facts.actions.join(', ')}`) : '';
  const open = facts.link ? (language === 'zh' ? `查看订单：${facts.link}` : `open the order: ${facts.link}`) : '';
  const text = [`${subject}${where}`, since, done, open].filter(Boolean).join('\n');
  const markdown = [`**${subject}**${where}`, `> ${since}`, done && `> ${done}`, facts.link ? `[${facts.orderId}](${facts.link})` : '']
    .filter(Boolean)
    .join('\n');
  return { subject, text, markdown, ...(facts.link ? { link: facts.link } : {}) };
}
