/**
 * Secret keys at rest under a passphrase: the key backup file (and QR code) a user exports and
 * imports, and the form in which the web app keeps an identity in IndexedDB.
 *
 * Format (version 1), one line of JSON text:
 *
 *   { "type": "miaou-identity-backup", "version": 1, "id": "did:key:z6Mk…",
 *     "kdf": { "name": "scrypt", "N": 131072, "r": 8, "p": 1 },
 *     "salt": <32 bytes>, "nonce": <24 bytes>, "ciphertext": <secretbox of the identity secrets> }
 *
 * (byte fields in base64url without padding). The key is scrypt (RFC 7914) of the passphrase, NFKC
 * normalized so the same passphrase typed on another keyboard or OS gives the same bytes, under the
 * salt; the plaintext is `encodeIdentitySecrets` (identity.ts), sealed with NaCl secretbox
 * (XSalsa20-Poly1305). Only the id is in clear, so a backup can be recognised without the passphrase.
 *
 * The clear fields need no separate authentication: a changed salt or KDF parameter derives another
 * key and the box does not open; a changed id no longer matches the keys inside, which are checked.
 * Every field is size- and range-checked before the (deliberately expensive) KDF runs, so a crafted
 * backup cannot make an importer allocate gigabytes or spin for minutes.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import nacl from 'tweetnacl';
import { fromBase64url, toBase64url, utf8 } from './bytes.ts';
import { AbortError, MalformedError, TooLargeError, UnsupportedVersionError, WrongPassphraseError } from './errors.ts';
import {
	decodeIdentitySecrets,
	encodeIdentitySecrets,
	identityFromSecrets,
	identityToSecrets,
	signingKeyFromId,
	type Identity,
	type MiaouId
} from './identity.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';

/** scrypt cost parameters (RFC 7914 §2): N CPU/memory cost (a power of two), r block size, p parallelism. */
export interface KdfParams {
	N: number;
	r: number;
	p: number;
}

/**
 * The parameters new backups use: 128 MiB of memory (128·N·r bytes). Measured with @noble/hashes'
 * scryptAsync on Node 22: about 1.5 s on the project's build machine (2 shared cores), so an unlock
 * costs a person a second or two and a guess costs an attacker the same memory and time.
 */
export const DEFAULT_KDF: KdfParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** The backup's `type` field. */
export const BACKUP_TYPE = 'miaou-identity-backup';
/** The only backup version this code reads and writes. */
export const BACKUP_VERSION = 1;
/** A backup is about 600 bytes; anything above this is refused before parsing. */
export const MAX_BACKUP_BYTES = 64 * 1024;
/** Longest passphrase accepted, in UTF-16 code units (a bound, not advice). */
export const MAX_PASSPHRASE_LENGTH = 1024;
/** Salt length in bytes. */
export const SALT_LENGTH = 32;
/** XSalsa20 nonce length in bytes. */
export const NONCE_LENGTH = nacl.secretbox.nonceLength;
/** Smallest N accepted (2^10): below that the KDF protects nothing. */
export const MIN_KDF_N = 2 ** 10;
/** Largest N accepted (2^20). */
export const MAX_KDF_N = 2 ** 20;
/** Largest r accepted. */
export const MAX_KDF_R = 32;
/** Largest p accepted. */
export const MAX_KDF_P = 16;
/** Most memory a KDF may ask for: 128·N·r ≤ 256 MiB (2 × the default), so a phone can still import. */
export const MAX_KDF_MEMORY_BYTES = 256 * 1024 * 1024;
/** Most work a KDF may ask for: N·r·p ≤ 2^22 (4 × the default), a few seconds at most. */
export const MAX_KDF_WORK = 2 ** 22;

const KEY_LENGTH = nacl.secretbox.keyLength;
const BACKUP_FIELDS = ['type', 'version', 'id', 'kdf', 'salt', 'nonce', 'ciphertext'];
const KDF_FIELDS = ['name', 'N', 'r', 'p'];

/** Options of `exportIdentity` and `importIdentity`. */
export interface KeystoreOptions {
	/** Stops the KDF (it checks every few milliseconds); the call then rejects with AbortError. */
	signal?: AbortSignal;
	/** Called with the KDF's progress, 0 to 1, for a progress bar. */
	onProgress?: (fraction: number) => void;
}

/**
 * Why KDF parameters are out of bounds, or undefined when they are acceptable.
 * @param kdf - candidate parameters
 * @returns a reason, or undefined
 */
