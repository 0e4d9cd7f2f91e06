/**
 * What identifiers an incoming message carries: userId, anonymousId, email and phone in traits
 * (and context.traits), and every context.externalIds entry. All normalised; blocked and
 * invalid values are left out (they stay on the stored event).
 */
import type { CountryCode } from 'libphonenumber-js';
import { normalizeIdentifier, normalizeIdentifierType } from './normalize';
import type { IdentifierRef } from './resolve';

export interface IdentifiableMessage {
  userId?: unknown;
  anonymousId?: unknown;
  traits?: unknown;
  context?: unknown;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function extractIdentifiers(msg: IdentifiableMessage, defaultCountry: CountryCode): IdentifierRef[] {
  const out: IdentifierRef[] = [];
  const push = (type: string | null, raw: unknown) => {
    if (!type) return;
    const value = normalizeIdentifier(type, raw, { defaultCountry });
    if (value !== null) out.push({ type, value });
  };
  push('user_id', msg.userId);
  push('anonymous_id', msg.anonymousId);
  const context = asRecord(msg.context);
  for (const traits of [asRecord(msg.traits), asRecord(context?.traits)]) {
    if (!traits) continue;
    push('email', traits.email);
    push('phone', traits.phone);
  }
  const external = context?.externalIds;
  if (Array.isArray(external)) {
    for (const e of external.slice(0, 50)) {
      const rec = asRecord(e);
      if (!rec) continue;
      push(normalizeIdentifierType(rec.type), rec.id);
    }
  }
  return out;
}
