/**
 * What the rest of the core needs from Altegio. The one implementation is the ky-based client in
 * `client.ts`; it returns contract domain objects (already mapped from the lenient wire shapes)
 * and throws only `DeskFailure`s with the fixed error kinds.
 */
import type { BalanceTarget, Chain, ClientSummary, Membership, PeriodUnit } from '../../../preload/contract';
import type { Lane } from './rate-limiter';

export interface AuthResult {
  userToken: string;
  /** Altegio's user id; 0 when /auth gave none (the Blueprint's bare answer): then the login is the user. */
  userId: number;
  name: string;
  login: string;
}

/** Read on every request, so a sign-in or re-authentication applies without rebuilding the client. */
export interface Credentials {
  baseUrl: string;
  partnerToken: string | null;
  userToken: string | null;
}

/** A validity: `period` whole units (≥ 1) of `unit`. */
export interface SetPeriodBody {
  period: number;
  unit: PeriodUnit;
}

/** abonements_ids[] per request when reading memberships by id. */
export const IDS_PAGE_SIZE = 50;

/**
 * How a call waits for the shared rate limiter: its lane (default `interactive`, a person waiting;
 * `batch` for a batch check or apply, `background` for index sync — rate-limiter.ts), and a signal
 * that stops the wait, rejecting with its reason.
 */
export interface ReadOptions {
  signal?: AbortSignal;
  lane?: Lane;
}

/** One page of the chain list filtered by creation date (ALTEGIO.md §4.4(c)). */
export interface CreatedPage {
  memberships: Membership[];
  /** Items the server sent (unusable ones included): a page shorter than asked is the last one. */
  received: number;
  /** `meta.count` when it is a number (a total for the filter on the sandbox; its meaning elsewhere is unsure). */
  count: number | null;
}

/** The client search's membership filter: type ids, and the expiry within days `YYYY-MM-DD` (both ends included). */
export interface SaleFilter {
  typeIds: readonly number[];
  expire?: { from: string; to: string } | undefined;
}

/** The same for writes. */
export type WriteOptions = ReadOptions;

export interface AltegioApi {
  /** POST /auth (partner token only). Accepts the enveloped and the bare response. */
  auth(login: string, password: string): Promise<AuthResult>;
  /** GET /groups (+ /companies?my=1 to fill time zones a chain's companies lack). */
  chains(): Promise<Chain[]>;
  /**
   * POST /company/{loc}/clients/search with quick_search (an empty query: none), and with `sale`
   * the clients holding a membership of these types expiring within these days (ALTEGIO.md §4.4:
   * the filter's names are documented, its exact body is Med confidence — a server may refuse it).
   */
  searchClients(locationId: number, query: string, options?: ReadOptions & { page?: number; pageSize?: number; sale?: SaleFilter }): Promise<{ clients: ClientSummary[]; total: number }>;
  /** GET /client/{loc}/{id} */
  client(locationId: number, clientId: number, options?: ReadOptions): Promise<ClientSummary>;
  /** GET /loyalty/abonements?company_id=&phone= (phone sent as digits only). */
  membershipsByPhone(locationId: number, phone: string, options?: ReadOptions): Promise<Membership[]>;
  /** GET /chain/{id}/loyalty/abonements?abonements_ids[]=… in pages; missing ids are simply absent. */
  membershipsByIds(chainId: number, ids: readonly number[], options?: ReadOptions & { onPage?: (done: number, pages: number) => void }): Promise<Membership[]>;
  /**
   * GET /chain/{id}/loyalty/abonements?created_after=&created_before=&page=&count= — days
   * `YYYY-MM-DD` (what Altegio's own MCP sends; both bounds taken as whole days).
   */
  membershipsCreated(chainId: number, window: { after: string; before: string }, page: number, count: number, options?: ReadOptions): Promise<CreatedPage>;
  /** POST …/freeze {freeze_till: YYYY-MM-DD} */
  freeze(chainId: number, membershipId: number, freezeTill: string, options?: WriteOptions): Promise<void>;
  /** POST …/unfreeze {} */
  unfreeze(chainId: number, membershipId: number, options?: WriteOptions): Promise<void>;
  /** POST …/set_balance (answer may have no body; callers re-read). */
  setBalance(chainId: number, membershipId: number, body: BalanceTarget, options?: WriteOptions): Promise<void>;
  /** POST …/set_period {period, period_unit_id} (callers re-read: the answer's fields are not relied on). */
  setPeriod(chainId: number, membershipId: number, body: SetPeriodBody, options?: WriteOptions): Promise<void>;
}
