/**
 * The business day an instant belongs to: the local date in the restaurant's time zone,
 * where the day starts at `startHour` (a 1 a.m. order counts toward the night before).
 */
export function businessDate(at: Date, timeZone: string, startHour: number): string {
  const shifted = new Date(at.getTime() - startHour * 3_600_000);
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(shifted);
}
