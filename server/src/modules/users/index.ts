export { createConsoleGuard } from './auth';
export { usersRoutes } from './users.routes';
export { ensureBootstrapAdmin, inviteUser, type ConsoleUser } from './users.service';
