// An order in a small online shop: its lines, the coupon it uses and where it ships to.
import { formatPrice, roundCents } from "./money";

export interface LineItem {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

export interface Order {
  id: string;
  items: LineItem[];
  couponCode?: string;
  country: string;
}

const FREE_SHIPPING_FROM = 50;
const SHIPPING_RATES: Record<string, number> = { DE: 4.9, FR: 6.5, NL: 5.5, US: 12 };
const FALLBACK_SHIPPING = 15;

/** The sum of the order's lines, before any discount or shipping. */
export function subtotal(order: Order): number {
  return roundCents(order.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0));
}

/** 10% off with the coupon WELCOME10; no other coupon exists yet. */
export function discount(order: Order): number {
  return order.couponCode === "WELCOME10" ? roundCents(subtotal(order) * 0.1) : 0;
}

export function shipping(order: Order): number {
  if (subtotal(order) - discount(order) >= FREE_SHIPPING_FROM) return 0;
  return SHIPPING_RATES[order.country] ?? FALLBACK_SHIPPING;
}

/** What the customer pays. */
export function total(order: Order): number {
  return roundCents(subtotal(order) - discount(order) + shipping(order));
}

/** One line per item and the total, for the confirmation e-mail. */
export function receipt(order: Order): string {
  const lines = order.items.map((item) => `${item.quantity} x ${item.name}  ${formatPrice(item.unitPrice * item.quantity)}`);
  return [...lines, `Total  ${formatPrice(total(order))}`].join("\n");
}

