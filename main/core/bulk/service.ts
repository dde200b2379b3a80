/**
 * Bulk actions (`bulk.preview`, `bulk.apply`; issue 11 item 4): freeze until a date, unfreeze, add or
 * remove visits, extend validity by N days over a selection — membership ids from a worklist, or pasted numbers/ids resolved
 * through the local index.
 *
 * Preview: every membership is read fresh (pages of 50, the batch lane, progress as
 * `batch.checkProgress`) and checked against its type's rules (plan.ts); nothing is sent. Apply: the
 * preview becomes a batch job through the batch service's `launch` — the same runner, journal and
 * exactly-once rules as a CSV batch — and from then on it IS a batch: pause, resume, cancel, report
 * and undo are the `batch.*` channels, and it is listed with the batches.
 */
import { randomUUID } from 'node:crypto';
import type { BulkAction, BulkPreview, BulkPreviewRow, BatchSummary, Membership, Rights } from '../../../preload/contract';
import { IDS_PAGE_SIZE, type AltegioApi } from '../altegio/api';
import type { RateLimiter } from '../altegio/rate-limiter';
import type { BatchService } from '../batch/service';
import type { NewOp, RowRecord } from '../batch/journal';
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import type { EventHub } from '../events';
import type { IndexedMembership } from '../../../preload/contract';
import { bulkOpKind, bulkVerdict, splitRefs, type BulkVerdict } from './plan';
import { bulkJobName } from './job-name';

/** Previews kept for Apply (the latest few; each holds its memberships' payloads). */
const KEEP_PREVIEWS = 3;

export interface BulkSession {
  currentUser(): { profileId: string };
  rightsFor(chainId: number): Rights | null;
  locationTimezone(locationId: number): string | null;
}

export interface BulkServiceDeps {
  api: () => AltegioApi;
  session: BulkSession;
  batch: Pick<BatchService, 'launch'>;
  /** The local index: resolves pasted numbers, names the client; told what was read. */
  index: { lookup(chainId: number, ref: string | number): IndexedMembership | null; noteMemberships(list: readonly Membership[]): void };
  events: Pick<EventHub, 'emit'>;
  limiter?: Pick<RateLimiter, 'stats'>;
  now?: () => Date;
}

export interface PreviewArgs {
  chainId: number;
  locationId: number;
  action: BulkAction;
  ids?: readonly number[] | undefined;
  text?: string | undefined;
  reason?: string | undefined;
}

interface HeldPreview {
  preview: BulkPreview;
  profileId: string;
  chainId: number;
  locationId: number;
  reason: string;
  /** Per row (same order): the verdict for rows that will change, with their membership. */
  changes: Array<{ m: Membership; verdict: Extract<BulkVerdict, { ok: true }> } | null>;
}

export interface BulkService {
  preview(args: PreviewArgs, signal?: AbortSignal): Promise<BulkPreview>;
  apply(args: { previewId: string }): Promise<BatchSummary>;
}

