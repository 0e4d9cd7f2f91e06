/** Who is signed in, the workspace, sign-in and sign-out. */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, del, get, post, setCsrfToken } from '../../lib/api';
import type { Json } from '../../api/types';

export type Role = 'admin' | 'marketer' | 'agent' | 'viewer';

type GeneratedSession = Json<'/api/v1/session'>;
/** A console user. The server's schema gives `role` as a string; the roles it stores are these four. */
export type ConsoleUser = Omit<GeneratedSession['user'], 'role'> & { role: Role };
/** Who is signed in, and the CSRF token (GET /api/v1/session). */
export type Session = Omit<GeneratedSession, 'user'> & { user: ConsoleUser };
export type Workspace = Json<'/api/v1/workspace'>;

export const sessionKey = ['session'] as const;

/** Another user's data must not show: drop every cached query but the session's own (its observers stay). */
function forgetOtherQueries(qc: QueryClient): void {
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
}

/** The current session, or null when signed out. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      try {
        const s = await get<Session>('/api/v1/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw e;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => post<Session>('/api/v1/session', body),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      forgetOtherQueries(qc);
      qc.setQueryData(sessionKey, s);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => del<void>('/api/v1/session'),
    onSettled: () => {
      setCsrfToken(undefined);
      forgetOtherQueries(qc);
      qc.setQueryData(sessionKey, null);
    },
  });
}

export function useWorkspace() {
  const session = useSession();
  return useQuery({
    queryKey: ['workspace'],
    queryFn: () => get<Workspace>('/api/v1/workspace'),
    enabled: !!session.data,
    staleTime: 60_000,
  });
}

export type Permission = Session['permissions'][number];

/**
 * What the signed-in user may do, from the permissions the server lists with the session. The
 * server checks each route's own permission; this only hides buttons that would be refused.
 */
export function useCan() {
  const session = useSession().data;
  const role = session?.user.role;
  const has = (p: Permission) => session?.permissions.includes(p) ?? false;
  return {
    role,
    admin: role === 'admin',
    has,
    /** Promotions and codes. */
    promotions: has('promotions.write'),
    /** Products, variants, categories and prices. */
    catalog: has('catalog.write'),
    /** Carts, orders, reservations, customer tokens: serving a customer. */
    serve: has('orders.write'),
    /** Stock adjustments, locations, channels, sources, users, workspace. */
    settings: has('workspace.manage'),
    /** Erasing a customer. */
    erase: has('profiles.erase'),
    /** Personal-data exports (recorded in the audit trail). */
    exportPersonalData: has('personal_data.export'),
    /** Unused single-use codes in clear, and their CSV (recorded in the audit trail). */
    exportCodes: has('promotion_codes.export'),
  };
}