export function kdfParamsProblem(kdf: KdfParams): string | undefined {
	const { N, r, p } = kdf;
	if (!Number.isSafeInteger(N) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p))
		return 'N, r and p must be integers';
	if (N < MIN_KDF_N || N > MAX_KDF_N || (N & (N - 1)) !== 0)
		return `N must be a power of two from ${MIN_KDF_N} to ${MAX_KDF_N}`;
	if (r < 1 || r > MAX_KDF_R) return `r must be from 1 to ${MAX_KDF_R}`;
	if (p < 1 || p > MAX_KDF_P) return `p must be from 1 to ${MAX_KDF_P}`;
	if (128 * N * r > MAX_KDF_MEMORY_BYTES) return `128·N·r is over ${MAX_KDF_MEMORY_BYTES} bytes of memory`;
	if (N * r * p > MAX_KDF_WORK) return `N·r·p is over ${MAX_KDF_WORK}`;
	return undefined;
}

function checkPassphrase(passphrase: string): string {
	if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string');
	if (passphrase.length > MAX_PASSPHRASE_LENGTH)
		throw new RangeError(`passphrase must be at most ${MAX_PASSPHRASE_LENGTH} characters`);
	return passphrase.normalize('NFKC');
}

async function deriveKey(
	passphrase: string,
	salt: Uint8Array,
	kdf: KdfParams,
	opts: KeystoreOptions
): Promise<Uint8Array> {
	const { signal, onProgress } = opts;
	if (signal?.aborted) throw new AbortError('Key derivation');
	try {
		return await scryptAsync(utf8(passphrase), salt, {
			...kdf,
			dkLen: KEY_LENGTH,
			maxmem: MAX_KDF_MEMORY_BYTES + 128 * MAX_KDF_R * MAX_KDF_P + 1024,
			onProgress: (fraction) => {
				// noble calls this every few ms; throwing here stops scrypt and wipes its buffers.
				if (signal?.aborted) throw new AbortError('Key derivation');
				onProgress?.(fraction);
			}
		});
	} catch (error) {
		if (signal?.aborted) throw new AbortError('Key derivation');
		throw error;
	}
}

/**
 * Encrypt an identity under a passphrase.
 * @param identity - the identity to back up (checked: keys, id and agreement signature must agree)
 * @param passphrase - the user's passphrase (non-empty; NFKC-normalized before use)
 * @param opts.kdf - scrypt parameters (default `DEFAULT_KDF`; tests use smaller ones)
 * @param opts.random - source of the salt and nonce (default: WebCrypto's CSPRNG)
 * @param opts.signal - aborts the key derivation
 * @returns the backup as one line of JSON text
 * @throws {RangeError} on an empty or over-long passphrase or KDF parameters out of bounds
 * @throws {AbortError} when `signal` aborts
 * @throws {MalformedError | BadSignatureError | InvalidIdError} when the identity is inconsistent
 * @example const text = await exportIdentity(me, 'correct horse battery staple')
 */
export async function exportIdentity(
	identity: Identity,
	passphrase: string,
	opts: { kdf?: KdfParams; random?: RandomBytes } & KeystoreOptions = {}
): Promise<string> {
	const normalized = checkPassphrase(passphrase);
	if (normalized.length === 0) throw new RangeError('passphrase must not be empty');
	const { N, r, p } = opts.kdf ?? DEFAULT_KDF;
	const kdf: KdfParams = { N, r, p };
	const problem = kdfParamsProblem(kdf);
	if (problem) throw new RangeError(`KDF parameters out of bounds: ${problem}`);
	// Round-trip through the checked decoder so that a damaged identity is never sealed away.
	identityFromSecrets(identityToSecrets(identity));
	const random = opts.random ?? defaultRandom;
	const salt = random(SALT_LENGTH);
	const nonce = random(NONCE_LENGTH);
	if (salt.length !== SALT_LENGTH || nonce.length !== NONCE_LENGTH)
		throw new RangeError('random must return the bytes asked for');
	const key = await deriveKey(normalized, salt, kdf, opts);
	const plaintext = encodeIdentitySecrets(identity);
	const ciphertext = nacl.secretbox(plaintext, nonce, key);
	key.fill(0);
	plaintext.fill(0);
	return JSON.stringify({
		type: BACKUP_TYPE,
		version: BACKUP_VERSION,
		id: identity.id,
		kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p },
		salt: toBase64url(salt),
		nonce: toBase64url(nonce),
		ciphertext: toBase64url(ciphertext)
	});
}

interface BackupHeader {
	id: MiaouId;
	kdf: KdfParams;
	salt: Uint8Array;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
}

function bytesField(value: unknown, name: string, length?: number): Uint8Array {
	if (typeof value !== 'string') throw new MalformedError('Key backup', `${name} is not a string`);
	const bytes = fromBase64url(value);
	if (length !== undefined && bytes.length !== length)
		throw new MalformedError('Key backup', `${name} is ${bytes.length} bytes, not ${length}`);
	return bytes;
}

function onlyFields(value: Record<string, unknown>, allowed: string[], what: string): void {
	for (const k of Object.keys(value))
		if (!allowed.includes(k)) throw new MalformedError(what, `unknown field ${JSON.stringify(k)}`);
}

