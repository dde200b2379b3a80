/**
 * Issues 3 and 6, no secret at rest: a real sign-in session against the sandbox (partner token set
 * in Settings, a wrong password, sign-in, a balance change and a freeze, the token invalidated and
 * the password entered again), then every file in the web shell's data folder (the SQLite
 * database with its -wal/-shm, whatever else is there) and everything the web shell wrote to
 * stdout/stderr are searched, as raw bytes in UTF-8 and UTF-16, for the passwords, the partner
 * token and both user tokens. None may appear. Scanned twice: while the app runs (a live WAL) and
 * after it stopped.
 *
 * A control proves the scan sees the data: the balance change's reason, which the audit log keeps,
 * must be found in the data folder.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from './fixtures';
import { DANA, DOWNTOWN, cardSection, chooseLocation, openClient, openMembership } from './helpers';
import { clearKeychainFor, setPartnerToken, signIn, userTokenOf } from './session-helpers';

test.use({ shellMode: 'sandbox' });

const REASON = 'Audit control phrase 7Q2X: courtesy visit';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function encodings(secret: string): Array<{ name: string; bytes: Buffer }> {
  const le = Buffer.from(secret, 'utf16le');
  const be = Buffer.from(le);
  be.swap16();
  return [
    { name: 'utf8', bytes: Buffer.from(secret, 'utf8') },
    { name: 'utf16le', bytes: le },
    { name: 'utf16be', bytes: be },
  ];
}

/** "what (encoding) in where" for every secret found; [] when clean. */
function findSecrets(sources: Array<{ where: string; bytes: Buffer }>, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [what, secret] of Object.entries(secrets)) {
    for (const { name, bytes } of encodings(secret)) {
      for (const source of sources) if (source.bytes.includes(bytes)) found.push(`${what} (${name}) in ${source.where}`);
    }
  }
  return found;
}

test('no password or token in the data folder, the database or the logs', async ({ app: page, shell, sandbox }) => {
  const alex = sandbox.users[0];
  if (!alex) throw new Error('the sandbox should seed Alex');
  const wrongPassword = 'wrong-Pa55word-e2e';

  await setPartnerToken(page, sandbox.partnerToken);
  await signIn(page, alex.login, wrongPassword);
  await expect(page.getByText(/incorrect login or password/i).first()).toBeVisible();
  await signIn(page, alex.login, alex.password);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const firstToken = await userTokenOf(sandbox, alex.login, alex.password);

  await chooseLocation(page, DOWNTOWN);
  await openClient(page, DANA.phone);
  const card = await openMembership(page, DANA.perServiceFreezable);

  // A balance change with a reason (audited).
  await card.getByRole('button', { name: 'Edit balance' }).click();
  const editor = page.getByRole('dialog', { name: /^Edit balance/ });
  await editor.getByLabel('New value for Pilates group').fill('+1');
  await editor.getByLabel('Reason', { exact: true }).fill(REASON);
  await editor.getByRole('button', { name: 'Save balance' }).click();
  await expect(editor).toBeHidden();
  await expect(cardSection(card, 'Balance').getByRole('row', { name: 'Pilates group 8' })).toBeVisible();

  // The token dies; the next write asks for the password again and then goes through.
  sandbox.control.invalidateUserTokens(alex.login);
  await card.getByRole('button', { name: 'Freeze', exact: true }).click();
  const freeze = page.getByRole('dialog', { name: /^Freeze membership/ });
  await freeze.getByRole('button', { name: 'Use the latest possible date' }).click();
  await freeze.getByRole('button', { name: 'Confirm freeze' }).click();
  const reauth = page.getByRole('dialog', { name: 'Sign in again' });
  await expect(reauth).toBeVisible();
  await reauth.getByLabel('Password').fill(alex.password);
  await reauth.getByRole('button', { name: 'Sign in again' }).click();
  await expect(reauth).toBeHidden();
  await expect(freeze).toBeHidden();
  await expect(cardSection(card, 'Dates').getByText(/^Yes, until /)).toBeVisible();
  const secondToken = await userTokenOf(sandbox, alex.login, alex.password);
  expect(secondToken).not.toBe(firstToken);

  const secrets = {
    password: alex.password,
    'wrong password': wrongPassword,
    'partner token': sandbox.partnerToken,
    'user token (first)': firstToken,
    'user token (after re-auth)': secondToken,
  };
  const scan = () => {
    const files = filesUnder(shell.dataDir).map((path) => ({ where: relative(shell.dataDir, path), bytes: readFileSync(path) }));
    return { files, found: findSecrets([...files, { where: 'web shell stdout/stderr', bytes: shell.output() }], secrets) };
  };

  try {
    // While the app runs: the database, its live WAL and shared memory, the logs so far.
    const live = scan();
    expect(live.files.map((f) => f.where)).toContain('membership-desk.db');
    expect(live.found, 'secrets found while the app runs').toEqual([]);
    expect(live.files.some((f) => f.bytes.includes(Buffer.from(REASON))), 'the scan sees the audit log (control)').toBe(true);

    await shell.stop();
    const after = scan();
    expect(after.found, 'secrets found after the app stopped').toEqual([]);
    expect(after.files.some((f) => f.bytes.includes(Buffer.from(REASON))), 'the scan sees the audit log (control)').toBe(true);
  } finally {
    await clearKeychainFor(sandbox.url);
  }
});
