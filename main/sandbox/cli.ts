/**
 * Runs the sandbox from the command line:
 *   npx tsx main/sandbox/cli.ts [--port P] [--rate R] [--seed S] [--extra N] [--memberships N] [--retry-after] [--real-shapes a,b|all]
 * --rate R: R requests per second and R×60 per minute (so the per-second limit governs);
 * --rate 0: no limit; default: the documented 5/s and 200/min.
 * --memberships N: a large chain (N memberships sold over three years at Northside).
 * --real-shapes: answer in these documented shapes (main/sandbox/real-shapes.ts), or `all`.
 * Prints exactly one JSON line {url, partnerToken, login, password} on stdout and serves until
 * SIGINT/SIGTERM. Argument errors go to stderr with exit code 2.
 */
import { pathToFileURL } from 'node:url';
import { REAL_SHAPES, parseRealShapes } from './real-shapes';
import { startSandbox, type SandboxOptions } from './server';

const USAGE = `Usage: tsx main/sandbox/cli.ts [--port P] [--rate R] [--seed S] [--extra N] [--memberships N] [--retry-after] [--real-shapes ${REAL_SHAPES.join(',')}|all]`;

export function parseArgs(argv: readonly string[]): SandboxOptions {
  const options: SandboxOptions = {};
  const integer = (flag: string, value: string | undefined, min: number, max: number): number => {
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a whole number, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new Error(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        options.port = integer('--port', value(), 0, 65535);
        break;
      case '--rate': {
        const r = integer('--rate', value(), 0, 100_000);
        options.rate = r === 0 ? null : { perSecond: r, perMinute: r * 60 };
        break;
      }
      case '--seed':
        options.seed = integer('--seed', value(), 0, 2 ** 31 - 1);
        break;
      case '--extra':
        options.extraMemberships = integer('--extra', value(), 0, 1_000_000);
        break;
      case '--memberships':
        options.chainMemberships = integer('--memberships', value(), 0, 1_000_000);
        break;
      case '--retry-after':
        options.retryAfterHeader = true;
        break;
      case '--real-shapes': {
        const list = value();
        if (list === undefined) throw new Error('--real-shapes needs a list of shapes (or all)');
        options.realShapes = parseRealShapes(list);
        break;
      }
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`Unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: SandboxOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox(options);
  process.stdout.write(`${JSON.stringify({ url: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password })}\n`);
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Only run when executed directly, so tests can import parseArgs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Sandbox failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
