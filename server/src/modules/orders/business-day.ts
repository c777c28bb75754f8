const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The business day an instant belongs to: the local date in the restaurant's time zone,
 * where the day starts at `startHour` (a 1 a.m. order counts toward the night before).
 */
export function businessDate(at: Date, timeZone: string, startHour: number): string {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Building a formatter is costly: one per zone, kept.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(at.getTime() - startHour * 3_600_000));
}
