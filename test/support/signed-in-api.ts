import type { Chain } from '../../preload/contract';
import type { AltegioApi, Credentials } from '../../main/core/altegio/api';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import type { Sandbox } from '../../main/sandbox/server';

export interface SignedInApi {
  api: AltegioApi;
  user: { userId: number; name: string };
  chains: Chain[];
  /** The time zone of a location of those chains (throws for one it does not know). */
  zoneOf(locationId: number): string;
}

/**
 * The real client (real limiter, short retries) signed in to `sandbox` as `login`: what a desk's core
 * holds after sign-in, for tests of the services above it.
 */
export async function signedInApi(sandbox: Sandbox, login = sandbox.login, password = sandbox.password): Promise<SignedInApi> {
  const creds: Credentials = { baseUrl: sandbox.url, partnerToken: sandbox.partnerToken, userToken: null };
  const api = createAltegioClient({ credentials: () => creds, limiter: createRateLimiter({ perSecond: 50, perMinute: 3000 }), retry: { attempts: 2, baseMs: 10, maxMs: 50 } });
  const auth = await api.auth(login, password);
  creds.userToken = auth.userToken;
  const chains = await api.chains();
  const zoneOf = (locationId: number): string => {
    for (const c of chains) for (const l of c.locations) if (l.id === locationId) return l.timezone;
    throw new Error(`unknown location ${locationId}`);
  };
  return { api, user: { userId: auth.userId, name: auth.name }, chains, zoneOf };
}
