export { workspacesRoutes } from './workspaces.routes';
export { createAdminGuard, bearerToken, writeKeyOf } from './auth';
export {
  bootstrapWorkspace,
  DEFAULT_WORKSPACE_NAME,
  createApiToken,
  revokeApiToken,
  createSource,
  createWorkspace,
  findSourceByWriteKey,
  firstWorkspaceId,
  getWorkspace,
  getSuppressionKey,
  listSources,
  updateSource,
  type ApiToken,
  type Source,
  type Workspace,
} from './workspaces.service';
export { CHANNEL_TYPES, SOURCE_TRUST, type ChannelType, type CommerceSettings, type IdentityRulesInput, type SourceTrust } from './workspaces.schema';
