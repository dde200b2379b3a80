/**
 * In-memory SecretStore: the fake for unit tests (can pretend the keychain is unavailable) and
 * the home of demo-mode secrets, which must work without any keychain and never outlive the run.
 */
import { DeskFailure } from '../errors';
import { msg } from '../../../common/i18n/translate';
import type { SecretStore } from './secret-store';

export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();
  /** When true every call fails like a missing or locked keychain. */
  unavailable = false;
  /** Calls seen, for assertions (accounts only, never secrets). */
  readonly calls: Array<{ op: 'get' | 'set' | 'delete'; account: string }> = [];

  constructor(options: { unavailable?: boolean } = {}) {
    this.unavailable = options.unavailable ?? false;
  }

  private guard(op: 'get' | 'set' | 'delete', account: string): void {
    this.calls.push({ op, account });
    if (this.unavailable) throw new DeskFailure('keychain_unavailable', msg('error.app.keychainRetry'));
  }

  async get(account: string): Promise<string | null> {
    this.guard('get', account);
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.guard('set', account);
    if (!account || !secret) throw new Error('account and secret are required');
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    this.guard('delete', account);
    return this.secrets.delete(account);
  }

  /** Test helper: the accounts currently held. */
  accounts(): string[] {
    return [...this.secrets.keys()].sort();
  }

  /** Forgets everything (demo mode ending). */
  clear(): void {
    this.secrets.clear();
  }
}
