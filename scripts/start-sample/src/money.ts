// Amounts of money in a currency's main unit (euros, dollars), rounded to cents where a price is shown or charged.

/** Rounds to whole cents, halves away from zero (1.005 → 1.01), as a till does. */
export function roundCents(amount: number): number {
  return Math.sign(amount) * Math.round(Math.abs(amount) * 100 + Number.EPSILON) / 100;
}

/** "€12.50", "$3.00": the amount as a customer reads it. */
export function formatPrice(amount: number, currency = "EUR"): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(amount);
}
