/**
 * Any failure while the Electron app starts is shown in a native dialog before it exits: without
 * a window, a logged error is a silent exit for the person at the desk.
 */
import type { Dialog } from 'electron';

/** The dialog's title and text for a start-up failure (the core's words when it has them). */
export function startupFailureText(e: unknown): { title: string; content: string } {
  const named = e instanceof Error && (e.name === 'StartupFailure' || e.name === 'DeskFailure');
  const content = named
    ? e.message
    : 'Something went wrong while the app started. Start it again; if this keeps happening, contact support and tell them the time it happened.';
  return { title: 'Membership Desk could not start', content };
}

export function showStartupFailure(dialog: Pick<Dialog, 'showErrorBox'>, e: unknown): void {
  const { title, content } = startupFailureText(e);
  try {
    dialog.showErrorBox(title, content);
  } catch {
    /* no display at all: the log has it */
  }
}
