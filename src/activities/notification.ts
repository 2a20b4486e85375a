/** Notifications to people: operations alerts through the operations endpoint (a signed webhook until the escalation channels exist). */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { NotificationChannels } from '../config/partners';
import type { DeliveryOutcome } from '../domain/delivery';
import { operationsAlertWorkflowId } from '../domain/ids';
import { renderNotice, type EscalationFacts } from '../domain/notices';
import { observeEscalationNoticeLag } from '../metrics/hub';
import type { ActivityDeps } from './deps';
import { createLocations } from './locations';
import { createDeliverer } from './delivery';
import { createAliyunSmsNotifier, createEmailNotifier, createWeComNotifier, type Notifier } from './partners/notify';

/** An alert for operations; `key` is its idempotency key, so one situation alerts once however often it is retried. */
export interface OperationsAlert {
  key: string;
  /** What happened, e.g. orderHeld, deliveryRefused, writeBackLate, stockBelowSafety. */
  kind: string;
  orderId?: string;
  /** One line a person reads first. */
  summary: string;
  detail?: Record<string, unknown>;
}

/**
 * Raises an alert from inside another activity (e.g. a reservation crossing the safety threshold) without calling a
 * partner there: it starts the alert's own small workflow, whose id is the alert's key, so a retried activity
 * starts it once and the delivery gets Temporal's retries.
 */
export async function raiseAlert(alert: OperationsAlert): Promise<void> {
  const context = Context.current();
  try {
    await context.client.workflow.start('operationsAlertWorkflow', {
      workflowId: operationsAlertWorkflowId(alert.key),
      taskQueue: context.info.taskQueue,
      args: [alert],
      // A finished alert is not raised again by a retried activity.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** One person or group an escalation tells, as its policy names them (a role such as `@location`, or an address). */
export interface NoticeRecipient {
  channel: 'wecom' | 'sms' | 'email' | 'webhook';
  to: string;
  language: 'zh' | 'en';
}

/** Where a role reaches: `@location` is the warehouse lead or the supplier's contact; the others are configured people. */
interface Contacts {
  phone?: string;
  email?: string;
}

/** Builds the notification activities. */
export function createNotificationActivities(deps: ActivityDeps) {
  const deliver = createDeliverer(deps);
  const { partners, notifications } = deps;
  const locations = createLocations(deps);
  const options = { timeoutMs: notifications.timeoutMs };
  const channels: NotificationChannels = notifications.channels;
  const robots = new Map(Object.entries(channels.wecom).map(([name, endpoint]) => [name, createWeComNotifier(endpoint, options)]));
  const sms = channels.sms && createAliyunSmsNotifier(channels.sms, options);
  const email = channels.smtp && createEmailNotifier(channels.smtp, options);

  /** The warehouse lead's or supplier contact's phone and e-mail, read at send time (settings may have changed). */
  const locationContacts = async (location: { kind: 'warehouse' | 'supplier'; id: string } | undefined): Promise<Contacts> => {
    if (!location) return {};
    if (location.kind === 'supplier') return (await locations.supplier(location.id)).profile?.contact ?? {};
    return (await locations.warehouse(location.id))?.lead ?? {};
  };

  /** The channel's notifier for a recipient, or why there is none. */
  const notifierFor = async (
    recipient: NoticeRecipient,
    location: { kind: 'warehouse' | 'supplier'; id: string } | undefined,
  ): Promise<Notifier | string> => {
    const role = recipient.to.startsWith('@') ? recipient.to.slice(1) : undefined;
    if (recipient.channel === 'wecom') {
      const name = role === 'location' ? (location && robots.has(location.id) ? location.id : 'location') : (role ?? recipient.to);
      return robots.get(name) ?? `no WeCom robot named ${name} is configured`;
    }
    if (recipient.channel === 'webhook') {
      const name = role ?? recipient.to;
      const endpoint = channels.webhooks[name];
      if (!endpoint) return `no notification webhook named ${name} is configured`;
      const target = partners.webhook(endpoint);
      return { send: (notice, key) => target.post('escalation.notice', { ...notice }, key) };
    }
    const contacts: Contacts =
      role === 'location' ? await locationContacts(location) : role ? (channels.people[role as 'supervisor' | 'operations'] ?? {}) : {};
    if (recipient.channel === 'sms') {
      const phone = role ? contacts.phone : recipient.to;
      if (!sms) return 'no SMS gateway is configured';
      return phone ? sms.to(phone) : `no phone number is known for ${recipient.to}`;
    }
    const address = role ? contacts.email : recipient.to;
    if (!email) return 'no SMTP server is configured';
    return address ? email.to(address) : `no e-mail address is known for ${recipient.to}`;
  };
  const notifyOperations = (alert: OperationsAlert): Promise<DeliveryOutcome> => {
    const endpoint = partners.operations();
    return deliver(
      { key: alert.key, orderId: alert.orderId, partner: { kind: 'operations', id: 'operations' }, kind: alert.kind },
      endpoint &&
        (() =>
          endpoint.post(
            'operations.alert',
            { kind: alert.kind, orderId: alert.orderId, summary: alert.summary, detail: alert.detail ?? {} },
            alert.key,
          )),
    );
  };
  return {
    /**
     * Tells one person or group of an escalation (ES-1…ES-5, FS-2, FS-3) in their language, once per escalation
     * event: `key` names the event and the recipient, so a retry, or a replay after a worker died between the timer
     * and the send, delivers the same notice under the same key.
     */
    async notifyPerson(input: {
      key: string;
      recipient: NoticeRecipient;
      facts: EscalationFacts;
      location?: { kind: 'warehouse' | 'supplier'; id: string };
    }): Promise<DeliveryOutcome> {
      const { key, recipient, facts, location } = input;
      const notifier = await notifierFor(recipient, location);
      const partner = { kind: 'notification' as const, id: `${recipient.channel}:${recipient.to}` };
      const intent = { key, orderId: facts.orderId, partner, kind: `escalation ${facts.level}` };
      if (typeof notifier === 'string') return { delivered: false, key, partner, reason: notifier };
      const notice = renderNotice({ ...facts, link: facts.link ?? notifications.orderLink(facts.orderId) }, recipient.language);
      const outcome = await deliver(intent, () => notifier.send(notice, key));
      if (outcome.delivered && facts.dueAt) observeEscalationNoticeLag(facts.level, (Date.now() - Date.parse(facts.dueAt)) / 1000);
      return outcome;
    },

    /** Tells operations something needs a person: a refused delivery, a late write-back, stock under its safety line. */
    notifyOperations,
    /** Tells the supervisor on duty that an order waits for review, with its named holds (MR-3). */
    async notifySupervisor(input: {
      orderId: string;
      holds: Array<{ reason: string; detail: string }>;
      since: string;
    }): Promise<DeliveryOutcome> {
      return notifyOperations({
        key: `ops:held:${input.orderId}:${input.since}`,
        kind: 'orderHeld',
        orderId: input.orderId,
        summary: `order ${input.orderId} is on hold: ${input.holds.map((h) => h.reason).join(', ')}`,
        detail: { holds: input.holds, since: input.since },
      });
    },
  };
}
