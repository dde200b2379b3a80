import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpProbe, watchConnectivity } from '../../main/core/connectivity';

afterEach(() => vi.useRealTimers());

describe('connectivity watcher', () => {
  it('probes only while offline and reports the network back', async () => {
    vi.useFakeTimers();
    let online = true;
    const probe = vi.fn(async () => true);
    const watcher = watchConnectivity({ isOnline: () => online, setOnline: (v) => (online = v), probe, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(probe).not.toHaveBeenCalled();
    online = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(online).toBe(true);
    watcher.stop();
  });

  it('stays offline while the probe fails, and never overlaps probes', async () => {
    vi.useFakeTimers();
    let online = false;
    let release: (v: boolean) => void = () => {};
    const probe = vi.fn(() => new Promise<boolean>((r) => (release = r)));
    const watcher = watchConnectivity({ isOnline: () => online, setOnline: (v) => (online = v), probe, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(probe).toHaveBeenCalledTimes(1);
    release(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(online).toBe(false);
    expect(probe).toHaveBeenCalledTimes(2);
    watcher.stop();
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
