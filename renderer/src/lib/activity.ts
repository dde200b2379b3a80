/**
 * Tells the core whether a dialog is open, so an update never installs in the middle of one
 * (the core's update policy waits for an idle app). Counted: dialogs can stack.
 */
import { desk } from './desk';

let open = 0;

function report(dialogOpen: boolean): void {
  void desk()
    .invoke('app.activity', { dialogOpen })
    .catch(() => undefined);
}

/** Call when a dialog opens; call the returned function when it closes. */
export function dialogOpened(): () => void {
  if (open++ === 0) report(true);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--open === 0) report(false);
  };
}
