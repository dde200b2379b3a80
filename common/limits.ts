/**
 * Limits the contract checks and the renderer's rules state, in a module of their own: the renderer
 * imports them without pulling the contract's schemas (zod) into its first bundle.
 */

/** The ceiling for one balance value (the editor, the batch file and the channel check against it). */
export const MAX_BALANCE = 100_000;
