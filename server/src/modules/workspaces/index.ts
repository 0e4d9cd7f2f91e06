export { workspacesRoutes } from './workspaces.routes';
export { createAdminGuard, bearerToken } from './auth';
export {
  bootstrapWorkspace,
  createApiToken,
  createSource,
  createWorkspace,
  findSourceByWriteKey,
  getWorkspace,
  listSources,
  type ApiToken,
  type Source,
  type Workspace,
} from './workspaces.service';
export { CHANNEL_TYPES, type ChannelType, type IdentityRulesInput } from './workspaces.schema';
