export {
  eraseProfile,
  findErasureSubject,
  type ErasureSubject,
  listWorkspacesWithUnkeyedSuppressions,
  rekeySuppressions,
  getMergeHistory,
  getProfile,
  getTraitsForPricing,
  profileHasUserId,
  findTimelineProfileIds,
  getTimelineProfileIds,
  lookupProfile,
  resolveBatch,
  searchProfiles,
  type Profile,
  type ProfileView,
  type EventCounter,
  withEventCounts,
  type ResolveBatchInput,
  type ResolveBatchOutput,
} from './profiles.service';
export { extractIdentifiers, type IdentifiableMessage } from './identify';
export { normalizeIdentifier, normalizePhone, normalizeEmail, foldForSearch } from './normalize';
export type { IdentifierRef, ResolveItem } from './resolve';
export type { IdentityRulesInput } from './rules';
export { profilesRoutes } from './profiles.routes';
export { mergedProfilesRelation } from './profiles.repo';
export { ProfileSchema } from './profiles.schema';
