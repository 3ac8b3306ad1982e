/**
 * Where the CLI gets a passphrase (docs/cli.md, "Passphrase"):
 *
 * 1. `MIAOU_PASSPHRASE`, when set, for scripts (an empty value is refused, not ignored: a script
 *    that sets it empty by mistake must not fall back to a prompt it cannot answer);
 * 2. otherwise a hidden prompt on the terminal: raw mode, nothing echoed, asked twice for a new
 *    passphrase;
 * 3. otherwise (no terminal, no variable) a clear error, exit 2.
 */
import { StringDecoder } from 'node:string_decoder';
import { AbortError, BadPassphraseError, NoPassphraseError } from '../lib/core/errors.ts';
import type { TextSink } from './output.ts';

/** The environment variable a script sets to give the passphrase. */
export const PASSPHRASE_ENV = 'MIAOU_PASSPHRASE';
/** Longest passphrase accepted, in characters (input bound; a scrypt input can be any length). */
export const MAX_PASSPHRASE_LENGTH = 1024;

/** The part of a TTY input stream the prompt needs (process.stdin when it is a terminal). */
export interface PromptInput {
	isTTY?: boolean;
	isRaw?: boolean;
	setRawMode?(mode: boolean): unknown;
	/** Listens for 'data' (a chunk: Buffer or string) and 'end'. */
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	off(event: string, listener: (...args: unknown[]) => void): unknown;
	resume(): unknown;
	pause(): unknown;
}

/** Where a passphrase can come from. */
export interface PassphraseSource {
	stdin: PromptInput;
	stderr: TextSink;
	env: Readonly<Record<string, string | undefined>>;
}

/**
 * Refuse a passphrase that cannot be right before any key work is done.
 * @param passphrase - the candidate
 * @returns the same passphrase
 * @throws {BadPassphraseError} when it is empty or longer than MAX_PASSPHRASE_LENGTH
 */
export function checkPassphrase(passphrase: string): string {
	if (passphrase === '') throw new BadPassphraseError('it is empty');
	if (passphrase.length > MAX_PASSPHRASE_LENGTH)
		throw new BadPassphraseError(`it is longer than ${MAX_PASSPHRASE_LENGTH} characters`);
	return passphrase;
}

/**
 * Get a passphrase from MIAOU_PASSPHRASE or a hidden terminal prompt.
 * @param source - stdin, stderr (the prompt goes there, so stdout stays clean for results) and env
 * @param opts.prompt - the question, e.g. "Passphrase: "
 * @param opts.confirm - ask a second time and require the same answer (for a new passphrase)
 * @returns the passphrase
 * @throws {BadPassphraseError} empty, too long, or the two entries differ
 * @throws {NoPassphraseError} when there is neither the variable nor a terminal
 * @throws {AbortError} when the user cancels the prompt (Ctrl-C, Ctrl-D)
 */
export async function getPassphrase(
	source: PassphraseSource,
	opts: { prompt: string; confirm?: boolean }
): Promise<string> {
	const fromEnv = source.env[PASSPHRASE_ENV];
	if (fromEnv !== undefined) {
		if (fromEnv === '') throw new BadPassphraseError(`it is empty (${PASSPHRASE_ENV} is set but empty)`);
		return checkPassphrase(fromEnv);
	}
	const { stdin } = source;
	if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') throw new NoPassphraseError();
	const first = checkPassphrase(await readHidden(opts.prompt, stdin, source.stderr));
	if (opts.confirm) {
		const second = await readHidden('Repeat the passphrase: ', stdin, source.stderr);
		if (second !== first) throw new BadPassphraseError('the two entries differ');
	}
	return first;
}

/** Where a line being typed stands after some input. */
export interface LineState {
	value: string;
	status: 'more' | 'done' | 'cancel';
}

/**
 * Apply typed characters to a hidden line, as a terminal in raw mode delivers them. Pure, so the
 * editing rules are unit-tested without a terminal.
 *
 * Enter ends the line (anything typed after it in the same chunk is dropped); Ctrl-C and Ctrl-D
 * cancel; Backspace/Delete removes the last character (a whole code point, so an emoji goes at
 * once); Ctrl-U clears the line; escape sequences (arrows, bracketed-paste markers) and other
 * control characters are ignored.
 * @param value - the line so far
 * @param chunk - the characters just received
 * @returns the new line and whether it is finished
 */
export function editLine(value: string, chunk: string): LineState {
	const chars = [...chunk];
	for (let i = 0; i < chars.length; i++) {
		const c = chars[i]!;
		if (c === '\r' || c === '\n') return { value, status: 'done' };
		if (c === '\u0003' || c === '\u0004') return { value, status: 'cancel' };
		if (c === '\u007f' || c === '\b') {
			value = [...value].slice(0, -1).join('');
		} else if (c === '\u0015') {
			value = '';
		} else if (c === '\u001b') {
			// ECMA-48 §5.4: CSI ("ESC [") or SS3 ("ESC O") then parameters up to a final byte 0x40–0x7E.
			const next = chars[i + 1];
			if (next === '[' || next === 'O') {
				i += 2;
				while (i < chars.length && !/[\x40-\x7e]/.test(chars[i]!)) i++;
			} else if (next !== undefined) {
				i++;
			}
		} else if (c >= ' ' && !/[\u0080-\u009f]/.test(c)) {
			value += c;
		}
	}
	return { value, status: 'more' };
}

/**
 * Ask for a line without echoing it: the terminal goes into raw mode for the prompt and back to
 * its previous mode afterwards, whatever happens.
 * @param prompt - the question, written to `output`
 * @param input - a TTY stream with setRawMode
 * @param output - where the prompt goes (stderr)
 * @returns the typed line
 * @throws {AbortError} on Ctrl-C, Ctrl-D or end of input
 */
export function readHidden(prompt: string, input: PromptInput, output: TextSink): Promise<string> {
	return new Promise((resolve, reject) => {
		const decoder = new StringDecoder('utf8');
		const wasRaw = input.isRaw === true;
		let value = '';
		const finish = (error?: Error): void => {
			input.off('data', onData);
			input.off('end', onEnd);
			input.setRawMode?.(wasRaw);
			input.pause();
			output.write('\n');
			if (error) reject(error);
			else resolve(value);
		};
		const onData = (chunk: unknown): void => {
			const state = editLine(value, typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
			value = state.value;
			if (state.status === 'done') finish();
			else if (state.status === 'cancel') finish(new AbortError('The passphrase prompt'));
		};
		const onEnd = (): void => finish(new AbortError('The passphrase prompt'));
		output.write(prompt);
		input.setRawMode?.(true);
		input.on('data', onData);
		input.on('end', onEnd);
		input.resume();
	});
}
