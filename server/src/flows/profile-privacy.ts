/**
 * Data-subject rights (Vietnam's Personal Data Protection Law 91/2025, GDPR): export everything
 * held about a person, and erase it. Spans profiles, ingest, carts, storefront, orders,
 * promotions and the domain log.
 */
import { Type } from 'typebox';
import type { Database, Executor } from '../db/client';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminWorkspace } from '../platform/context';
import { findDomainEventsNaming, scrubDomainEvents } from '../platform/domain-log';
import { personalRedactor } from '../platform/redact';
import { ErrorResponse, JsonObject } from '../platform/schema';
import { forgetAuditSubjects, recordAudit } from '../platform/audit';
import { countEventsByProfileAndChannel, deleteEventsOfProfiles, listAllEventsOfProfiles } from '../modules/ingest';
import { deleteCartsOfProfiles } from '../modules/carts';
import { detachOrdersFromProfiles } from '../modules/orders';
import { detachRedemptionsFromProfiles } from '../modules/promotions';
import { deleteCustomerTokensOfProfiles } from '../modules/storefront';
import { getSuppressionKey } from '../modules/workspaces';
import {
  eraseProfile,
  findErasureSubject,
  getMergeHistory,
  getProfile,
  getTimelineProfileIds,
  listWorkspacesWithUnkeyedSuppressions,
  rekeySuppressions,
  withEventCounts,
} from '../modules/profiles';

export async function exportProfile(ex: Executor, workspaceId: string, id: string) {
  const [profile] = await withEventCounts(ex, workspaceId, [await getProfile(ex, workspaceId, id)], countEventsByProfileAndChannel);
  if (!profile) throw new Error('unreachable: withEventCounts returns one view per profile');
  const ids = await getTimelineProfileIds(ex, workspaceId, profile.id);
  const [merges, events] = await Promise.all([
    getMergeHistory(ex, workspaceId, profile.id),
    listAllEventsOfProfiles(ex, workspaceId, ids),
  ]);
  return { exportedAt: new Date().toISOString(), profile, merges, events };
}

/**
 * Erase a person everywhere, in one transaction: profiles, identifiers (suppressed as keyed
 * hashes), events, carts and customer tokens go; orders and promotion redemptions stay for the
 * accounting but lose the person; commerce facts go; the domain log keeps its entries without
 * the person's profile ids, message ids or values.
 */
export async function eraseProfileEverywhere(ex: Executor, workspaceId: string, id: string, opts: { audit?: (tx: Executor, erased: { profiles: number; events: number; orders: number }) => Promise<void> } = {}) {
  const suppressionKey = await getSuppressionKey(ex, workspaceId);
  return ex.transaction(async (tx) => {
    // First, without locks: the slow part, finding and scrubbing the log entries that name the
    // person (a read of the workspace's whole log, and rewrites of entries that can list a flush
    // of events each). The locks taken next hold the workspace's ingest until commit; under them
    // only what committed in between is done again.
    const seen = await findErasureSubject(tx, { workspaceId, id });
    const logged = seen ? await findDomainEventsNaming(tx, { workspaceId, profileIds: seen.profileIds }) : undefined;
    if (seen && logged) await scrubDomainEvents(tx, { workspaceId, ids: logged.ids, profileIds: seen.profileIds, redactor: personalRedactor(seen.personalValues) });

    const erased = await eraseProfile(tx, { workspaceId, id, suppressionKey }); // 404 when there is no such person
    const { profileIds } = erased;
    const redactor = personalRedactor(erased.personalValues);
    const events = await deleteEventsOfProfiles(tx, workspaceId, profileIds);
    await deleteCartsOfProfiles(tx, workspaceId, profileIds);
    await deleteCustomerTokensOfProfiles(tx, workspaceId, profileIds);
    const orders = await detachOrdersFromProfiles(tx, { workspaceId, profileIds, redactor });
    await detachRedemptionsFromProfiles(tx, workspaceId, profileIds);
    await forgetAuditSubjects(tx, { workspaceId, subjectType: 'profile', subjectIds: profileIds });

    const since = await findDomainEventsNaming(tx, { workspaceId, profileIds: seen?.profileIds ?? [], since: logged?.horizon });
    const joined = profileIds.filter((p) => !seen?.profileIds.includes(p)); // merged into them in between: searched in full
    const late = await findDomainEventsNaming(tx, { workspaceId, profileIds: joined });
    await scrubDomainEvents(tx, { workspaceId, ids: [...since.ids, ...late.ids], profileIds, redactor });
    // The audit entry commits with the erasure, or neither does.
    await opts.audit?.(tx, { profiles: profileIds.length, events, orders });
    return { erased: true, profileIds, identifiers: erased.identifiers, events, orders };
  });
}

/**
 * Suppressions written before they were keyed become keyed (see profiles' `rekeySuppressions`),
 * each workspace in its own transaction. Runs at start-up; a no-op once done.
 */
export async function rekeyUnkeyedSuppressions(db: Database): Promise<number> {
  let n = 0;
  for (const workspaceId of await listWorkspacesWithUnkeyedSuppressions(db.orm)) {
    const suppressionKey = await getSuppressionKey(db.orm, workspaceId);
    n += await db.orm.transaction((tx) => rekeySuppressions(tx, { workspaceId, suppressionKey }));
  }
  return n;
}

export function privacyRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
    app.get('/api/v1/profiles/:id/export', {
      config: { permission: 'personal_data.export' },
      schema: { tags: ['privacy'], summary: 'Everything held about a person, as JSON (right of access / portability)', params, response: { 200: JsonObject, 404: ErrorResponse } },
    }, async (req) => {
      const exported = await exportProfile(ctx.db.orm, adminWorkspace(req), req.params.id);
      await recordAudit(ctx.db.orm, req, {
        action: 'personal_data.exported',
        subjectType: 'profile',
        subjectId: exported.profile.id,
        details: { events: exported.events.length, merges: exported.merges.length },
      });
      return exported;
    });
    app.delete('/api/v1/profiles/:id', {
      config: { permission: 'profiles.erase' },
      schema: {
        tags: ['privacy'],
        summary: 'Erase a person: profile, identifiers, traits, events, carts; their orders stay without them; later events with their identifiers are dropped',
        params,
        response: {
          200: Type.Object({
            erased: Type.Boolean(),
            profileIds: Type.Array(Type.String()),
            identifiers: Type.Integer(),
            events: Type.Integer(),
            orders: Type.Integer({ description: 'Orders kept for the accounting, no longer linked to the person' }),
          }),
          404: ErrorResponse,
        },
      },
    }, async (req) => {
      // Who erased someone is kept; whom is not (the ids would point back at the person).
      return eraseProfileEverywhere(ctx.db.orm, adminWorkspace(req), req.params.id, {
        audit: (tx, counts) => recordAudit(tx, req, { action: 'profile.erased', subjectType: 'profile', subjectId: null, details: counts }),
      });
    });
  };
}
