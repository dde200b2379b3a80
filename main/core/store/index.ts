export { openStore, AUDIT_MAX_LIMIT, cleanRow, getRow, allRows, pragmaValue, type Store } from './store';
export { migrations, migrate, schemaVersion, type Migration } from './migrations';
export type * from './types';
