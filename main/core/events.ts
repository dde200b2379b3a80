/**
 * Core -> renderer events (`session.changed`, `network.status`, `batch.progress`). The core emits
 * into one hub; each shell subscribes once and forwards to its pages (IPC or server-sent events).
 */
import type { EventName, EventPayload } from '../../preload/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EventHub {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      for (const listener of listeners) {
        try {
          listener(event, payload);
        } catch {
          // A broken subscriber (a closed page) must not stop the others or the core.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
