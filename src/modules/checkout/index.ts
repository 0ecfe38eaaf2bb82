import type { Platform, PlatformModule } from '../../platform/platform.ts';
import { orderEventJob } from './events.ts';
import { releaseReservationsJob, releaseReservationsSchedule } from './jobs.ts';
import { checkoutRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';
import { type Checkout, checkoutOf } from './service.ts';

let started: Platform | undefined;
const deliverOrderEvent = orderEventJob(() => {
  if (!started) throw new Error('the checkout module has not started');
  return started;
});

/** The checkout service of a running platform (carts, commit, order lifecycle). */
export const checkout = (platform: Platform): Checkout => checkoutOf(platform, deliverOrderEvent);

/** Carts, the checkout saga, orders and their admin API. */
export const checkoutModule: PlatformModule = {
  name: 'checkout',
  telemetry,
  routes: (app, platform) => checkoutRoutes(app, platform, () => checkout(platform)),
  jobs: [deliverOrderEvent, releaseReservationsJob],
  schedules: [releaseReservationsSchedule],
  async start(platform) {
    started = platform;
    // Subscribes the order to its payment's changes before any webhook is processed.
    checkout(platform);
  },
};

export type { Checkout } from './service.ts';
export { type CheckoutPreview, type CommitInput, type CommitResult, previewCheckout } from './saga.ts';
export type { OrderEvent, OrderEventType } from './events.ts';
export type { Order, OrderStatus, OrderSummary } from './orders.ts';
export { listOrders, loadOrder } from './orders.ts';
export { type CartOwner, type PricedCart, changeLine, clearCart, mergeCarts, newCartToken, pricedCart } from './carts.ts';
export { AddressSchema, CommitBody, CommitResponse } from './schemas.ts';
export { DEFAULT_ZONES } from './shipping.ts';
