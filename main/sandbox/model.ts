/**
 * The sandbox's in-memory state: plain records, independent of the wire format (see wire.ts) so
 * the rules (rules.ts) reason about real numbers and dates, and quirks are added only on output.
 */
import type { DateTime } from 'luxon';

/** 1 day, 2 week, 3 month, 4 year (Altegio's period/freeze unit ids). */
export type PeriodUnitId = 1 | 2 | 3 | 4;
/** 1 created (issued, not activated), 2 active, 3 expired, 4 wasted (used up). */
export type StatusId = 1 | 2 | 3 | 4;

export interface ChainDef {
  id: number;
  title: string;
  locationIds: number[];
}

export interface LocationDef {
  id: number;
  chainId: number;
  title: string;
  timezoneName: string;
  city: string;
  address: string;
  phone: string;
  currency: string;
  /** /groups omits timezone_name for some locations (clients must fall back to /companies). */
  timezoneInGroups: boolean;
}

export interface CategoryDef {
  id: number;
  chainId: number;
  title: string;
}

export interface ServiceDef {
  id: number;
  chainId: number;
  categoryId: number;
  title: string;
  priceMin: number;
  priceMax: number;
}

/** A covered service or category; on a type `count` is visits included, on a membership visits left. */
export interface BalanceLink {
  kind: 'service' | 'category';
  id: number;
  count: number;
  unlimited: boolean;
}

export interface MembershipTypeDef {
  id: number;
  chainId: number;
  title: string;
  cost: number;
  period: number;
  periodUnitId: PeriodUnitId;
  allowFreeze: boolean;
  freezeLimit: number;
  freezeLimitUnitId: PeriodUnitId;
  isUnited: boolean;
  isUnitedUnlimited: boolean;
  unitedCount: number;
  /** 0 prohibited, 1 selling location only, 2 any location. */
  balanceEditTypeId: 0 | 1 | 2;
  expirationTypeId: 1 | 2 | 3;
  isArchived: boolean;
  links: BalanceLink[];
  /** Locations the type is sold at (default: every location of its chain). */
  attachedLocationIds?: number[];
}

export interface ClientRec {
  id: number;
  locationId: number;
  name: string;
  /** As displayed by Altegio (some formatted with spaces/brackets); null when the client has none. */
  phone: string | null;
  email: string | null;
  card: string | null;
  birthDate: string | null;
  genderId: 0 | 1 | 2;
  visits: number;
  spent: number;
}

export interface MembershipRec {
  id: number;
  number: string;
  typeId: number;
  chainId: number;
  /** Selling location: its time zone is the one every date rule of this membership uses. */
  locationId: number;
  clientId: number;
  statusId: StatusId;
  created: DateTime;
  activated: DateTime | null;
  expiration: DateTime | null;
  /** Validity set by set_period (absent: the type's period and unit). */
  period?: number;
  periodUnitId?: PeriodUnitId;
  isFrozen: boolean;
  /** Total days frozen (see rules.ts for how it moves on freeze/unfreeze). */
  freezePeriod: number;
  /** Last frozen day, YYYY-MM-DD in the location's zone, while frozen. */
  freezeTill: string | null;
  /** Day the current freeze started, YYYY-MM-DD, while frozen. */
  freezeStart: string | null;
  unitedCount: number;
  links: BalanceLink[];
  goodsTransactionId: number;
}

/** Access flags exactly as /groups sends them (numbers, or strings "1"/"0" for some chains). */
export type AccessFlags = Record<string, number | string>;

export interface UserRec {
  id: number;
  /** Phone login, e.g. +15125550100 (the e-mail works too). */
  login: string;
  email: string;
  password: string;
  name: string;
  token: string;
  access: Map<number, AccessFlags>;
}

export interface SandboxState {
  partnerToken: string;
  chains: ChainDef[];
  locations: Map<number, LocationDef>;
  categories: Map<number, CategoryDef>;
  services: Map<number, ServiceDef>;
  types: Map<number, MembershipTypeDef>;
  clients: Map<number, ClientRec>;
  memberships: Map<number, MembershipRec>;
  users: UserRec[];
}

export function hasRight(flags: AccessFlags | undefined, name: string): boolean {
  if (!flags) return false;
  return Number(flags[name]) === 1;
}

export function phoneDigits(phone: string): string {
  return phone.replace(/\D+/g, '');
}
