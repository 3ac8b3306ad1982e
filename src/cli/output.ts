/**
 * How every `miaou` command answers people and scripts (docs/cli.md, "Conventions"):
 *
 * - success: exit 0; the result on stdout, as `key: value` lines, or with `--json` as one JSON object;
 * - failure: nothing on stdout; ONE sentence on stderr, or with `--json` one object
 *   `{"error": {"code", "message"}}`; the exit code says which kind of failure it was.
 *
 * Errors become sentences here and nowhere else, so every command keeps the same contract.
 */
import { MiaouError } from '../lib/core/errors.ts';

/** Success. */
export const EXIT_OK = 0;
/** Miaou checked the input and the answer is no: a signature that does not verify, a wrong passphrase… */
export const EXIT_REFUSED = 1;
/** The command could not run as asked: bad usage, a missing file, no identity yet, no passphrase source… */
export const EXIT_USAGE = 2;
/** A bug: an error Miaou did not expect. */
export const EXIT_INTERNAL = 3;
/** Cancelled by the user (Ctrl-C at a prompt), as a shell reports SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** Error codes that mean "could not run as asked" (exit 2); every other MiaouError means "refused" (exit 1). */
const USAGE_CODES: ReadonlySet<string> = new Set([
	'ERR_USAGE',
	'ERR_INVALID_ID',
	'ERR_NO_IDENTITY',
	'ERR_NO_PASSPHRASE',
	'ERR_BAD_PASSPHRASE',
	'ERR_NO_SUCH_FILE',
	'ERR_FILE_ACCESS',
	'ERR_HOME_BUSY'
]);

/** What a failure looks like to the user: a stable code, one sentence, an exit code. */
export interface ErrorReport {
	code: string;
	message: string;
	exitCode: number;
}

/** A writable text sink (process.stdout, process.stderr, or a buffer in tests). */
export interface TextSink {
	write(text: string): unknown;
}

/** Plain-language reasons for the file system errors a user can meet. */
const NODE_REASONS: Readonly<Record<string, string>> = {
	EACCES: 'permission denied',
	EPERM: 'operation not permitted',
	EISDIR: 'it is a directory, not a file',
	ENOTDIR: 'a part of the path is not a directory',
	ENOSPC: 'no space left on the device',
	EROFS: 'the file system is read-only',
	EEXIST: 'it already exists',
	EMFILE: 'too many open files',
	ENAMETOOLONG: 'the name is too long',
	ELOOP: 'too many symbolic links',
	EBUSY: 'it is busy'
};

/**
 * Turn one sentence-ish text into exactly one line that ends with a full stop.
 * @param text - a message, possibly multi-line or lower-case
 * @returns the same words on one line, capitalised, ending with `.`, `?` or `!`
 */
export function oneSentence(text: string): string {
	let s = text.replace(/\s+/g, ' ').trim();
	if (s === '') return 'Unknown error.';
	s = s[0]!.toUpperCase() + s.slice(1);
	return /[.?!]$/.test(s) ? s : `${s}.`;
}

/**
 * Classify any thrown value into a code, one sentence and an exit code.
 * @param err - what was thrown (MiaouError, a Node system error, a commander error, anything)
 * @returns the report to print
 */
export function describeError(err: unknown): ErrorReport {
	if (err instanceof MiaouError) {
		const exitCode =
			err.code === 'ERR_ABORTED' ? EXIT_INTERRUPTED : USAGE_CODES.has(err.code) ? EXIT_USAGE : EXIT_REFUSED;
		return { code: err.code, message: oneSentence(err.message), exitCode };
	}
	if (err instanceof Error) {
		const sys = err as NodeJS.ErrnoException;
		if (typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code)) {
			const where = typeof sys.path === 'string' ? sys.path : 'a file';
			if (sys.code === 'ENOENT')
				return { code: 'ERR_NO_SUCH_FILE', message: `No such file: ${where}.`, exitCode: EXIT_USAGE };
			const reason = NODE_REASONS[sys.code] ?? `system error ${sys.code}`;
			return { code: 'ERR_FILE_ACCESS', message: `Cannot use ${where}: ${reason}.`, exitCode: EXIT_USAGE };
		}
		// commander's errors: "error: unknown option '--x'" and the like, always a usage problem.
		if (typeof sys.code === 'string' && sys.code.startsWith('commander.')) {
			return { code: 'ERR_USAGE', message: oneSentence(err.message.replace(/^error:\s*/i, '')), exitCode: EXIT_USAGE };
		}
		return {
			code: 'ERR_INTERNAL',
			message: oneSentence(`Miaou failed unexpectedly (${err.message || err.name}); please report this`),
			exitCode: EXIT_INTERNAL
		};
	}
	return {
		code: 'ERR_INTERNAL',
		message: oneSentence(`Miaou failed unexpectedly (${String(err)}); please report this`),
		exitCode: EXIT_INTERNAL
	};
}

/**
 * Print a failure: one sentence, or one JSON object, on stderr.
 * @param report - from describeError
 * @param json - whether `--json` was given
 * @param stderr - where to write
 */
export function printError(report: ErrorReport, json: boolean, stderr: TextSink): void {
	stderr.write(
		json
			? `${JSON.stringify({ error: { code: report.code, message: report.message } })}\n`
			: `miaou: ${report.message}\n`
	);
}

/** The JSON-safe values a result may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One command result, with its human form beside the machine form. */
export interface CommandResult {
	/** The object printed with `--json`. */
	json: { [key: string]: JsonValue };
	/** The text printed otherwise (a trailing newline is added if missing; empty prints nothing). */
	human: string;
}

/**
 * Print a successful result on stdout.
 * @param result - both forms of the result
 * @param json - whether `--json` was given
 * @param stdout - where to write
 */
export function printResult(result: CommandResult, json: boolean, stdout: TextSink): void {
	if (json) {
		stdout.write(`${JSON.stringify(result.json)}\n`);
	} else if (result.human !== '') {
		stdout.write(result.human.endsWith('\n') ? result.human : `${result.human}\n`);
	}
}

/**
 * Align `label: value` pairs into lines, the human form of most results.
 * @param rows - label and value pairs; rows whose value is undefined are left out
 * @returns the aligned lines, newline-terminated
 */
export function formatFields(rows: ReadonlyArray<readonly [string, string | undefined]>): string {
	const shown = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
	const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
	return shown.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}\n`).join('');
}

/**
 * Make text from other people safe to print on a terminal: control characters (ESC would let a
 * message move the cursor, recolour or retitle the terminal: ECMA-48), line and paragraph
 * separators and bidirectional overrides (Unicode TR36 §2.2) become U+FFFD. Line feeds and tabs
 * stay unless `oneLine` is set, in which case a line feed becomes a visible "⏎".
 * @param text - untrusted text (a message, a display name)
 * @param oneLine - fold it onto one line
 * @returns the text, harmless to write to a terminal
 */
export function terminalSafe(text: string, oneLine = false): string {
	const folded = oneLine ? text.replace(/\r?\n/g, ' ⏎ ') : text;
	return folded.replace(/(?![\n\t])[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu, '\uFFFD');
}
