import { MAX_ORDER_ITEMS, MAX_QUANTITY, MAX_UNIT_PRICE_CENTS } from './order-limits';
import { orderTotalCents } from './order-total';

describe(orderTotalCents.name, () => {
  it('sums quantity times unit price in integer cents', () => {
    expect(orderTotalCents([{ sku: 'A', quantity: 2, unitPriceCents: 1999 }, { sku: 'B', quantity: 1, unitPriceCents: 0 }])).toBe(3998);
  });

  it('stays an exact integer at the validation bounds', () => {
    const items = Array.from({ length: MAX_ORDER_ITEMS }, () => ({ sku: 'A', quantity: MAX_QUANTITY, unitPriceCents: MAX_UNIT_PRICE_CENTS }));

    expect(Number.isSafeInteger(orderTotalCents(items))).toBe(true);
  });
});
