export {
  createOrder,
  findOrder,
  getCommerceFacts,
  getPurchaseFacts,
  getOrder,
  listOrders,
  NEXT_STATUS,
  ORDER_STATUSES,
  refreshCommerceFacts,
  setLineLocations,
  startCommerceFactsConsumer,
  transitionOrder,
  type CommerceFacts,
  type NewOrderInput,
  type Order,
  type OrderLine,
  type OrderStatus,
} from './orders.service';
export { ordersRoutes } from './orders.routes';
export { OrderSchema, PlaceOrderBody, type PlaceOrderInput } from './orders.schema';
