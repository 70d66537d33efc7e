import { ACCOUNTS, PARCELS, PUBLIC_ORDERS, formatMoney } from './demo-data.js';
import type { Identity, OpenTool, SecureTool, Tool } from './types.js';

const NO_ACCOUNT =
  "I couldn't find an account linked to your sign-in. If you just signed up, it can take a few minutes to appear; otherwise contact support.";

export const businessHours: OpenTool<true> = {
  name: 'business-hours',
  summary: 'tell you our business hours ("What are your business hours?")',
  kind: 'knowledge-base',
  requiresSignIn: false,
  requiredClaims: [],
  match: (text) => (/\b(business hours|opening hours|hours|open|opening|closed?|closing)\b/i.test(text) ? true : null),
  run: () =>
    "We're open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Central European Time). We're closed on Sundays and public holidays.",
};

const ORDER_NUMBER = /(?:#\s?|\border\s+(?:number\s+|no\.?\s*)?)([A-Za-z]{2,5}\d{2,8})\b/i;

export const orderStatus: OpenTool<{ number: string }> = {
  name: 'order-status',
  summary: 'look up an order by its number ("Where is order #ABC123?")',
  kind: 'public',
  requiresSignIn: false,
  requiredClaims: [],
  match(text) {
    const found = ORDER_NUMBER.exec(text);
    return found?.[1] ? { number: found[1].toUpperCase() } : null;
  },
  run({ number }) {
    const order = PUBLIC_ORDERS.get(number);
    return order
      ? `Order #${order.number} ${order.status}.`
      : `I couldn't find order #${number}. Check the number in your confirmation email and ask again.`;
  },
};

const TRACKING_WORDS = /\b(track|tracking|package|parcel|shipment|delivery)\b/i;
const TRACKING_NUMBER = /\b(?=[A-Z0-9]*\d)([A-Z0-9]{10,30})\b/i;

export const packageTracking: OpenTool<{ trackingNumber: string | null }> = {
  name: 'package-tracking',
  summary: 'track a package by its tracking number ("Track package 1Z999AA10123456784")',
  kind: 'public',
  requiresSignIn: false,
  requiredClaims: [],
  match(text) {
    if (!TRACKING_WORDS.test(text)) return null;
    const found = TRACKING_NUMBER.exec(text);
    return { trackingNumber: found?.[1]?.toUpperCase() ?? null };
  },
  run({ trackingNumber }) {
    if (trackingNumber === null) {
      return 'Send me the tracking number from your shipping email (for example "Track 1Z999AA10123456784") and I will look it up.';
    }
    const status = PARCELS.get(trackingNumber);
    return status
      ? `Package ${trackingNumber} ${status}.`
      : `I couldn't find a package with tracking number ${trackingNumber}. Check the number in your shipping email and try again.`;
  },
};

export const accountBalance: SecureTool<true> = {
  name: 'account-balance',
  summary: 'tell you your account balance once you are signed in ("What\'s my balance?")',
  kind: 'secure',
  requiresSignIn: true,
  requiredClaims: ['userId'],
  task: 'show your account balance',
  match: (text) => (/\b(balance|credit|how much do i owe)\b/i.test(text) ? true : null),
  run(_args, identity: Identity) {
    const account = ACCOUNTS.get(identity.userId);
    if (!account) return NO_ACCOUNT;
    return `Your account balance is ${formatMoney(account.balance)}.`;
  },
};

export const myOrders: SecureTool<true> = {
  name: 'my-orders',
  summary: 'show your orders once you are signed in ("Show my orders")',
  kind: 'secure',
  requiresSignIn: true,
  requiredClaims: ['userId'],
  task: 'show your orders',
  match: (text) => (/\b(my|recent|latest|past)\s+(orders?|purchases?)\b|\border history\b/i.test(text) ? true : null),
  run(_args, identity: Identity) {
    const account = ACCOUNTS.get(identity.userId);
    if (!account) return NO_ACCOUNT;
    if (account.orders.length === 0) return "You haven't placed any orders yet.";
    const lines = account.orders.map((order) => `- #${order.number}: ${order.item} (${order.status})`);
    return `Your orders:\n${lines.join('\n')}`;
  },
};

export const cancelSubscription: SecureTool<true> = {
  name: 'cancel-subscription',
  summary: 'cancel your subscription once you are signed in ("Cancel my subscription")',
  kind: 'secure',
  requiresSignIn: true,
  // The confirmation goes to the address the visitor's platform vouches for.
  requiredClaims: ['userId', 'email'],
  task: 'cancel your subscription',
  match: (text) => (/\b(cancel|end|stop)\b.*\bsubscription\b|\bunsubscribe\b/i.test(text) ? true : null),
  run(_args, identity: Identity, { ledger }) {
    const account = ACCOUNTS.get(identity.userId);
    if (!account) return NO_ACCOUNT;
    const subscription = account.subscription;
    if (!subscription) return "You don't have an active subscription, so there is nothing to cancel.";
    const alreadyCancelledAt = ledger.subscriptionCancelledAt(identity.userId);
    if (alreadyCancelledAt) {
      return `Your ${subscription.plan} subscription is already cancelled (since ${alreadyCancelledAt.slice(0, 10)}); you won't be charged again.`;
    }
    ledger.cancelSubscription(identity.userId);
    return (
      `Done: your ${subscription.plan} subscription (${subscription.price}) is cancelled. ` +
      `You keep access until ${subscription.renewsOn} and won't be charged again; a confirmation is on its way to ${String(identity.email)}.`
    );
  },
};

/**
 * Every tool, in the order the matcher tries them: the most specific intent
 * first, so "cancel my subscription" never reads as a question about hours and
 * "where is order #ABC123" is the public lookup, not "my orders".
 */
export const TOOLS: readonly Tool[] = [
  cancelSubscription,
  accountBalance,
  orderStatus,
  packageTracking,
  myOrders,
  businessHours,
];
