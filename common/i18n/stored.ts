/**
 * A message kept in a text column (a plan's or a job row's message): a message by reference is
 * stored as its JSON, so the renderer can word it in the language in use; plain text (Altegio's
 * own words, rows written before messages were kept by reference) stays as it is.
 */
import type { MsgData } from '../../preload/contract';
import { isMsg, type Msg } from './translate';
import { inEnglish } from './words';

const PREFIX = '{"key":';

/** The text to store for a message: a Msg as JSON, text as it is. */
export function storedText(m: Msg | MsgData | string): string {
  return typeof m === 'string' ? m : JSON.stringify(m);
}

/** A stored message back: its English (for logs, exports, the contract's `message`) and, when kept by reference, the message. */
export function fromStored(text: string): { text: string; msg: MsgData | null } {
  if (!text.startsWith(PREFIX)) return { text, msg: null };
  try {
    const parsed: unknown = JSON.parse(text);
    if (isMsg(parsed)) return { text: inEnglish(parsed), msg: parsed as MsgData };
  } catch {
    // Not JSON after all: text that happens to start like it.
  }
  return { text, msg: null };
}

/** A stored message as a message: by reference when it was kept so, else its text (null stays null). */
export function storedMessage(text: string | null): Msg | string | null {
  if (text === null) return null;
  const stored = fromStored(text);
  return stored.msg ? (stored.msg as Msg) : stored.text;
}
