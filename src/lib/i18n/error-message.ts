/**
 * The one error helper of the UI: any failure — a MiaouError from the core, a DOMException from
 * a browser API, a network TypeError, a thrown string — becomes one sentence a person can read,
 * in their language. Components never show `error.message` themselves.
 */
import { MiaouError } from '../core/errors.ts';
import type { Dictionary } from './en.ts';

/** Longest technical detail quoted in the "unexpected" sentence; the rest is cut. */
export const MAX_ERROR_DETAIL_LENGTH = 160;

/** The error codes the dictionaries have a sentence for. */
type KnownCode = Exclude<keyof Dictionary['errors'], 'offline' | 'unknown'>;

function isKnownCode(code: string, t: Dictionary): code is KnownCode {
	return code !== 'offline' && code !== 'unknown' && Object.hasOwn(t.errors, code);
}

function clip(text: string): string {
	const oneLine = text.replace(/\s+/g, ' ').trim();
	return oneLine.length > MAX_ERROR_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_ERROR_DETAIL_LENGTH - 1)}…` : oneLine;
}

/**
 * Turn any thrown value into one readable sentence.
 *
 * A MiaouError whose code has a translation gets that sentence; one whose code does not (a newer
 * error class) keeps its own message, which errors.ts writes as a readable English sentence.
 * Browser failures that people meet (storage refused, network down) get a sentence of their own;
 * anything else is named as unexpected with a short technical detail, so a bug report can quote it.
 *
 * @param error - whatever was thrown or rejected
 * @param t - the dictionary of the current language
 * @returns one sentence, never empty
 * @example errorMessage(new WrongPassphraseError(), dictionaries.en)
 */
export function errorMessage(error: unknown, t: Dictionary): string {
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
