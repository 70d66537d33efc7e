/**
 * The demo shop's data. Public records (order status by number, parcels by
 * tracking number) and private account data keyed by the visitor's `sub`
 * (alice, bob and carol are the demo identity provider's users).
 */

export interface PublicOrder {
  number: string;
  status: string;
}

export const PUBLIC_ORDERS: ReadonlyMap<string, PublicOrder> = new Map(
  [
    { number: 'ABC123', status: 'shipped on 20 November and is due on 25 November (tracking number 1Z999AA10123456784)' },
    { number: 'DEF456', status: 'was delivered on 2 November' },
    { number: 'GHI789', status: 'is being packed and should ship within 2 working days' },
    { number: 'JKL012', status: 'was cancelled and refunded on 14 October' },
  ].map((order) => [order.number, order]),
);

export const PARCELS: ReadonlyMap<string, string> = new Map([
  ['1Z999AA10123456784', 'is in transit: it left the Leipzig hub this morning and is due on 25 November'],
  ['9400111899223856928499', 'was delivered on 2 November at 10:42 and left at the front door'],
  ['JD014600006281234567', 'is out for delivery today'],
]);

export interface Account {
  balance: { amountCents: number; currency: string };
  orders: { number: string; item: string; status: string }[];
  subscription: { plan: string; price: string; renewsOn: string } | null;
}

export const ACCOUNTS: ReadonlyMap<string, Account> = new Map<string, Account>([
  [
    'alice',
    {
      balance: { amountCents: 128_450, currency: 'USD' },
      orders: [
        { number: 'ABC123', item: 'Trail running shoes', status: 'shipped, due 25 November' },
        { number: 'DEF456', item: 'Merino base layer', status: 'delivered 2 November' },
      ],
      subscription: { plan: 'Pro', price: '$29 a month', renewsOn: '15 December 2026' },
    },
  ],
  [
    'bob',
    {
      balance: { amountCents: 4_200, currency: 'USD' },
      orders: [{ number: 'GHI789', item: 'Camping stove', status: 'being packed' }],
      subscription: { plan: 'Basic', price: '$99 a year', renewsOn: '1 March 2027' },
    },
  ],
  [
    'carol',
    {
      balance: { amountCents: 0, currency: 'USD' },
      orders: [],
      subscription: null,
    },
  ],
]);

export function formatMoney(amount: { amountCents: number; currency: string }): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: amount.currency }).format(amount.amountCents / 100);
}