export function createBulkService(deps: BulkServiceDeps): BulkService {
  const held = new Map<string, HeldPreview>();
  const now = deps.now ?? (() => new Date());

  /** Requests per second the limiter allows now (0 when unknown): for "time to apply". */
  const perSecond = (): number => {
    const s = deps.limiter?.stats();
    return s ? Math.min(s.effectivePerSecond, s.perMinute / 60) : 0;
  };

  /** The selection as rows: each reference once, resolved to a membership id where the index knows it. */
  function resolve(args: PreviewArgs): Array<{ ref: string; id: number | null; indexed: IndexedMembership | null; duplicate: boolean }> {
    const refs: Array<string | number> = args.ids ? [...args.ids] : splitRefs(args.text ?? '');
    const seen = new Set<number>();
    return refs.map((ref) => {
      const indexed = deps.index.lookup(args.chainId, ref);
      const id = indexed?.membership.id ?? (typeof ref === 'number' ? ref : null);
      const duplicate = id !== null && seen.has(id);
      if (id !== null) seen.add(id);
      return { ref: String(ref), id, indexed, duplicate };
    });
  }

  /** Fresh reads of the ids, one page of 50 per request, in the batch lane, with progress. */
  async function readAll(chainId: number, ids: readonly number[], signal?: AbortSignal): Promise<Map<number, Membership>> {
    const found = new Map<number, Membership>();
    const pages = Math.ceil(ids.length / IDS_PAGE_SIZE);
    const progress = (done: number) => {
      const rate = perSecond();
      deps.events.emit('batch.checkProgress', { done, total: pages, etaMs: rate > 0 ? Math.round(((pages - done) / rate) * 1000) : null });
    };
    if (pages > 0) progress(0);
    for (let p = 0; p < pages; p++) {
      const page = ids.slice(p * IDS_PAGE_SIZE, (p + 1) * IDS_PAGE_SIZE);
      const list = await deps.api().membershipsByIds(chainId, page, { lane: 'batch', ...(signal && { signal }) });
      for (const m of list) if (m.chainId === chainId) found.set(m.id, m);
      deps.index.noteMemberships(list);
      progress(p + 1);
    }
    return found;
  }

  async function preview(args: PreviewArgs, signal?: AbortSignal): Promise<BulkPreview> {
    const user = deps.session.currentUser();
    const rights = deps.session.rightsFor(args.chainId);
    if (!rights) throw new DeskFailure('forbidden', msg('error.app.noChainAccess'));
    const timezone = deps.session.locationTimezone(args.locationId) ?? 'UTC';
    const selection = resolve(args);
    const ids = [...new Set(selection.filter((s) => s.id !== null && !s.duplicate).map((s) => s.id as number))];
    const found = await readAll(args.chainId, ids, signal);
    const ctx = { rights, now: now(), timezone };
    const rows: BulkPreviewRow[] = [];
    const changes: HeldPreview['changes'] = [];
    for (const s of selection) {
      const m = s.id === null ? undefined : found.get(s.id);
      const base = {
        ref: s.ref,
        membershipId: s.id,
        number: m?.number ?? s.indexed?.membership.number ?? null,
        type: m?.type.title ?? s.indexed?.membership.type.title ?? null,
        client: s.indexed?.client?.name ?? null,
      };
      let verdict: BulkVerdict;
      if (s.id === null) verdict = { ok: false, code: 'unknown_ref', params: {} };
      else if (s.duplicate) verdict = { ok: false, code: 'duplicate', params: {} };
      else if (!m) verdict = { ok: false, code: 'not_found', params: {} };
      else verdict = bulkVerdict(m, args.action, ctx);
      rows.push({ ...base, outcome: verdict.ok ? 'change' : 'refused', code: verdict.code, params: verdict.params });
      changes.push(verdict.ok && m ? { m, verdict } : null);
    }
    const change = rows.filter((r) => r.outcome === 'change').length;
    const rate = perSecond();
    // One write per change and one read per 50 of them.
    const requests = change + Math.ceil(change / IDS_PAGE_SIZE);
    const out: BulkPreview = {
      previewId: randomUUID(),
      action: args.action,
      rows,
      totals: { rows: rows.length, change, refused: rows.length - change },
      estimateMs: rate > 0 ? Math.round((requests / rate) * 1000) : 0,
    };
    held.set(out.previewId, { preview: out, profileId: user.profileId, chainId: args.chainId, locationId: args.locationId, reason: args.reason?.trim() ?? '', changes });
    while (held.size > KEEP_PREVIEWS) held.delete(held.keys().next().value as string);
    return out;
  }

  async function apply({ previewId }: { previewId: string }): Promise<BatchSummary> {
    const p = held.get(previewId);
    if (!p) throw new DeskFailure('not_found', msg('error.app.previewGone'));
    if (p.profileId !== deps.session.currentUser().profileId) throw new DeskFailure('forbidden', msg('error.app.previewOtherUser'));
    if (p.preview.totals.change === 0) throw new DeskFailure('validation', msg('error.app.selectionUnchanged'));
    const kind = bulkOpKind(p.preview.action);
    const rows: RowRecord[] = [];
    const ops: NewOp[] = [];
    p.preview.rows.forEach((r, idx) => {
      const c = p.changes[idx] ?? null;
      const seq = c ? ops.length : null;
      if (c) {
        ops.push({
          seq: seq as number,
          kind: kind.name,
          membershipId: c.m.id,
          membershipNumber: c.m.number,
          chainId: c.m.chainId,
          ...kind.encode(c.verdict.payload),
          rowLines: [idx + 1],
          rowCount: 1,
          reason: p.reason,
          sourceAuditId: null,
        });
      }
      rows.push({
        idx,
        line: idx + 1,
        outcome: c ? 'change' : 'invalid',
        membership: r.number ?? r.ref,
        service: r.type ?? '',
        before: c?.verdict.before ?? null,
        after: c?.verdict.after ?? null,
        reason: p.reason,
        // The code (the report and the renderer word it); the params are in the preview.
        message: c ? null : r.code,
        msgs: null,
        opSeq: seq,
      });
    });
    const summary = deps.batch.launch(
      {
        opKind: kind.name,
        fileName: bulkJobName(p.preview.action),
        chainId: p.chainId,
        locationId: p.locationId,
        delimiter: ',',
        totals: { rows: rows.length, toChange: ops.length, unchanged: 0, invalid: rows.length - ops.length, memberships: ops.length },
      },
      rows,
      ops,
    );
    held.delete(previewId);
    return summary;
  }

  return { preview, apply };
}
