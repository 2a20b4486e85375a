/**
 * Money inside the hub is an integer count of minor units (fen for CNY, cents for USD), so sums, comparisons
 * and thresholds are exact. Only channel payloads carry decimals ("19.99"); they are converted exactly once, at
 * intake, by `decimalMoneySchema`.
 */
import { z } from 'zod';

/** Minor units per major unit: 100 fen to the yuan. */
export const MINOR_UNITS_PER_MAJOR = 100;

/** The largest amount the hub accepts, in minor units (100,000,000.00 in the order's currency). */
export const MAX_MINOR_UNITS = 100_000_000 * MINOR_UNITS_PER_MAJOR;

/** The largest decimal amount a channel may send (100,000,000.00). */
export const MAX_DECIMAL_MONEY = MAX_MINOR_UNITS / MINOR_UNITS_PER_MAJOR;

// The shortest text that reads back as the same double: "19.99" for 19.99 even though 19.99 * 100 is 1998.9999999999998.
const decimalText = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** The exact minor units of a decimal amount with at most two decimals, or undefined for any other number. */
export function minorUnitsOf(decimal: number): number | undefined {
  if (!Number.isFinite(decimal)) return undefined;
  // String(n) is the shortest decimal that round-trips to n, so it is exactly what the channel wrote in its JSON.
  const match = decimalText.exec(String(decimal));
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const minor = Number(whole) * MINOR_UNITS_PER_MAJOR + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) return undefined;
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/** Converts a decimal amount (19.99) to exact minor units (1999); throws a RangeError for more than two decimals. */
export function toMinorUnits(decimal: number): number {
  const minor = minorUnitsOf(decimal);
  if (minor === undefined) throw new RangeError(`${decimal} is not a money amount with at most two decimals`);
  return minor;
}

/** Converts minor units (1999) to the decimal number a channel or person reads (19.99); exact for any safe integer. */
export function fromMinorUnits(minor: number): number {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  // One correctly rounded division gives the same double as the literal "19.99".
  return minor / MINOR_UNITS_PER_MAJOR;
}

/** Minor units as two-decimal text for messages ("6200.00"), computed in integers. */
export function formatMinorUnits(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / MINOR_UNITS_PER_MAJOR);
  const fraction = String(abs % MINOR_UNITS_PER_MAJOR).padStart(2, '0');
  return `${sign}${whole}.${fraction}`;
}

/** An amount in minor units (fen): a non-negative whole number up to `MAX_MINOR_UNITS`. */
export const minorUnitsSchema = z
  .int()
  .min(0)
  .max(MAX_MINOR_UNITS)
  .describe('an amount in minor units (fen for CNY: 1999 = 19.99), a whole number');

/** The wire form of money in channel payloads: a number with at most two decimals (19.99), parsed into minor units (1999). */
export const decimalMoneySchema = z
  .number()
  .nonnegative()
  .max(MAX_DECIMAL_MONEY)
  .refine((n) => minorUnitsOf(n) !== undefined, 'at most two decimals')
  .transform((n) => toMinorUnits(n))
  .describe('an amount in the order currency with at most two decimals (19.99); the hub stores it as minor units');
