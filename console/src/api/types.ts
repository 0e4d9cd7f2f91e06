/**
 * Helpers over the generated API types (schema.d.ts, from the server's OpenAPI document; run
 * `npm run api:types` after changing a route's schema). The server's TypeBox schemas are inline,
 * so types are named by path and method:
 *
 *   type Order = Json<'/api/v1/orders/{id}'>;            // GET's 200 body
 *   type Created = Json<'/api/v1/promotions', 'post'>;   // POST's 200 body
 *   type Row = Item<Json<'/api/v1/orders'>['data']>;     // one element of a list
 */
import type { paths } from './schema';

export type { paths } from './schema';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The methods path P has (a typo or a missing route is a compile error, not `never`). */
export type MethodOf<P extends keyof paths> = { [M in Method]: paths[P][M] extends { responses: unknown } ? M : never }[Method];

/** The JSON body of a response: path P, method M (default get), status S (default 200). */
export type Json<P extends keyof paths, M extends MethodOf<P> = MethodOf<P> & 'get', S extends number = 200> =
  paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer T } } } } ? T : never;

/** The JSON request body of path P, method M. */
export type Body<P extends keyof paths, M extends MethodOf<P>> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** One element of an array type. */
export type Item<A> = A extends readonly (infer T)[] ? T : never;
