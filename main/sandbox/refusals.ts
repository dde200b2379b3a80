/**
 * Field-level refusals for a reason the sandbox does not model (a server-side rule of the real
 * Altegio, or one it may add): a write is answered 422 with `meta.errors` keyed as Altegio keys its
 * request's fields (ALTEGIO.md §1.3: `[field]`, `[list][index][field]`), so tests can see where
 * the app shows such a refusal. Set with `control.refuseWrites`; nothing is changed by a refused write.
 */
import type { WriteAction } from './server';

export interface FieldRefusal {
  action: WriteAction;
  /** Only writes to this membership (default: any). */
  membershipId?: number;
  /**
   * set_balance: the service whose entry is refused, keyed `[services_balance_count][<its index in
   * the request>][balance]`; a request without that service is not refused.
   */
  serviceId?: number;
  /** Otherwise the key as Altegio sends it, e.g. `[freeze_till]`. */
  field?: string;
  /** `meta.message` (default "An error occurred", Altegio's generic one). */
  message?: string;
  /** Altegio's words about the field. */
  words: string;
}

export interface RefusalReply {
  status: number;
  message: string;
  errors: Record<string, string[]>;
}

/** The key the refusal names in this request, or null when it does not apply to it. */
function keyIn(rule: FieldRefusal, body: Record<string, unknown>): string | null {
  if (rule.serviceId === undefined) return rule.field ?? null;
  const entries = Array.isArray(body['services_balance_count']) ? (body['services_balance_count'] as unknown[]) : [];
  const index = entries.findIndex((e) => typeof e === 'object' && e !== null && Number((e as Record<string, unknown>)['service_id']) === rule.serviceId);
  return index < 0 ? null : `[services_balance_count][${index}][balance]`;
}

/**
 * The refusal for this write, or null when no rule refuses it. Every rule that applies is in the one
 * answer (Altegio names each refused key: `[freeze_till]` and `[freeze_period]` together); the
 * message is the first rule's.
 */
export function refusalOf(rules: readonly FieldRefusal[], action: WriteAction, membershipId: number, body: Record<string, unknown>): RefusalReply | null {
  let reply: RefusalReply | null = null;
  for (const rule of rules) {
    if (rule.action !== action || (rule.membershipId !== undefined && rule.membershipId !== membershipId)) continue;
    const key = keyIn(rule, body);
    if (key === null) continue;
    reply ??= { status: 422, message: rule.message ?? 'An error occurred', errors: {} };
    reply.errors[key] = [...(reply.errors[key] ?? []), rule.words];
  }
  return reply;
}
