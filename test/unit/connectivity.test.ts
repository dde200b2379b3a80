import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConnectivity, httpProbe } from '../../main/core/connectivity';
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';

afterEach(() => vi.useRealTimers());

describe('Connectivity', () => {
  it('one event per change: what the transport reports', () => {
    const c = createConnectivity({ probe: async () => true, intervalMs: 60_000 });
    const seen: boolean[] = [];
    const off = c.onChange((online) => seen.push(online));
    c.report(true);
    c.report(false);
    c.report(false);
    expect(c.online()).toBe(false);
    c.report(true);
    off();
    c.report(false);
    expect(seen).toEqual([false, true]);
    c.stop();
  });

  it('probes only while offline and reports the network back', async () => {
    vi.useFakeTimers();
    const probe = vi.fn(async () => true);
    const c = createConnectivity({ probe, intervalMs: 1000 });
    const seen: boolean[] = [];
    c.onChange((o) => seen.push(o));
    await vi.advanceTimersByTimeAsync(3000);
    expect(probe).not.toHaveBeenCalled();
    c.report(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(c.online()).toBe(true);
    expect(seen).toEqual([false, true]);
    c.stop();
  });

  it('stays offline while the probe fails, and never overlaps probes', async () => {
    vi.useFakeTimers();
    let release: (v: boolean) => void = () => {};
    const probe = vi.fn(() => new Promise<boolean>((r) => (release = r)));
    const c = createConnectivity({ probe, intervalMs: 1000 });
    c.report(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(probe).toHaveBeenCalledTimes(1);
    release(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.online()).toBe(false);
    expect(probe).toHaveBeenCalledTimes(2);
    c.stop();
  });

  it('the transport reports to it: a refused connection is offline, any HTTP answer online again', async () => {
    const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false,"meta":{"message":"Not found"}}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const c = createConnectivity({ probe: async () => false, intervalMs: 60_000 });
    const seen: boolean[] = [];
    c.onChange((o) => seen.push(o));
    const api = createAltegioClient({
      credentials: () => ({ baseUrl: `http://127.0.0.1:${port}/api`, partnerToken: 'partner-x-123', userToken: 'user-y-456' }),
      limiter: createRateLimiter({ perSecond: 1000, perMinute: 100_000 }),
      retry: { attempts: 1 },
      connectivity: c,
    });
    await expect(api.client(1, 2)).rejects.toMatchObject({ kind: 'offline' });
    expect(c.online()).toBe(false);
    const back = createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false,"meta":{"message":"Not found"}}'));
    await new Promise<void>((r) => back.listen(port, '127.0.0.1', () => r()));
    await expect(api.client(1, 2)).rejects.toMatchObject({ kind: 'not_found' });
    expect(seen).toEqual([false, true]);
    await new Promise<void>((r) => back.close(() => r()));
    c.stop();
  });
});

describe('httpProbe', () => {
  it('any HTTP answer means online; a closed port means offline', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    expect(await httpProbe(() => `http://127.0.0.1:${port}/api`)()).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await httpProbe(() => `http://127.0.0.1:${port}/api`)()).toBe(false);
    expect(await httpProbe(() => null)()).toBe(false);
  });
});
