/**
 * Errors of the relay's IPFS HTTP surface that only make sense over HTTP (content negotiation,
 * methods, load shedding). Content errors a client also meets (hash mismatch, unsupported codec,
 * quota, not found) live in src/lib/core/errors.ts. Each class has a stable `code`; `httpStatus`
 * maps any error to the status the gateway answers with.
 */
import {
	CidError,
	ContentNotFoundError,
	HashMismatchError,
	IncompleteDagError,
	MalformedError,
	MiaouError,
	QuotaExceededError,
	TooLargeError,
	UnsupportedCodecError,
	UnsupportedHashError
} from '../../src/lib/core/errors.ts';

/** A request that names no response format, or an unknown or unsupported one (`?format=`, CAR params). */
export class FormatError extends MiaouError {
	constructor(detail: string) {
		super('ERR_FORMAT', `The response format is not supported: ${detail}.`);
	}
}

/** An `Accept` header listing none of the types this gateway serves (RFC 9110 §12.5.1). */
export class NotAcceptableError extends MiaouError {
	constructor(accept: string) {
		super(
			'ERR_NOT_ACCEPTABLE',
			`None of the accepted types (${accept.slice(0, 100)}) is served; ask for application/vnd.ipld.raw or application/vnd.ipld.car.`
		);
	}
}

/** A request body whose Content-Type is not the one the route takes. */
export class UnsupportedMediaTypeError extends MiaouError {
	constructor(got: string, want: string) {
		super('ERR_MEDIA_TYPE', `The body is ${got.slice(0, 100) || 'untyped'}; this route takes ${want}.`);
	}
}

/** An HTTP method the route does not answer. */
export class MethodNotAllowedError extends MiaouError {
	readonly allow: string;
	constructor(method: string, allow: string) {
		super('ERR_METHOD', `${method.slice(0, 20)} is not allowed here; use ${allow}.`);
		this.allow = allow;
	}
}

/** `Cache-Control: only-if-cached` asked for content this relay does not hold (path gateway spec, 412). */
export class NotCachedError extends MiaouError {
	constructor(cid: string) {
		super('ERR_NOT_CACHED', `Content ${cid} is not held by this relay and only-if-cached forbids fetching it.`);
	}
}

/** More items (roots, blocks) than a bound allows; the byte-sized sibling is TooLargeError. */
export class TooManyError extends MiaouError {
	constructor(what: string, count: number, max: number) {
		super('ERR_TOO_MANY', `${what} has ${count} entries, more than the limit of ${max}.`);
	}
}

/** Too many requests of one kind at once; the client should retry later. */
export class BusyError extends MiaouError {
	constructor(what: string) {
		super('ERR_BUSY', `Too many ${what} are in progress; retry in a few seconds.`);
	}
}

/**
 * The HTTP status for an error raised while answering a request.
 * @param err - anything thrown
 * @returns the status code: 4xx for the client's mistakes, 507 for a full quota, 500 otherwise
 */
export function httpStatus(err: unknown): number {
	if (err instanceof TooLargeError || err instanceof TooManyError) return 413;
	if (err instanceof QuotaExceededError) return 507;
	if (err instanceof ContentNotFoundError) return 404;
	if (err instanceof NotAcceptableError) return 406;
	if (err instanceof UnsupportedMediaTypeError) return 415;
	if (err instanceof MethodNotAllowedError) return 405;
	if (err instanceof NotCachedError) return 412;
	if (err instanceof BusyError) return 503;
	if (
		err instanceof FormatError ||
		err instanceof CidError ||
		err instanceof MalformedError ||
		err instanceof HashMismatchError ||
		err instanceof UnsupportedCodecError ||
		err instanceof UnsupportedHashError ||
		err instanceof IncompleteDagError
	)
		return 400;
	return 500;
}

/**
 * The JSON body of an error answer: `{ error, code }`. Unknown errors get a generic sentence so
 * internals (paths, stack details) never leak to clients; the log keeps the real error.
 * @param err - anything thrown
 * @returns the body object
 */
export function errorBody(err: unknown): { error: string; code: string } {
	if (err instanceof MiaouError) return { error: err.message, code: err.code };
	return {
		error: 'The relay failed to answer this request; the operator can find the cause in its log.',
		code: 'ERR_INTERNAL'
	};
}
