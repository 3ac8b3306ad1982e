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

/** A command line, option or setting that is not valid (the CLI exits 2). `sentence` is shown as is. */
export class UsageError extends MiaouError {
	constructor(sentence: string) {
		super('ERR_USAGE', sentence);
	}
}

/** A file or directory that does not exist. */
export class NoSuchFileError extends MiaouError {
	constructor(path: string) {
		super('ERR_NO_SUCH_FILE', `No such file: ${path}.`);
	}
}

/** A file that exists but cannot be read or written (permissions, a directory, a full disk…). */
export class FileAccessError extends MiaouError {
	constructor(path: string, reason: string) {
		super('ERR_FILE_ACCESS', `Cannot use ${path}: ${reason}.`);
	}
}

/** A file that would be overwritten where the user did not ask for it. */
export class FileExistsError extends MiaouError {
	constructor(path: string) {
		super('ERR_FILE_EXISTS', `${path} already exists; pass --force to overwrite it.`);
	}
}

/** No identity has been created or imported yet in this data directory. */
export class NoIdentityError extends MiaouError {
	constructor(where: string) {
		super(
			'ERR_NO_IDENTITY',
			`No identity in ${where}: create one with "miaou id new" or import one with "miaou id import <file>".`
		);
	}
}

/** An identity exists already and would be replaced. */
export class IdentityExistsError extends MiaouError {
	constructor(id: string, where: string) {
		super('ERR_IDENTITY_EXISTS', `An identity (${id}) already exists in ${where}; pass --force to replace it.`);
	}
}

/** A passphrase is needed but there is neither a terminal to ask on nor a MIAOU_PASSPHRASE. */
export class NoPassphraseError extends MiaouError {
	constructor() {
		super(
			'ERR_NO_PASSPHRASE',
			'A passphrase is needed but there is no terminal to ask on: set MIAOU_PASSPHRASE or run in a terminal.'
		);
	}
}

/** A passphrase refused before any key is touched (empty, too long, the two entries differ). */
export class BadPassphraseError extends MiaouError {
	constructor(reason: string) {
		super('ERR_BAD_PASSPHRASE', `The passphrase is refused: ${reason}.`);
	}
}

/** A first-contact message names a prekey this device does not have (used once already, or expired). */
export class UnknownPrekeyError extends MiaouError {
	constructor(kind: 'signed' | 'one-time', id: number) {
		super('ERR_UNKNOWN_PREKEY', `The message uses ${kind} prekey ${id}, which this device no longer has.`);
	}
}

/** A message from a peer with whom this device has no session. */
export class NoSessionError extends MiaouError {
	constructor() {
		super('ERR_NO_SESSION', 'There is no session with the sender of this message; they must start a new one.');
	}
}

/** Browser storage (IndexedDB) refused to store or read the web app's data. */
export class BrowserStorageError extends MiaouError {
	constructor(detail: string, options?: { cause?: unknown }) {
		super('ERR_BROWSER_STORAGE', `Browser storage failed: ${detail}.`, options);
	}
}

/** Keys that open but belong to another identity than the one they were stored for. */
export class IdentityMismatchError extends MiaouError {
	constructor(expected: string, got: string) {
		super('ERR_IDENTITY_MISMATCH', `The stored keys belong to ${got}, not to ${expected}.`);
	}
}

/** A block whose bytes do not hash to the multihash in its CID. */
export class HashMismatchError extends MiaouError {
	constructor(cid: string) {
		super('ERR_HASH_MISMATCH', `The bytes of block ${cid} do not hash to its CID.`);
	}
}

/** A CID whose IPLD codec this Miaou does not store or walk. */
export class UnsupportedCodecError extends MiaouError {
	constructor(codec: number, supported: string) {
		super('ERR_UNSUPPORTED_CODEC', `Codec 0x${codec.toString(16)} is not supported; use one of ${supported}.`);
	}
}

/** A CID whose multihash function this Miaou cannot verify. */
export class UnsupportedHashError extends MiaouError {
	constructor(hash: number, supported: string) {
		super('ERR_UNSUPPORTED_HASH', `Hash function 0x${hash.toString(16)} is not supported; use one of ${supported}.`);
	}
}

/** A storage quota that the request would exceed. */
export class QuotaExceededError extends MiaouError {
	constructor(needed: number, free: number) {
		super('ERR_QUOTA', `Storage is full: ${needed} bytes are needed but only ${free} bytes of the quota are free.`);
	}
}

