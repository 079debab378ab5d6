/** Upper bounds of an order; together they keep every total an exact integer, far below 2^53. */
export const MAX_ORDER_ITEMS = 100;
export const MAX_QUANTITY = 10_000;
export const MAX_UNIT_PRICE_CENTS = 100_000_000;
