/**
 * The one error helper of the UI: any failure — a MiaouError from the core, a DOMException from
 * a browser API, a network TypeError, a thrown string — becomes one sentence a person can read,
 * in their language. Components never show `error.message` themselves.
 */
import { MiaouError, RelayRefusedError } from '../core/errors.ts';
import type { Dictionary } from './en.ts';

/** Longest technical detail quoted in the "unexpected" sentence; the rest is cut. */
export const MAX_ERROR_DETAIL_LENGTH = 160;

type Errors = Dictionary['errors'];

/**
 * The error codes the dictionaries have a sentence for: every plain-sentence entry of `errors`
 * except `offline`. Entries that take parameters (`unknown`, `relayRefused`) are helpers, not codes.
 * error-message.test.ts fails when any `code` of any error class the app can meet has no sentence
 * here, in both languages (docs/decisions.md, "Every error code has a sentence").
 */
export type KnownCode = Exclude<{ [K in keyof Errors]: Errors[K] extends string ? K : never }[keyof Errors], 'offline'>;

/**
 * Whether a dictionary has a sentence for an error code.
 * @param code - an error's stable `code` (or any string)
 * @param t - the dictionary of the current language
 * @returns true if `t.errors[code]` is that code's sentence
 */
export function isKnownCode(code: string, t: Dictionary): code is KnownCode {
	return code !== 'offline' && Object.hasOwn(t.errors, code) && typeof t.errors[code as keyof Errors] === 'string';
}

/** The host of a relay URL, short enough for a sentence; the raw text if it is not a URL. */
function relayName(relay: string): string {
	try {
		return new URL(relay).host || clip(relay);
	} catch {
		return clip(relay);
	}
}

function clip(text: string): string {
	const oneLine = text.replace(/\s+/g, ' ').trim();
	return oneLine.length > MAX_ERROR_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_ERROR_DETAIL_LENGTH - 1)}…` : oneLine;
}

/**
 * Turn any thrown value into one readable sentence.
 *
 * A MiaouError gets the sentence of its code; a relay's refusal names the relay and the sentence
 * of its reason. A code with no sentence (only possible for a code built at run time: the test
 * holds every class to having one) keeps its own message, which errors.ts writes as a readable
 * English sentence.
 * Browser failures that people meet (storage refused, network down) get a sentence of their own;
 * anything else is named as unexpected with a short technical detail, so a bug report can quote it.
 *
 * @param error - whatever was thrown or rejected
 * @param t - the dictionary of the current language
 * @returns one sentence, never empty
 * @example errorMessage(new WrongPassphraseError(), dictionaries.en)
 */
export function errorMessage(error: unknown, t: Dictionary): string {
	if (error instanceof RelayRefusedError) {
		// The relay's own reason is one of our codes (the relay runs the same core): say which
		// relay refused and why, in the reader's language.
		if (error.reason !== error.code && isKnownCode(error.reason, t))
			return t.errors.relayRefused(relayName(error.relay), t.errors[error.reason]);
		return t.errors.ERR_RELAY_REFUSED;
	}
	if (error instanceof MiaouError) {
		if (isKnownCode(error.code, t)) return t.errors[error.code];
		return error.message || t.errors.unknown(error.code);
	}
	// Duck-typed too: an error rebuilt from a Web Worker message is a plain object with a code.
	if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
		if (isKnownCode(error.code, t)) return t.errors[error.code];
	}
	if (typeof DOMException !== 'undefined' && error instanceof DOMException) {
		// WebIDL names: QuotaExceededError when storage is full, InvalidStateError / UnknownError /
		// SecurityError when IndexedDB is unavailable (private windows, blocked site data).
		if (['QuotaExceededError', 'InvalidStateError', 'UnknownError', 'SecurityError'].includes(error.name))
			return t.errors.ERR_BROWSER_STORAGE;
		if (error.name === 'AbortError') return t.errors.ERR_ABORTED;
		if (error.name === 'NetworkError') return t.errors.offline;
	}
	// fetch() rejects with a TypeError whose text differs per browser; offline is the common cause.
	if (error instanceof TypeError && typeof navigator !== 'undefined' && navigator.onLine === false)
		return t.errors.offline;
	if (error instanceof Error) return t.errors.unknown(clip(`${error.name}: ${error.message}`));
	if (typeof error === 'string' && error.trim()) return t.errors.unknown(clip(error));
	return t.errors.unknown(clip(String(error)));
}
