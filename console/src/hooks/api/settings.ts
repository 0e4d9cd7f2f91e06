/**
 * Workspace settings, sources and their write keys, admin API tokens, console users and invites
 * (server/src/modules/workspaces and users). Secrets (write keys, tokens, invite tokens) come
 * back once, in the response that makes them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post, setCsrfToken } from '../../lib/api';
import type { Item, Json } from '../../api/types';
import { sessionKey, type ConsoleUser, type Role, type Session, type Workspace } from './session';

export type Source = Item<Json<'/api/v1/sources'>['data']>;
export type ApiToken = Item<Json<'/api/v1/tokens'>['data']>;

/** Channel types a source may have (server: workspaces.schema CHANNEL_TYPES). */
export const SOURCE_CHANNELS = ['web', 'app', 'pos', 'server', 'email', 'sms', 'chat', 'chatbot', 'marketplace', 'social', 'zalo', 'messenger', 'phone', 'salesperson', 'other'] as const;
export const ROLES: Role[] = ['admin', 'marketer', 'agent', 'viewer'];

export function useUpdateWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<Pick<Workspace, 'name' | 'timeZone' | 'currency' | 'defaultCountry'>>) => patch<Workspace>('/api/v1/workspace', body),
    onSuccess: (ws) => qc.setQueryData(['workspace'], ws),
  });
}

export function useSources() {
  return useQuery({ queryKey: ['settings', 'sources'], queryFn: async () => (await get<{ data: Source[] }>('/api/v1/sources')).data });
}

export function useCreateSource() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; channel: string; rateLimit?: number }) => post<{ source: Source; writeKey: string }>('/api/v1/sources', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'sources'] }),
  });
}

export function useRevokeSource() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<Source>(`/api/v1/sources/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'sources'] }),
  });
}

export function useApiTokens() {
  return useQuery({ queryKey: ['settings', 'tokens'], queryFn: async () => (await get<{ data: ApiToken[] }>('/api/v1/tokens')).data });
}

export function useCreateApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string }) => post<{ token: ApiToken; secret: string }>('/api/v1/tokens', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'tokens'] }),
  });
}

export function useRevokeApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<ApiToken>(`/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'tokens'] }),
  });
}

export function useUsers() {
  return useQuery({ queryKey: ['settings', 'users'], queryFn: async () => (await get<{ data: ConsoleUser[] }>('/api/v1/users')).data, staleTime: 60_000 });
}

export function useInviteUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; name: string; role: Role }) => post<{ user: ConsoleUser; inviteToken: string }>('/api/v1/users', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'users'] }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; role?: Role; status?: 'active' | 'disabled'; name?: string }) => patch<ConsoleUser>(`/api/v1/users/${encodeURIComponent(id)}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'users'] }),
  });
}

/**
 * Accept an invite: the server sets the session cookie and returns the session (user + CSRF
 * token). A server that answers with the bare user (older builds) is signed in with the same
 * password.
 */
export function useAcceptInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { token: string; password: string; name?: string }): Promise<Session> => {
      const res = await post<Session | ConsoleUser>('/api/v1/invites/accept', body);
      if ('csrfToken' in res) return res;
      return post<Session>('/api/v1/session', { email: res.email, password: body.password });
    },
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      qc.clear();
      qc.setQueryData(sessionKey, s);
    },
  });
}
