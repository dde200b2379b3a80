export { openStore, AUDIT_MAX_LIMIT, cleanRow, getRow, allRows, pragmaValue, type Store } from './store';
export { migrations, migrate, schemaVersion, type Migration } from './migrations';
export type * from './types';
export { StorageFault, isStorageFault, asStorageFault, storageFaultCode, STORAGE_FAULT_CODES, type StorageFaultCode } from './fault';
