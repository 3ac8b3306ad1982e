/**
 * Errors across a Web Worker boundary. Structured clone (HTML §2.7) keeps neither the class nor
 * custom fields of an Error, so the worker posts its stable `code`, message and name, and the page
 * rebuilds an error that errors.ts and i18n/error-message.ts treat like the original: a MiaouError
 * with the same code gets the same sentence. Shared by the KDF and share-crypto workers.
 */
import { MiaouError } from '../core/errors.ts';

/** An error as it travels in a worker message. */
export interface WorkerError {
	/** The MiaouError code, or undefined for any other error. */
	code: string | undefined;
	message: string;
	/** The JS error type (`RangeError`, `TypeError`, …), at most 100 characters. */
	name: string;
}

/**
 * Describe an error for posting.
 * @param error - what was thrown
 * @param maxMessage - longest message kept (default: all of it)
 * @returns the posted form
 */
export function toWorkerError(error: unknown, maxMessage = Infinity): WorkerError {
	const message = error instanceof Error ? error.message : String(error);
	return {
		code: error instanceof MiaouError ? error.code : undefined,
		message: message.slice(0, maxMessage),
		name: error instanceof Error ? error.name.slice(0, 100) : 'Error'
	};
}

/**
 * Rebuild on the page the error a worker reported: a MiaouError with the same code, else a
 * RangeError / TypeError / Error with the same message.
 * @param reply - the posted form
 * @returns the error to throw
 */
export function fromWorkerError(reply: WorkerError): Error {
	if (reply.code) return new MiaouError(reply.code, reply.message);
	if (reply.name === 'RangeError') return new RangeError(reply.message);
	if (reply.name === 'TypeError') return new TypeError(reply.message);
	return new Error(reply.message);
}
