/**
 * Problems found in a batch file: always tied to a physical line (1-based, where the record starts)
 * and, when it concerns one cell, to the column's header text and the mapped field.
 */
import type { Msg } from '../../../common/i18n/translate';
import type { Field } from './mapping';

export const problemCodes = [
  'parse_error',
  'no_membership_ref',
  'bad_membership_id',
  'number_without_phone',
  'phone_without_number',
  'bad_phone',
  'bad_service_id',
  'no_operation',
  'both_balance_and_delta',
  'not_a_number',
  'not_whole',
  'ambiguous_number',
  'balance_signed',
  'negative',
  'too_large',
  'reason_too_long',
  'unknown_membership',
  'ambiguous_membership',
  'unknown_service',
  'ambiguous_service',
  'service_title_mismatch',
  'service_required',
  'service_on_united',
  'unlimited',
  'forbidden_by_type',
  'forbidden_by_right',
  'below_zero',
  'duplicate',
  'contradiction',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export interface RowProblem {
  /** Physical line (1-based) where the record starts. */
  line: number;
  /** Header text of the column; null for whole-row problems and for a column without a header text. */
  column: string | null;
  /** The column's number (1-based) when the problem concerns one cell; null for whole-row problems. */
  columnNumber: number | null;
  field: Field | null;
  code: ProblemCode;
  /** What is wrong, by reference: the renderer and the reports word it (English: `inEnglish`). */
  msg: Msg;
}

