/** Wall-clock views of instants in an explicit time zone, for clock rules (IN-3). */
import { z } from 'zod';

const offsetPattern = /^([+-])(\d{2}):(\d{2})$/;

/** True when the runtime knows this IANA zone name; Intl throws a RangeError otherwise. */
function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A time zone every clock rule must name: an IANA zone ("Asia/Shanghai") or a fixed offset ("+08:00"). */
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1)
  .refine((zone) => offsetPattern.test(zone) || isIanaZone(zone), 'an IANA time zone such as Asia/Shanghai, or an offset such as +08:00');
/** A named time zone or fixed offset. */
export type TimeZone = z.infer<typeof timeZoneSchema>;

/** A local calendar date and clock time, both zero-padded so they compare as strings. */
export interface LocalDateTime {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `HH:mm:ss`, 00–23 hours */
  readonly time: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Date and time of a UTC-shifted instant, read through UTC getters so the host zone never leaks in. */
function fromShiftedMs(ms: number): LocalDateTime {
  const d = new Date(ms);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

// Formatters are costly to build; one per zone is reused by every order (LD-2).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock date and time of an instant (epoch ms) in the given zone or offset. */
export function localDateTimeIn(epochMs: number, zone: TimeZone): LocalDateTime {
  const offset = offsetPattern.exec(zone);
  if (offset) {
    const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === '-' ? -1 : 1);
    return fromShiftedMs(epochMs + minutes * 60_000);
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

/** A clock value "HH:mm" or "HH:mm:ss" padded to "HH:mm:ss" so it compares with `LocalDateTime.time`. */
export function normalizeClock(clock: string): string {
  return clock.length === 5 ? `${clock}:00` : clock;
}
