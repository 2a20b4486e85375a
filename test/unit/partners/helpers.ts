/** Shared set-up for partner tests: fresh secrets and addresses. */
import { randomBytes } from 'node:crypto';
import type { Address } from '../../../src/domain/order';

/** A fresh Standard Webhooks secret. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A recipient in Suzhou. */
export const suzhou: Address = { name: 'Li Lei', phone: '13800000000', province: 'Jiangsu', city: 'Suzhou', line1: '1 Renmin Rd' };
