/**
 * Named errors of the Miaou protocol. Every failure a user or an operator can meet has one class
 * here with a stable `code`, so the UI, the CLI and the relay can turn it into one clear sentence
 * and scripts can match on the code rather than on the message text.
 *
 * Checks that ask a question (`verify…`) return a boolean; decoders and openers throw one of these.
 */

/** Base class: every Miaou error carries a stable machine-readable `code`. */
export class MiaouError extends Error {
	readonly code: string;
	constructor(code: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.code = code;
		this.name = new.target.name;
	}
}

/** Input too large for its declared bound; checked before anything is parsed. */
export class TooLargeError extends MiaouError {
	constructor(what: string, size: number, max: number) {
		super('ERR_TOO_LARGE', `${what} is ${size} bytes, more than the limit of ${max} bytes.`);
	}
}

/** Bytes or text that do not decode as the expected structure. */
export class MalformedError extends MiaouError {
	constructor(what: string, detail?: string) {
		super('ERR_MALFORMED', `${what} is malformed${detail ? `: ${detail}` : ''}.`);
	}
}

/** A version byte or tag this implementation does not know. */
export class UnsupportedVersionError extends MiaouError {
	constructor(what: string, version: number | string) {
		super('ERR_UNSUPPORTED_VERSION', `${what} has version ${version}, which this Miaou does not support.`);
	}
}

/** A signature that does not verify against the key it claims. */
export class BadSignatureError extends MiaouError {
	constructor(what: string) {
		super('ERR_BAD_SIGNATURE', `The signature on ${what} does not verify.`);
	}
}

/** A user id (did:key) or public key that is not well formed. */
export class InvalidIdError extends MiaouError {
	constructor(detail: string) {
		super('ERR_INVALID_ID', `Not a valid Miaou id: ${detail}.`);
	}
}

/** A key of the wrong length or a point that must be refused (e.g. small order). */
export class InvalidKeyError extends MiaouError {
	constructor(detail: string) {
		super('ERR_INVALID_KEY', `Invalid key: ${detail}.`);
	}
}

/** A passphrase that does not open an encrypted key backup. */
export class WrongPassphraseError extends MiaouError {
	constructor() {
		super('ERR_WRONG_PASSPHRASE', 'The passphrase is wrong: the key backup did not decrypt.');
	}
}

/** A record dated further in the future than the allowed clock skew. */
export class FutureRecordError extends MiaouError {
	constructor(skewMs: number, maxSkewMs: number) {
		super(
			'ERR_FUTURE_RECORD',
			`The record is dated ${Math.round(skewMs / 1000)} s in the future; at most ${Math.round(maxSkewMs / 1000)} s is allowed.`
		);
	}
}

/** A Gun soul or key outside the Miaou namespace, or not matching its record kind. */
export class NamespaceError extends MiaouError {
	constructor(detail: string) {
		super('ERR_NAMESPACE', `Outside the Miaou namespace: ${detail}.`);
	}
}

/** An encrypted message that does not decrypt or authenticate. */
export class DecryptError extends MiaouError {
	constructor(what: string) {
		super('ERR_DECRYPT', `Could not decrypt ${what}: it was altered or is not meant for this key.`);
	}
}

/** A message already received (same ratchet position or message id). */
export class ReplayError extends MiaouError {
	constructor() {
		super('ERR_REPLAY', 'This message was already received; the copy is refused.');
	}
}

/** A message too far behind or ahead in its chain (beyond the skipped-key cap). */
export class TooOldError extends MiaouError {
	constructor(detail: string) {
		super('ERR_TOO_OLD', `The message is outside the ratchet window: ${detail}.`);
	}
}

/** Missing or insufficient proof of work. */
export class ProofOfWorkError extends MiaouError {
	constructor(required: number, got: number) {
		super('ERR_PROOF_OF_WORK', `The proof of work has ${got} leading zero bits; ${required} are required.`);
	}
}

/** A trust level outside −100..100 or not an integer. */
export class TrustLevelError extends MiaouError {
	constructor(level: unknown) {
		super('ERR_TRUST_LEVEL', `Trust level ${String(level)} is not an integer from -100 to 100.`);
	}
}

/** A CID that does not parse, or bytes that do not hash to it. */
export class CidError extends MiaouError {
	constructor(detail: string) {
		super('ERR_CID', `Bad content identifier: ${detail}.`);
	}
}

/** An operation aborted through its AbortSignal. */
export class AbortError extends MiaouError {
	constructor(what = 'The operation') {
		super('ERR_ABORTED', `${what} was aborted.`);
	}
}

// New error classes go above this line, one class per failure, each with a stable code.
