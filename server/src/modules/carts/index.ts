export { CartHub, type CartSubscription } from './cart-hub';
export {
  CART_NOTIFY_CHANNEL,
  CUSTOMER_WRITER,
  STAFF_WRITER,
  deviceWriter,
  guestMayReachCart,
  cartHolder,
  changeCart,
  closeCart,
  deleteCartsOfProfiles,
  emptyCart,
  getCart,
  getCartById,
  lockCartForCheckout,
  paymentMethodOf,
  recordCartViewed,
  startCartMergeConsumer,
  type Cart,
  type CartCaller,
  type CartOp,
  type CheckoutState,
} from './carts.service';
export * as cartSchemas from './carts.schema';
