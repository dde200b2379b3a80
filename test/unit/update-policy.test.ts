/**
 * The update policy (main/core/updates.ts) with a fake updater port, a fake activity probe and
 * fake timers: checks at start and every few hours, downloads never interrupt, an install only
 * when the app is idle with nothing under way (or at quit, which the port arranges).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../main/core/log';
import { createUpdatePolicy, parseUpdateConfig, type UpdatePolicy } from '../../main/core/updates';

let checks = 0;
let installs = 0;
let busy: string | null = null;
let idleMs = 0;
let policy: UpdatePolicy;
let failCheck = false;

beforeEach(() => {
  vi.useFakeTimers();
  checks = 0;
  installs = 0;
  busy = null;
  idleMs = 0;
  failCheck = false;
  policy = createUpdatePolicy({
    port: {
      checkAndDownload: async () => {
        checks++;
        if (failCheck) throw new Error('ENOTFOUND updates.example');
      },
      installNow: () => void installs++,
    },
    activity: { busy: () => busy, idleMs: () => idleMs },
    log: silentLogger,
    firstCheckMs: 60_000,
    checkEveryMs: 4 * 3_600_000,
    idleBeforeInstallMs: 15 * 60_000,
    pollMs: 60_000,
  });
});
afterEach(() => {
  policy.stop();
  vi.useRealTimers();
});

describe('update policy', () => {
  it('checks a minute after start, then every 4 hours; a failing check is only logged', async () => {
    await vi.advanceTimersByTimeAsync(59_000);
    expect(checks).toBe(0);
    failCheck = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(checks).toBe(1);
    await vi.advanceTimersByTimeAsync(4 * 3_600_000);
    expect(checks).toBe(2);
  });

  it('nothing downloaded: never installs, however idle', async () => {
    idleMs = 10 * 3_600_000;
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(installs).toBe(0);
    expect(policy.tryInstall()).toBe(false);
  });

  it('downloaded: waits while someone works (input in the last 15 minutes), installs once idle', async () => {
    policy.downloaded('1.4.0');
    expect(policy.pending()).toBe('1.4.0');
    idleMs = 14 * 60_000;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(installs).toBe(0);
    idleMs = 15 * 60_000;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(installs).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(installs).toBe(1); // once
  });

  it.each(['batch', 'bulk', 'dialog'])('downloaded and idle, but a %s is under way: waits for it to end', async (what) => {
    policy.downloaded('1.4.0');
    idleMs = 3_600_000;
    busy = what;
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(installs).toBe(0);
    busy = null;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(installs).toBe(1);
  });

  it('stopped (the app quits): no more checks or installs', async () => {
    policy.downloaded('1.4.0');
    policy.stop();
    idleMs = 3_600_000;
    await vi.advanceTimersByTimeAsync(5 * 3_600_000);
    expect(checks).toBe(0);
    expect(installs).toBe(0);
  });
});

describe("IT's update.json", () => {
  it('takes an https URL', () => {
    expect(parseUpdateConfig('{"url":"https://updates.chain.example/desk/"}')).toEqual({ config: { url: 'https://updates.chain.example/desk/' }, problem: null });
  });
  it('none: no config, no problem', () => {
    expect(parseUpdateConfig(null)).toEqual({ config: null, problem: null });
  });
  it.each([
    ['not JSON', '{url:', /not valid JSON/],
    ['plain http', '{"url":"http://updates.chain.example/"}', /must start with https/],
    ['a password in the URL', '{"url":"https://it:secret@updates.chain.example/"}', /user name or password/],
    ['unknown keys', '{"url":"https://u.example/","channel":"beta"}', /update\.json/],
  ])('refuses %s, saying why', (_what, text, why) => {
    const r = parseUpdateConfig(text);
    expect(r.config).toBeNull();
    expect(r.problem).toMatch(why);
  });
});
