/** A carrier's e-waybill service over the generic signed webhook: the answer must carry the tracking number it issued. */
import { z } from 'zod';
import type { CarrierEndpoint } from '../../config/partners';
import { classify, jsonOf } from './http';
import type { CarrierAdapter, PartnerAnswer } from './types';
import { createWebhookSender, type WebhookOptions } from './webhook';

/** What a carrier answers to `waybill.requested`; validated here because a partner's answer is outside input. */
export const waybillAnswerSchema = z.object({
  trackingNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,40}$/, 'letters, digits and dashes, at most 40'),
});

/** Builds the e-waybill adapter for one carrier. */
export function createCarrierAdapter(endpoint: CarrierEndpoint, options: WebhookOptions): CarrierAdapter {
  const send = createWebhookSender(endpoint, options);
  return {
    async requestWaybill(request, key) {
      const response = await send('waybill.requested', request, key);
      if ('outcome' in response) return response;
      const answer = classify(response);
      return answer.outcome === 'delivered' ? withTrackingNumber(answer, response.text) : answer;
    },
  };
}

/** A 2xx without a usable tracking number leaves the warehouse nothing to print: a person must look. */
function withTrackingNumber(answer: Extract<PartnerAnswer, { outcome: 'delivered' }>, text: string): PartnerAnswer {
  const parsed = waybillAnswerSchema.safeParse(jsonOf(text));
  if (parsed.success) return { ...answer, reference: parsed.data.trackingNumber };
  const why = z.prettifyError(parsed.error).replace(/\s+/g, ' ');
  return {
    outcome: 'refused',
    status: answer.status,
    excerpt: answer.excerpt,
    reason: `carrier answered ${answer.status} without a valid tracking number: ${why}`,
  };
}
