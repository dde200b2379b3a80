/**
 * The generic binding of the contract to Electron IPC: one invoke channel and one event channel.
 * Every call is checked for its sender frame (only the app's own top-level page may call) and
 * validated by the contract's schema inside `dispatch`.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type Reply } from '../../preload/contract';
import { dispatch, type Handlers } from '../core/dispatch';
import type { EventHub } from '../core/events';
import type { Logger } from '../core/log';
import { isAppUrl } from './window';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  // A subframe (even same-origin) or any non-app page is refused.
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url);
}

export function bindContract(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, log?: Logger): void {
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, args: unknown): Promise<Reply<unknown>> => {
    if (!isTrustedSender(event)) {
      log?.warn('ipc call from untrusted frame refused', { channel: typeof channel === 'string' ? channel : typeof channel });
      return { ok: false, error: { kind: 'forbidden', code: 'shell.foreign_page', origin: 'shell', message: 'This page may not use the app.' } };
    }
    return dispatch(handlers, channel, args, log);
  });
}

export function forwardEvents(events: EventHub, target: () => WebContents | null): () => void {
  return events.subscribe((event, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT, event, payload);
  });
}
