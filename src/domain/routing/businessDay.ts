/** Business days (IN-3): days start at midnight in the network's time zone, not at midnight UTC. */

/** The offset of a zone such as "+08:00", in minutes. */
function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** Start of the business day containing `now`, in the zone of `offset`. */
export function businessDayStart(now: Date, offset: string): Date {
  const minutes = offsetMinutes(offset);
  const local = new Date(now.getTime() + minutes * 60_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - minutes * 60_000);
}

/** The business day containing `now` as `YYYY-MM-DD` in the zone of `offset` (the key of daily counters). */
export function businessDayOf(now: Date, offset: string): string {
  return new Date(businessDayStart(now, offset).getTime() + offsetMinutes(offset) * 60_000).toISOString().slice(0, 10);
}
