import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace } from '../../platform/context';
import { ErrorResponse } from '../../platform/schema';
import {
  CatalogVariantSchema,
  CategorySchema,
  ChannelListQuery,
  ChannelPriceBody,
  ChannelSchema,
  CreateCategoryBody,
  CreateChannelBody,
  CreateLocationBody,
  CreateProductBody,
  IdParams,
  LocationSchema,
  ProductListQuery,
  ProductListResponse,
  ProductSchema,
  UpdateCategoryBody,
  UpdateChannelBody,
  UpdateLocationBody,
  UpdateProductBody,
  UpdateVariantBody,
  VariantInputSchema,
  VariantLookupQuery,
  VariantPriceParams,
  VariantSchema,
} from './catalog.schema';
import * as service from './catalog.service';

const tags = ['catalog'];
const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export function catalogRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;

    // Sales channels

    app.post('/api/v1/channels', {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'Create a sales channel (web, app, a store’s POS, a marketplace shop …)', body: CreateChannelBody, response: { 201: ChannelSchema, ...errors } },
    }, async (req, reply) => reply.code(201).send(await service.createChannel(orm, adminWorkspace(req), req.body)));

    app.get('/api/v1/channels', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'List sales channels (archived ones with ?archived=true)', querystring: ChannelListQuery, response: { 200: Type.Object({ data: Type.Array(ChannelSchema) }), 400: ErrorResponse } },
    }, async (req) => ({
      data: await service.listChannels(orm, adminWorkspace(req), { type: req.query.type, includeArchived: req.query.archived === true }),
    }));

    app.get('/api/v1/channels/:id', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'A sales channel with its locations by priority', params: IdParams, response: { 200: ChannelSchema, 404: ErrorResponse } },
    }, async (req) => service.getChannel(orm, adminWorkspace(req), req.params.id));

    app.patch('/api/v1/channels/:id', {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'Change a channel’s name, allocation, locations (replaced) or source', params: IdParams, body: UpdateChannelBody, response: { 200: ChannelSchema, ...errors } },
    }, async (req) => service.updateChannel(orm, adminWorkspace(req), req.params.id, req.body));

    app.delete('/api/v1/channels/:id', {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'Archive a channel', params: IdParams, response: { 200: ChannelSchema, 404: ErrorResponse } },
    }, async (req) => service.archiveChannel(orm, adminWorkspace(req), req.params.id));

    // Stock locations

    app.post('/api/v1/locations', {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'Create a store or warehouse', body: CreateLocationBody, response: { 201: LocationSchema, 400: ErrorResponse } },
    }, async (req, reply) => reply.code(201).send(await service.createLocation(orm, adminWorkspace(req), req.body)));

    app.get('/api/v1/locations', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'List stores and warehouses', response: { 200: Type.Object({ data: Type.Array(LocationSchema) }) } },
    }, async (req) => ({ data: await service.listLocations(orm, adminWorkspace(req)) }));

    app.get('/api/v1/locations/:id', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'A store or warehouse', params: IdParams, response: { 200: LocationSchema, 404: ErrorResponse } },
    }, async (req) => service.getLocation(orm, adminWorkspace(req), req.params.id));

    app.patch('/api/v1/locations/:id', {
      config: { permission: 'channels.manage' },
      schema: { tags, summary: 'Change a store or warehouse', params: IdParams, body: UpdateLocationBody, response: { 200: LocationSchema, 400: ErrorResponse, 404: ErrorResponse } },
    }, async (req) => service.updateLocation(orm, adminWorkspace(req), req.params.id, req.body));

    // Categories

    app.post('/api/v1/categories', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Create a category; the slug is derived from the name when absent', body: CreateCategoryBody, response: { 201: CategorySchema, ...errors } },
    }, async (req, reply) => reply.code(201).send(await service.createCategory(orm, adminWorkspace(req), req.body)));

    app.get('/api/v1/categories', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'List categories', response: { 200: Type.Object({ data: Type.Array(CategorySchema) }) } },
    }, async (req) => ({ data: await service.listCategories(orm, adminWorkspace(req)) }));

    app.patch('/api/v1/categories/:id', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Change a category', params: IdParams, body: UpdateCategoryBody, response: { 200: CategorySchema, ...errors } },
    }, async (req) => service.updateCategory(orm, adminWorkspace(req), req.params.id, req.body));

    app.delete('/api/v1/categories/:id', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Delete a category no product uses', params: IdParams, response: { 200: CategorySchema, 404: ErrorResponse, 409: ErrorResponse } },
    }, async (req) => service.deleteCategory(orm, adminWorkspace(req), req.params.id));

    // Products

    app.post('/api/v1/products', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Create a product with its variants (prices in integer minor units)', body: CreateProductBody, response: { 201: ProductSchema, ...errors } },
    }, async (req, reply) => reply.code(201).send(await service.createProduct(orm, adminWorkspace(req), req.body)));

    app.get('/api/v1/products', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'Search products by title or SKU (accent-insensitive), newest first', querystring: ProductListQuery, response: { 200: ProductListResponse, 400: ErrorResponse } },
    }, async (req) =>
      service.listProducts(orm, adminWorkspace(req), {
        q: req.query.q,
        categoryId: req.query.categoryId,
        status: req.query.status,
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor,
      }));

    app.get('/api/v1/products/:id', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'A product with its variants and their channel prices', params: IdParams, response: { 200: ProductSchema, 404: ErrorResponse } },
    }, async (req) => service.getProduct(orm, adminWorkspace(req), req.params.id));

    app.patch('/api/v1/products/:id', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Change a product’s title, description, status or categories (replaced)', params: IdParams, body: UpdateProductBody, response: { 200: ProductSchema, ...errors } },
    }, async (req) => service.updateProduct(orm, adminWorkspace(req), req.params.id, req.body));

    app.delete('/api/v1/products/:id', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Archive a product', params: IdParams, response: { 200: ProductSchema, 404: ErrorResponse } },
    }, async (req) => service.archiveProduct(orm, adminWorkspace(req), req.params.id));

    // Variants

    app.post('/api/v1/products/:id/variants', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Add a variant to a product', params: IdParams, body: VariantInputSchema, response: { 201: VariantSchema, ...errors } },
    }, async (req, reply) => reply.code(201).send(await service.addVariant(orm, adminWorkspace(req), req.params.id, req.body)));

    app.get('/api/v1/variants', {
      config: { permission: 'catalog.read' },
      schema: { tags, summary: 'Find variants by SKU or barcode (?sku=A&sku=B, ?barcode=…)', querystring: VariantLookupQuery, response: { 200: Type.Object({ data: Type.Array(CatalogVariantSchema) }), 400: ErrorResponse } },
    }, async (req) => ({ data: await service.lookupVariants(orm, adminWorkspace(req), { skus: req.query.sku, barcodes: req.query.barcode }) }));

    app.patch('/api/v1/variants/:id', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Change a variant’s title, barcode, options or price', params: IdParams, body: UpdateVariantBody, response: { 200: VariantSchema, ...errors } },
    }, async (req) => service.updateVariant(orm, adminWorkspace(req), req.params.id, req.body));

    app.put('/api/v1/variants/:id/prices/:channelId', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Set a channel’s own price for a variant (in the channel’s currency)', params: VariantPriceParams, body: ChannelPriceBody, response: { 200: VariantSchema, ...errors } },
    }, async (req) =>
      service.setChannelPrice(orm, adminWorkspace(req), { variantId: req.params.id, channelId: req.params.channelId, ...req.body }));

    app.delete('/api/v1/variants/:id/prices/:channelId', {
      config: { permission: 'catalog.write' },
      schema: { tags, summary: 'Remove a channel’s own price (the variant’s price applies)', params: VariantPriceParams, response: { 200: VariantSchema, 404: ErrorResponse } },
    }, async (req) => service.removeChannelPrice(orm, adminWorkspace(req), { variantId: req.params.id, channelId: req.params.channelId }));
  };
}
