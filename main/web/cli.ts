/**
 * `npm run start:web -- --port P [--api-base URL] [--demo] [--data-dir DIR] [--language en|ru|es|pt-BR|en-XA]`
 * Serves the built renderer (out/renderer) and the contract on 127.0.0.1 and prints one JSON line
 * `{"url": "..."}` (the URL carries both per-run secrets, the tab key in its `#t=` fragment: open it
 * whole). Serves until stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../core/app';
import { fileClock } from '../core/clock';
import { createLogger } from '../core/log';
import { defaultDataDir } from '../core/paths';
import { ServerUrl } from '../../preload/contract';
import { isUiLanguage, LANGUAGES, PSEUDO_LANGUAGE } from '../../common/i18n/languages';
import { startWebShell } from './server';

function fail(message: string): never {
  process.stderr.write(`start:web: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'api-base': { type: 'string' },
        demo: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        language: { type: 'string' },
        // Tests: "now" is the instant written in this file (the scheduler's day; see core/clock.ts).
        'test-clock': { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
  let apiBase: string | undefined;
  if (values['api-base'] !== undefined) {
    const parsed = ServerUrl.safeParse(values['api-base']);
    if (!parsed.success) fail(`--api-base: ${parsed.error.issues[0]?.message ?? 'not a URL'}`);
    apiBase = parsed.data;
  }
  // --language CODE: start in that language (stored like a choice in Settings); en-XA, the
  // pseudo-language for tests, only for this run.
  const language = values.language;
  if (language !== undefined && !isUiLanguage(language)) fail(`--language must be one of ${[...LANGUAGES, PSEUDO_LANGUAGE].join(', ')}, not "${language}"`);
  const rendererDir = join(import.meta.dirname, '../../out/renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) fail('the renderer is not built: run `npm run build` first');

  const log = createLogger();
  const core = await createCore({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    shell: 'web',
    log,
    ...(apiBase ? { apiBase } : {}),
    demoByDefault: values.demo,
    pseudoLanguage: language === PSEUDO_LANGUAGE,
    ...(values['test-clock'] ? { clock: fileClock(values['test-clock']) } : {}),
  });
  if (language !== undefined && language !== PSEUDO_LANGUAGE) await core.handlers['language.set']({ language });
  const shell = await startWebShell({ handlers: core.handlers, events: core.events, rendererDir, port, log });
  process.stdout.write(JSON.stringify({ url: shell.url }) + '\n');

  const stop = async () => {
    await shell.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
