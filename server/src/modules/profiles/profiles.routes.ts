import { Type } from 'typebox';
import type { CountryCode } from 'libphonenumber-js';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace } from '../../platform/context';
import { ErrorResponse } from '../../platform/schema';
import { getWorkspace } from '../workspaces';
import { LookupQuery, MergeSchema, ProfileParams, ProfileSchema } from './profiles.schema';
import { getMergeHistory, getProfile, lookupProfile, withEventCounts, type EventCounter } from './profiles.service';

export function profilesRoutes(ctx: AppContext, guard: AdminGuard, countEvents: EventCounter) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;
    const countryOf = async (workspaceId: string) => (await getWorkspace(orm, workspaceId)).defaultCountry as CountryCode;

    // GET /api/v1/profiles (search with channel and order filters) is flows/profile-search.ts.

    app.get('/api/v1/profiles/lookup', {
      config: { permission: 'profiles.read' },
      schema: { tags: ['profiles'], summary: 'Find the profile holding an identifier (normalised like incoming events)', querystring: LookupQuery, response: { 200: ProfileSchema, 404: ErrorResponse } },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const profile = await lookupProfile(orm, { workspaceId, type: req.query.type, value: req.query.value, defaultCountry: await countryOf(workspaceId) });
      return (await withEventCounts(orm, workspaceId, [profile], countEvents))[0]!;
    });

    app.get('/api/v1/profiles/:id', {
      config: { permission: 'profiles.read' },
      schema: { tags: ['profiles'], summary: 'A profile; a merged-away id returns the surviving profile', params: ProfileParams, response: { 200: ProfileSchema, 404: ErrorResponse } },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const profile = await getProfile(orm, workspaceId, req.params.id);
      return (await withEventCounts(orm, workspaceId, [profile], countEvents))[0]!;
    });

    app.get('/api/v1/profiles/:id/merges', {
      config: { permission: 'profiles.read' },
      schema: { tags: ['profiles'], summary: 'Merge history: which profiles were merged into this one, when and why', params: ProfileParams, response: { 200: Type.Object({ data: Type.Array(MergeSchema) }), 404: ErrorResponse } },
    }, async (req) => ({ data: await getMergeHistory(orm, adminWorkspace(req), req.params.id) }));
  };
}