/** Content (a block or a DAG) that is not available here nor from the peers asked. */
export class ContentNotFoundError extends MiaouError {
	constructor(cid: string, detail?: string) {
		super('ERR_NOT_FOUND', `Content ${cid} was not found${detail ? `: ${detail}` : ''}.`);
	}
}

/** A DAG that links to a block which is neither in the upload nor already stored. */
export class IncompleteDagError extends MiaouError {
	constructor(missing: string) {
		super('ERR_INCOMPLETE_DAG', `The DAG is incomplete: block ${missing} is linked but not in the upload.`);
	}
}

/** A validly signed record older than (or losing Gun's conflict rule against) the one already held. */
export class StaleRecordError extends MiaouError {
	constructor(soul: string, key: string) {
		super(
			'ERR_STALE_RECORD',
			`A newer version of ${soul.slice(0, 80)} / ${key.slice(0, 40)} is already stored; the older one is refused.`
		);
	}
}

/** A client that sent more than a relay's rate limit allows. */
export class RateLimitedError extends MiaouError {
	constructor(what: string, perSecond: number) {
		super(
			'ERR_RATE_LIMITED',
			`Too many ${what}: this relay accepts ${perSecond} a second from one address; retry later.`
		);
	}
}

/** A relay that could not write to its own storage. */
export class StorageError extends MiaouError {
	constructor(detail: string) {
		super('ERR_STORAGE', `The relay could not store the write: ${detail}.`);
	}
}

/**
 * A relay answered a write or an upload with a refusal. `reason` is the relay's own error code
 * (e.g. `ERR_BAD_SIGNATURE`, `ERR_QUOTA`) and `relay` its URL, so the UI can say which relay
 * refused what, and the outbox can tell a refusal worth retrying from one that is final.
 */
export class RelayRefusedError extends MiaouError {
	readonly relay: string;
	readonly reason: string;
	constructor(relay: string, reason: string, sentence: string) {
		const text = sentence.trim().replace(/[.\s]+$/, '') || 'no reason given';
		super('ERR_RELAY_REFUSED', `The relay ${relay} refused it (${reason}): ${text}.`);
		this.relay = relay;
		this.reason = reason;
	}
}

/** No relay acknowledged a write or answered a request in time. */
export class RelayTimeoutError extends MiaouError {
	constructor(what: string, ms: number) {
		super('ERR_RELAY_TIMEOUT', `No relay acknowledged ${what} within ${Math.round(ms / 100) / 10} s.`);
	}
}

/** No relay is connected, or none of those tried could be reached. */
export class NoRelayError extends MiaouError {
	constructor(detail: string, options?: { cause?: unknown }) {
		super('ERR_NO_RELAY', `No relay could be reached: ${detail.replace(/[.\s]+$/, '')}.`, options);
	}
}

/** No verified profile (prekeys) is published for an id, so no conversation can start with it. */
export class NoProfileError extends MiaouError {
	constructor(id: string) {
		super(
			'ERR_NO_PROFILE',
			`No profile is published for ${id.slice(0, 80)}: they must open Miaou once with a relay you also use.`
		);
	}
}

/** An invite link or code that does not parse or holds a bad field. */
export class InvalidInviteError extends MiaouError {
	constructor(detail: string) {
		super('ERR_INVALID_INVITE', `This is not a valid Miaou invite: ${detail}.`);
	}
}

/** An id that is not in the contact list. */
export class UnknownContactError extends MiaouError {
	constructor(id: string) {
		super('ERR_UNKNOWN_CONTACT', `${id.slice(0, 80)} is not in your contacts.`);
	}
}

/** A contact the user blocked (trust −100): nothing is sent to or shown from them. */
export class BlockedContactError extends MiaouError {
	constructor(id: string) {
		super('ERR_BLOCKED', `${id.slice(0, 80)} is blocked: unblock them first.`);
	}
}

/** Another process is using a CLI data directory's messaging state (its lock file is held). */
export class HomeBusyError extends MiaouError {
	constructor(home: string, pid: number | undefined) {
		super(
			'ERR_HOME_BUSY',
			`Another miaou command${pid === undefined ? '' : ` (process ${pid})`} is using ${home}; wait for it to finish.`
		);
	}
}

/** A message was queued but no relay stored it in the time a command waited; the outbox keeps it. */
export class NotStoredError extends MiaouError {
	constructor(seconds: number, reason: string | undefined) {
		super(
			'ERR_NOT_STORED',
			`No relay stored the message within ${seconds} s${reason ? ` (${reason.replace(/[.\s]+$/, '')})` : ''}; it stays queued and the next miaou send or recv retries it.`
		);
	}
}

// New error classes go above this line, one class per failure, each with a stable code.
