import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../main/core/paths';

describe('default data folder: per user, never shared or next to the program', () => {
  it('Windows: the user profile (%APPDATA%), as Electron userData', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\dana\\AppData\\Roaming' })).toMatch(/^C:\\Users\\dana\\AppData\\Roaming[\\/]Membership Desk$/);
  });
  it('Windows without APPDATA: still under the home folder', () => {
    expect(defaultDataDir('win32', {})).toContain('AppData');
  });
  it('Linux: XDG config home', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/home/dana/.config' })).toBe('/home/dana/.config/Membership Desk');
  });
});
