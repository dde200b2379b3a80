/**
 * Every contract channel, fuzzed with arbitrary and malicious arguments against the real core
 * (real store on a temp folder, in-memory keychain, signed out): the answer is always a typed
 * Reply — `bad_input` whenever the schema refuses the argument — never a crash, a hang or an
 * unhandled rejection.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames, channels, errorKinds } from '../../preload/contract';
import { createCore, type Core } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';

let core: Core;
const dataDir = mkdtempSync(join(tmpdir(), 'desk-fuzz-'));
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // Nothing may reach a real server: point at a closed port.
  core = await createCore({ dataDir, shell: 'web', secrets: new MemorySecretStore(), apiBase: 'http://127.0.0.1:9/api' });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await core.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    null,
    undefined,
    '__proto__',
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    '../../etc/passwd',
    "'; DROP TABLE audit; --",
    '=HYPERLINK("http://evil")',
    'x'.repeat(100_000),
    { chainId: Number.MAX_SAFE_INTEGER + 2, membershipId: -1 },
    { chainId: 1e308, membershipId: NaN },
    { login: { $ne: null }, password: [] },
  ),
  fc.dictionary(fc.string(), fc.anything()),
);

describe('contract fuzz', () => {
  it.each(channelNames)('%s answers every argument with a typed reply', async (channel) => {
    await fc.assert(
      fc.asyncProperty(hostile, async (args) => {
        const reply = await dispatch(core.handlers, channel, args);
        expect(typeof reply.ok).toBe('boolean');
        if (!reply.ok) {
          expect(errorKinds).toContain(reply.error.kind);
          expect(typeof reply.error.message).toBe('string');
          expect(reply.error.message.length).toBeGreaterThan(0);
        }
        if (!channels[channel].args.safeParse(args ?? {}).success) {
          expect(reply).toMatchObject({ ok: false, error: { kind: 'bad_input' } });
        }
      }),
      { numRuns: 40, seed: 20261125 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unknown and malicious channel names are bad_input', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'session.get\u0000', 42, null, {}]) {
      const reply = await dispatch(core.handlers, name, {});
      expect(reply).toMatchObject({ ok: false, error: { kind: 'bad_input' } });
    }
  });

  it('left no unhandled rejection behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});
