/**
 * Logging with redaction. Secrets must never reach a log line: `Authorization` headers, tokens,
 * passwords are masked by key name and by value pattern before anything is written.
 */
import { appendFileSync, existsSync, renameSync, statSync } from 'node:fs';

export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const SECRET_KEY = /authorization|token|password|secret|cookie/i;
const BEARER = /(Bearer|User)\s+[^\s,]+/g;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (typeof value === 'string') return value.replace(BEARER, '$1 [redacted]');
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

export type LogSink = (line: string) => void;

export function createLogger(sink: LogSink = (line) => process.stderr.write(line + '\n')): Logger {
  const write = (level: string, message: string, details?: Record<string, unknown>) => {
    const entry = { t: new Date().toISOString(), level, msg: redact(message), ...(details ? { details: redact(details) } : {}) };
    sink(JSON.stringify(entry));
  };
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Every line to each logger (the shell's stderr and the data folder's log file). */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    info: (m, d) => loggers.forEach((l) => l.info(m, d)),
    warn: (m, d) => loggers.forEach((l) => l.warn(m, d)),
    error: (m, d) => loggers.forEach((l) => l.error(m, d)),
  };
}

export const LOG_FILE = 'membership-desk.log';

/**
 * Appends (already redacted) lines to a private file (0600) for "Save diagnostics…"; at
 * `maxBytes` the file becomes `<name>.1` (one older file kept). Never throws: a full disk must
 * not turn logging into a failure of its own.
 */
export function createFileSink(path: string, maxBytes = 2 * 1024 * 1024): LogSink {
  let size = -1;
  return (line) => {
    try {
      if (size < 0) size = existsSync(path) ? statSync(path).size : 0;
      if (size > maxBytes) {
        renameSync(path, `${path}.1`);
        size = 0;
      }
      appendFileSync(path, `${line}\n`, { mode: 0o600 });
      size += Buffer.byteLength(line) + 1;
    } catch {
      /* not written: the shell's own log still has it */
    }
  };
}
