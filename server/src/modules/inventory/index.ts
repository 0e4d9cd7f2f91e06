export {
  adjustStock,
  availableForChannel,
  checkAvailable,
  convertReservations,
  expireReservations,
  getLevels,
  holdStock,
  listAdjustments,
  listReservations,
  MAX_ON_HAND,
  releaseHeldStock,
  releaseReservations,
  reserveStock,
  restock,
  sellableFor,
  sellHeldStock,
  startReservationSweeper,
  takeStock,
  type Adjustment,
  type ChannelStock,
  type HoldResult,
  type Level,
  type Reservation,
  type StockLine,
  type TakenLine,
} from './inventory.service';
export { inventoryRoutes } from './inventory.routes';
export { STOCK_NOTIFY_CHANNEL } from './inventory.repo';
export { StockHub, type StockChange, type StockSubscription } from './stock-hub';
export { listStock, type StockList, type StockRow } from './stock-list';
