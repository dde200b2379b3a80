/**
 * Issue 15: the Altegio client against the sandbox answering in the documented shapes
 * (main/sandbox/real-shapes.ts), one switch at a time, over real HTTP on loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { startSandbox, type Sandbox } from '../../main/sandbox/server';
import { failure } from '../support/failures';

let sandbox: Sandbox;
let api: AltegioApi;
const creds: Credentials = { baseUrl: '', partnerToken: null, userToken: null };

beforeAll(async () => {
  sandbox = await startSandbox({ rate: null });
  creds.baseUrl = sandbox.url;
  creds.partnerToken = sandbox.partnerToken;
  api = createAltegioClient({ credentials: () => creds, limiter: createRateLimiter({ perSecond: 100, perMinute: 6000 }), retry: { attempts: 2, baseMs: 5, maxMs: 20 } });
  creds.userToken = (await api.auth(sandbox.login, sandbox.password)).userToken;
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.control.setRealShapes([]);
  sandbox.control.expireLicence(null);
});

const ids = () => sandbox.control.knownIds;

describe('array-envelope: [{success, data, meta}]', () => {
  it('the chain list reads as its memberships; freeze, unfreeze and a set_balance refusal keep their meaning', async () => {
    sandbox.control.setRealShapes(['array-envelope']);
    const { chains, memberships } = ids();
    const raw = await fetch(`${sandbox.url}/v1/chain/${chains.northside}/loyalty/abonements?abonements_ids[]=${memberships.danaPerServiceFreezable}`, {
      headers: { Accept: 'application/vnd.api.v2+json', Authorization: `Bearer ${creds.partnerToken}, User ${creds.userToken}` },
    });
    expect(Array.isArray(await raw.json())).toBe(true);

    const [m] = await api.membershipsByIds(chains.northside, [memberships.danaPerServiceFreezable]);
    expect(m?.id).toBe(memberships.danaPerServiceFreezable);

    // Already frozen: the refusal (400 inside an array) is a refusal with the server's words.
    const refused = await failure(api.freeze(chains.northside, memberships.danaFrozen, '2099-01-01'));
    expect(refused.kind).toBe('validation');
    expect(refused.message).toContain('already frozen');

    await api.unfreeze(chains.northside, memberships.danaFrozen);
    const [after] = await api.membershipsByIds(chains.northside, [memberships.danaFrozen]);
    expect(after?.isFrozen).toBe(false);

    const balance = await failure(api.setBalance(chains.northside, memberships.balanceEditProhibited, { united: 3 }));
    expect(balance.kind).toBe('validation');
    expect(balance.message).toContain("Can't change balance");
  });
});
