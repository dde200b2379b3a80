export * from './secret-store';
export { MemorySecretStore } from './memory-secret-store';
export { createKeytarSecretStore, keychainMsg, type KeytarSecretStoreOptions } from './keytar-secret-store';
export * from './session';
