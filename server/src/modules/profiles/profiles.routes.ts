import { Type } from 'typebox';
import type { CountryCode } from 'libphonenumber-js';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace } from '../../platform/context';
import { ErrorResponse } from '../../platform/schema';
import { getWorkspace } from '../workspaces';
import { LookupQuery, MergeSchema, ProfileParams, ProfileSchema, SearchQuery, SearchResponse } from './profiles.schema';
import { getMergeHistory, getProfile, lookupProfile, searchProfiles } from './profiles.service';

export function profilesRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('preHandler', guard);
    const orm = ctx.db.orm;
    const countryOf = async (workspaceId: string) => (await getWorkspace(orm, workspaceId)).defaultCountry as CountryCode;

    app.get('/api/v1/profiles', {
      schema: { tags: ['profiles'], summary: 'Search profiles by name, email or phone (accent-insensitive)', querystring: SearchQuery, response: { 200: SearchResponse, 400: ErrorResponse } },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      return searchProfiles(orm, { workspaceId, q: req.query.q, limit: req.query.limit ?? 50, cursor: req.query.cursor, defaultCountry: await countryOf(workspaceId) });
    });

    app.get('/api/v1/profiles/lookup', {
      schema: { tags: ['profiles'], summary: 'Find the profile holding an identifier (normalised like incoming events)', querystring: LookupQuery, response: { 200: ProfileSchema, 404: ErrorResponse } },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      return lookupProfile(orm, { workspaceId, type: req.query.type, value: req.query.value, defaultCountry: await countryOf(workspaceId) });
    });

    app.get('/api/v1/profiles/:id', {
      schema: { tags: ['profiles'], summary: 'A profile; a merged-away id returns the surviving profile', params: ProfileParams, response: { 200: ProfileSchema, 404: ErrorResponse } },
    }, async (req) => getProfile(orm, adminWorkspace(req), req.params.id));

    app.get('/api/v1/profiles/:id/merges', {
      schema: { tags: ['profiles'], summary: 'Merge history: which profiles were merged into this one, when and why', params: ProfileParams, response: { 200: Type.Object({ data: Type.Array(MergeSchema) }), 404: ErrorResponse } },
    }, async (req) => ({ data: await getMergeHistory(orm, adminWorkspace(req), req.params.id) }));
  };
}
