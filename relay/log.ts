/**
 * Structured logging for the relay: one JSON object a line on stderr (or any sink), so an operator
 * can pipe it into journald, Loki or `jq` without a parser. Every line carries `time` (ISO 8601),
 * `level` and `msg`; extra context rides in named fields, never inside the sentence.
 *
 * No dependency: the relay logs a few lines a minute outside debug, so a logging library would buy
 * nothing but install weight.
 */

/** Severity, lowest first. A logger drops lines below its configured level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The levels in order; index = severity. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Context attached to one log line. Values must be JSON-serialisable; errors are flattened. */
export type LogFields = Record<string, unknown>;

/** A structured logger. `child` returns a logger whose lines all carry `fields`. */
export interface Logger {
	debug: (msg: string, fields?: LogFields) => void;
	info: (msg: string, fields?: LogFields) => void;
	warn: (msg: string, fields?: LogFields) => void;
	error: (msg: string, fields?: LogFields) => void;
	child: (fields: LogFields) => Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
	/** Lowest level written; default `info`. */
	level?: LogLevel;
	/** Where each finished line (without the newline) goes; default: `process.stderr`. */
	write?: (line: string) => void;
	/** Fields on every line (e.g. `{ component: 'relay' }`). */
	fields?: LogFields;
	/** Clock, injectable for tests; default `Date.now`. */
	now?: () => number;
}

/**
 * True when `value` names a log level.
 * @param value - any input, e.g. an environment variable
 * @returns whether it is one of {@link LOG_LEVELS}
 */
export function isLogLevel(value: unknown): value is LogLevel {
	return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Turn values JSON cannot carry (errors, bigints) into ones it can. */
function jsonSafe(_key: string, value: unknown): unknown {
	if (value instanceof Error) {
		const out: Record<string, unknown> = { name: value.name, message: value.message };
		const code = (value as { code?: unknown }).code;
		if (code !== undefined) out.code = code;
		return out;
	}
	if (typeof value === 'bigint') return value.toString();
	return value;
}

/**
 * Create a JSON-lines logger.
 * @param opts - level, sink, base fields and clock; all optional
 * @returns a {@link Logger}
 * @example const log = createLogger({ level: 'debug', fields: { component: 'relay' } }); log.info('ready', { port })
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
	const min = LOG_LEVELS.indexOf(opts.level ?? 'info');
	const write = opts.write ?? ((line: string) => void process.stderr.write(line + '\n'));
	const now = opts.now ?? Date.now;
	const make = (base: LogFields): Logger => {
		const emit =
			(level: LogLevel) =>
			(msg: string, fields?: LogFields): void => {
				if (LOG_LEVELS.indexOf(level) < min) return;
				let line: string;
				try {
					line = JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...base, ...fields }, jsonSafe);
				} catch {
					// A circular structure in the fields must not take the relay down; keep the sentence.
					line = JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...base, fieldsError: true });
				}
				write(line);
			};
		return {
			debug: emit('debug'),
			info: emit('info'),
			warn: emit('warn'),
			error: emit('error'),
			child: (fields: LogFields) => make({ ...base, ...fields })
		};
	};
	return make(opts.fields ?? {});
}

/** A logger that drops everything (tests and library use). */
export const silentLogger: Logger = {
	debug: () => {},
	info: () => {},
	warn: () => {},
	error: () => {},
	child: () => silentLogger
};
