export interface CartLine {
  menuItemId: string;
  name: string;
  unitPrice: number;
  quantity: number;
  notes: string | null;
  modifiers: string[];
}

/** Adds one of an item; the same item without notes stacks on its line. */
export function addToCart(lines: readonly CartLine[], item: { id: string; name: string; price: number }): CartLine[] {
  const i = lines.findIndex((l) => l.menuItemId === item.id && !l.notes && !l.modifiers.length);
  if (i >= 0) return lines.map((l, j) => (j === i ? { ...l, quantity: Math.min(99, l.quantity + 1) } : l));
  return [...lines, { menuItemId: item.id, name: item.name, unitPrice: item.price, quantity: 1, notes: null, modifiers: [] }];
}

export function setQuantity(lines: readonly CartLine[], index: number, quantity: number): CartLine[] {
  if (quantity <= 0) return lines.filter((_, j) => j !== index);
  return lines.map((l, j) => (j === index ? { ...l, quantity: Math.min(99, quantity) } : l));
}

/** Modifiers as typed: "medium rare, no onions". */
export function parseModifiers(text: string): string[] {
  return text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .slice(0, 20);
}

export function cartSubtotal(lines: readonly CartLine[]): number {
  return lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
}

const formatters = new Map<string, Intl.NumberFormat>();
/** Minor units to "$12.50" in the restaurant's currency. */
export function formatMoney(minor: number, currency = 'USD', locale?: string): string {
  const key = `${currency}|${locale ?? ''}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(locale, { style: 'currency', currency })));
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** digits);
}

/**
 * One idempotency key per submission: kept while the same thing is retried (a double tap, a lost
 * response), replaced once it succeeded. The server replays the first result for a known key.
 */
export class SubmitKey {
  private key: string | null = null;
  current(): string {
    return (this.key ??= crypto.randomUUID());
  }
  done(): void {
    this.key = null;
  }
}
