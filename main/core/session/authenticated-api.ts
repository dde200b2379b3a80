/**
 * The signed-in client as the rest of the core uses it: every method of AltegioApi, written out,
 * passes through the session's gate — which refuses when nobody is signed in, hands over the
 * client of the current credentials, and hears of a failure (an expired sign-in, a right Altegio
 * refused on a write) together with the credentials' generation the call started under.
 */
import type { RightName } from '../../../common/rights';
import type { AltegioApi } from '../altegio/api';

/** The right a write needs on its chain (a refusal of it turns that right off there). */
export interface WriteRight {
  chainId: number;
  right: RightName;
}

export interface ApiGate {
  /** The client of the signed-in session and its generation; throws auth_expired when there is none. */
  open(): Promise<{ api: AltegioApi; generation: number }>;
  /** A call made under `generation` failed with `error`. */
  failed(generation: number, error: unknown, write: WriteRight | null): void;
}

export function authenticatedApi(gate: ApiGate): AltegioApi {
  const call = async <T>(run: (api: AltegioApi) => Promise<T>, write: WriteRight | null = null): Promise<T> => {
    const { api, generation } = await gate.open();
    try {
      return await run(api);
    } catch (e) {
      gate.failed(generation, e, write);
      throw e;
    }
  };
  return {
    auth: (login, password) => call((a) => a.auth(login, password)),
    chains: () => call((a) => a.chains()),
    searchClients: (locationId, query, options) => call((a) => a.searchClients(locationId, query, options)),
    client: (locationId, clientId, options) => call((a) => a.client(locationId, clientId, options)),
    membershipsByPhone: (locationId, phone, options) => call((a) => a.membershipsByPhone(locationId, phone, options)),
    membershipsByIds: (chainId, ids, options) => call((a) => a.membershipsByIds(chainId, ids, options)),
    membershipsCreated: (chainId, window, page, count, options) => call((a) => a.membershipsCreated(chainId, window, page, count, options)),
    freeze: (chainId, membershipId, freezeTill, options) => call((a) => a.freeze(chainId, membershipId, freezeTill, options), { chainId, right: 'periodEdit' }),
    unfreeze: (chainId, membershipId, options) => call((a) => a.unfreeze(chainId, membershipId, options), { chainId, right: 'periodEdit' }),
    setPeriod: (chainId, membershipId, body, options) => call((a) => a.setPeriod(chainId, membershipId, body, options), { chainId, right: 'periodEdit' }),
    setBalance: (chainId, membershipId, body, options) => call((a) => a.setBalance(chainId, membershipId, body, options), { chainId, right: 'balanceEdit' }),
  };
}
