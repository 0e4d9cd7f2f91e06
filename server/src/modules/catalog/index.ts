export { catalogRoutes } from './catalog.routes';
export {
  findVariantsBySku,
  getChannel,
  getLocation,
  getProduct,
  getVariantsByIds,
  listChannels,
  listLocations,
  priceFor,
  slugify,
  type CatalogVariant,
  type Category,
  type Product,
  type SalesChannel,
  type StockLocation,
  type Variant,
} from './catalog.service';
export {
  ALLOCATION_MODES,
  LOCATION_KINDS,
  PRODUCT_STATUSES,
  SALES_CHANNEL_TYPES,
  type AllocationMode,
  type LocationKind,
  type ProductStatus,
  type SalesChannelType,
} from './catalog.schema';
