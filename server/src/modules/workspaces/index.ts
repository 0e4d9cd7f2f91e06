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
  listSources,
  type ApiToken,
  type Source,
  type Workspace,
} from './workspaces.service';
export { CHANNEL_TYPES, type ChannelType, type CommerceSettings, type IdentityRulesInput } from './workspaces.schema';
