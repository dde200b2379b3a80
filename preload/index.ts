/**
 * The preload (sandboxed, CommonJS): exposes `window.desk`, built from the contract, and nothing
 * else. It forwards calls and events verbatim; validation happens in the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, isChannelName, eventNames, type DeskApi, type EventName } from './contract';

const known = new Set<string>(eventNames);

const desk: DeskApi = {
  invoke(channel, args) {
    if (!isChannelName(channel)) return Promise.resolve({ ok: false, error: { kind: 'bad_input', code: 'shell.unknown_channel', origin: 'shell', message: 'Unknown request.', msg: { key: 'error.app.unknownRequest' } } });
    return ipcRenderer.invoke(IPC_INVOKE, channel, args);
  },
  on(event, listener) {
    const wrapped = (_e: IpcRendererEvent, name: EventName, payload: unknown) => {
      if (name === event && known.has(name)) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
};

contextBridge.exposeInMainWorld('desk', desk);
