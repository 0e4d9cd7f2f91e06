/**
 * Identity resolution rules of a workspace: identifier priority and per-type limits, with
 * Segment-like defaults (user_id, then email, then phone, then the rest, anonymous_id last;
 * user_id limited to 1 value per profile, every other type to 5).
 */
export interface IdentityRulesInput {
  priority?: string[];
  limits?: Record<string, number>;
  defaultLimit?: number;
}

export interface IdentityRules {
  /** Lower rank = higher priority. */
  rank(type: string): number;
  limit(type: string): number;
  /** The rules as stored, for display. */
  input: IdentityRulesInput;
}

export const DEFAULT_PRIORITY = ['user_id', 'email', 'phone'];
export const DEFAULT_LIMITS: Record<string, number> = { user_id: 1 };
export const DEFAULT_LIMIT = 5;
/** Segment's caps: merges per profile. */
export const MAX_MERGES_PER_PROFILE = 100;

export function resolveRules(input: IdentityRulesInput = {}): IdentityRules {
  const priority = input.priority && input.priority.length > 0 ? input.priority : DEFAULT_PRIORITY;
  const ranks = new Map(priority.map((t, i) => [t, i]));
  const limits = { ...DEFAULT_LIMITS, ...(input.limits ?? {}) };
  const defaultLimit = input.defaultLimit ?? DEFAULT_LIMIT;
  return {
    rank(type) {
      const r = ranks.get(type);
      if (r !== undefined) return r;
      // Unlisted types come after listed ones; anonymous_id (a cookie) is the weakest.
      return type === 'anonymous_id' ? 1_000_000 : 1_000;
    },
    limit(type) {
      return limits[type] ?? defaultLimit;
    },
    input,
  };
}