/** Size check, JSON parse and full validation of everything outside the ciphertext. */
function parseBackup(backup: string): BackupHeader {
	if (typeof backup !== 'string') throw new TypeError('backup must be a string');
	// UTF-8 takes at least one byte per UTF-16 unit: refuse on the cheap count, then on the exact one.
	if (backup.length > MAX_BACKUP_BYTES) throw new TooLargeError('Key backup', backup.length, MAX_BACKUP_BYTES);
	const size = utf8(backup).length;
	if (size > MAX_BACKUP_BYTES) throw new TooLargeError('Key backup', size, MAX_BACKUP_BYTES);
	let parsed: unknown;
	try {
		parsed = JSON.parse(backup);
	} catch {
		throw new MalformedError('Key backup', 'not JSON (is the file complete?)');
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
		throw new MalformedError('Key backup', 'not a JSON object');
	const b = parsed as Record<string, unknown>;
	if (b.type !== BACKUP_TYPE) throw new MalformedError('Key backup', `its type is not "${BACKUP_TYPE}"`);
	if (typeof b.version !== 'number') throw new MalformedError('Key backup', 'it has no version number');
	if (b.version !== BACKUP_VERSION) throw new UnsupportedVersionError('Key backup', b.version);
	onlyFields(b, BACKUP_FIELDS, 'Key backup');
	if (typeof b.id !== 'string') throw new MalformedError('Key backup', 'id is not a string');
	signingKeyFromId(b.id);
	const k = b.kdf;
	if (typeof k !== 'object' || k === null || Array.isArray(k))
		throw new MalformedError('Key backup', 'kdf is not an object');
	const kdfObject = k as Record<string, unknown>;
	onlyFields(kdfObject, KDF_FIELDS, 'Key backup KDF');
	if (kdfObject.name !== 'scrypt') throw new MalformedError('Key backup', 'the KDF is not scrypt');
	const { N, r, p } = kdfObject;
	if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number')
		throw new MalformedError('Key backup', 'N, r and p must be numbers');
	const kdf = { N, r, p };
	const problem = kdfParamsProblem(kdf);
	if (problem) throw new MalformedError('Key backup', `KDF parameters out of bounds: ${problem}`);
	const ciphertext = bytesField(b.ciphertext, 'ciphertext');
	if (ciphertext.length < nacl.secretbox.overheadLength)
		throw new MalformedError('Key backup', 'the ciphertext is too short');
	return {
		id: b.id as MiaouId,
		kdf,
		salt: bytesField(b.salt, 'salt', SALT_LENGTH),
		nonce: bytesField(b.nonce, 'nonce', NONCE_LENGTH),
		ciphertext
	};
}

/**
 * Decrypt a backup made by `exportIdentity`.
 * @param backup - the backup text
 * @param passphrase - the passphrase it was made with
 * @param opts.signal - aborts the key derivation
 * @returns the identity, checked: its keys match the clear id and the agreement signature verifies
 * @throws {TooLargeError} over `MAX_BACKUP_BYTES` (checked before parsing)
 * @throws {MalformedError} on anything that is not a well-formed backup, KDF parameters out of bounds,
 *   or keys inside that do not match the clear id
 * @throws {UnsupportedVersionError} on a version other than `BACKUP_VERSION`
 * @throws {InvalidIdError} when the clear id is not a Miaou id
 * @throws {WrongPassphraseError} when the box does not open: a wrong passphrase, or an altered
 *   salt, KDF parameter, nonce or ciphertext (the two cannot be told apart)
 * @throws {BadSignatureError} when the agreement signature inside does not verify
 * @throws {AbortError} when `signal` aborts
 * @throws {RangeError} on an over-long passphrase
 */
export async function importIdentity(
	backup: string,
	passphrase: string,
	opts: KeystoreOptions = {}
): Promise<Identity> {
	const normalized = checkPassphrase(passphrase);
	const header = parseBackup(backup);
	const key = await deriveKey(normalized, header.salt, header.kdf, opts);
	const plaintext = nacl.secretbox.open(header.ciphertext, header.nonce, key);
	key.fill(0);
	if (!plaintext) throw new WrongPassphraseError();
	try {
		const identity = decodeIdentitySecrets(plaintext);
		if (identity.id !== header.id) throw new MalformedError('Key backup', 'the keys inside do not match its id');
		return identity;
	} finally {
		plaintext.fill(0);
	}
}

/**
 * The id a backup is for, read without the passphrase (for "restore the backup of …?" prompts).
 * The whole clear part is validated as `importIdentity` does.
 * @param backup - the backup text
 * @returns the clear id
 * @throws the same errors as `importIdentity` before decryption
 */
export function readBackupId(backup: string): MiaouId {
	return parseBackup(backup).id;
}
