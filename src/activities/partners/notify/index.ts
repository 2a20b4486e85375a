/** The channels escalations reach people through: WeCom group robots, SMS, e-mail and the generic signed webhook. */
export type { Notice, Notifier, NotifierOptions, PersonalChannel } from './types';
export { createWeComNotifier, type WeComEndpoint } from './wecom';
export { createAliyunSmsNotifier, type AliyunSmsEndpoint } from './sms';
export { createEmailNotifier, type SmtpEndpoint } from './email';
export { createWebhookNotifier } from './webhook';
