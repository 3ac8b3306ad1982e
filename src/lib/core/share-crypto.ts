/**
 * Private shares (ARCHITECTURE.md §Content sharing by CID): a file encrypted under a random
 * 32-byte key before it is uploaded, the key riding in the link's fragment (`…/c/<cid>#k=<key>`),
 * which browsers never send to a server (RFC 3986 §3.5). The CLI and the web app both use this
 * module, so a link made by one opens in the other. Pure: no I/O, randomness injectable.
 *
 * Encrypted format, version 1 (docs/cli.md §Private share format):
 *
 *   header  = "mshr" ‖ 0x01 (version) ‖ log2(chunk size) (1 byte) ‖ salt (16 bytes)    22 bytes
 *   subkey  = HKDF-SHA256(ikm = link key, salt = salt, info = "miaou/v1/share\n" ‖ header, 32)
 *   chunk i = secretbox(plaintext[i·C … (i+1)·C), nonce_i, subkey)           (XSalsa20-Poly1305)
 *   nonce_i = u64be(i) ‖ u8(1 if chunk i is the last, else 0) ‖ 15 zero bytes
 *   file    = header ‖ chunk 0 ‖ chunk 1 ‖ … ‖ chunk n−1
 *
 * Why this shape: a chunked AEAD with a counter and a last-chunk flag in the nonce is the STREAM
 * construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and its
 * Nonce-Reuse Misuse-Resistance", CRYPTO 2015 §7): chunks cannot be reordered, dropped or
 * truncated at a chunk boundary without a chunk failing to open. The header goes into the key
 * derivation, so changing any header byte (version, chunk size, salt) derives another key and
 * the first chunk fails; the random salt makes the subkey fresh per share even if a link key were
 * reused, which is what makes counter nonces safe. Every file, even an empty one, has at least
 * one chunk; only an empty file has an empty chunk.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import nacl from 'tweetnacl';
import { abytes, concat, fromBase64url, toBase64url, utf8 } from './bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import { randomBytes as defaultRandom, type RandomBytes } from './random.ts';

/** Length of a share key (the secretbox key length). */
export const SHARE_KEY_LENGTH = 32;
/** The first bytes of an encrypted share: ASCII "mshr". */
export const SHARE_MAGIC: readonly number[] = [0x6d, 0x73, 0x68, 0x72];
/** The format version this module writes and reads. */
export const SHARE_FORMAT_VERSION = 1;
/** Length of the random salt in the header. */
export const SHARE_SALT_LENGTH = 16;
/** Header length: magic, version, chunk size exponent, salt. */
export const SHARE_HEADER_LENGTH = SHARE_MAGIC.length + 2 + SHARE_SALT_LENGTH;
/** Plaintext bytes per chunk written by default (64 KiB): small enough to stream, few MACs. */
export const DEFAULT_SHARE_CHUNK_LOG2 = 16;
/** Smallest and largest chunk size exponents a reader accepts (4 KiB … 1 MiB). */
export const MIN_SHARE_CHUNK_LOG2 = 12;
export const MAX_SHARE_CHUNK_LOG2 = 20;
/** Poly1305 tag added to every chunk. */
export const SHARE_TAG_LENGTH = nacl.secretbox.overheadLength;
/**
 * Largest file shared privately: 63 MiB, so that with its overhead the ciphertext stays under the
 * 64 MiB a relay takes in one upload (relay DEFAULT_MAX_UPLOAD_BYTES, net DEFAULT_MAX_BLOB_BYTES).
 */
export const MAX_SHARE_BYTES = 63 * 1024 * 1024;
/** Longest share link or CID text parsed, checked before parsing. */
export const MAX_SHARE_LINK_LENGTH = 2048;
/** Longest CID text accepted inside a link. */
export const MAX_SHARE_CID_LENGTH = 256;

const KEY_INFO = utf8('miaou/v1/share\n');
const NONCE_LENGTH = nacl.secretbox.nonceLength;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * The length of the encrypted form of a file.
 * @param plaintextLength - the file's size in bytes
 * @param chunkLog2 - the chunk size exponent
 * @returns header plus every chunk with its tag
 * @throws {RangeError} on a negative or non-integer length or a bad exponent
 */
export function encryptedShareLength(plaintextLength: number, chunkLog2 = DEFAULT_SHARE_CHUNK_LOG2): number {
	if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0)
		throw new RangeError('plaintextLength must be a non-negative integer');
	checkChunkLog2(chunkLog2);
	const chunks = Math.max(1, Math.ceil(plaintextLength / 2 ** chunkLog2));
	return SHARE_HEADER_LENGTH + plaintextLength + chunks * SHARE_TAG_LENGTH;
}

/** Largest encrypted share a reader accepts: the encrypted form of {@link MAX_SHARE_BYTES} at the smallest chunks. */
export const MAX_ENCRYPTED_SHARE_BYTES = encryptedShareLength(MAX_SHARE_BYTES, MIN_SHARE_CHUNK_LOG2);

function checkChunkLog2(chunkLog2: number): void {
	if (!Number.isInteger(chunkLog2) || chunkLog2 < MIN_SHARE_CHUNK_LOG2 || chunkLog2 > MAX_SHARE_CHUNK_LOG2)
		throw new RangeError(`chunkLog2 must be an integer from ${MIN_SHARE_CHUNK_LOG2} to ${MAX_SHARE_CHUNK_LOG2}`);
}

/** nonce_i = u64be(i) ‖ last flag ‖ zeros (module comment). */
function chunkNonce(index: number, last: boolean): Uint8Array {
	const nonce = new Uint8Array(NONCE_LENGTH);
	new DataView(nonce.buffer).setBigUint64(0, BigInt(index));
	nonce[8] = last ? 1 : 0;
	return nonce;
}

function subkey(key: Uint8Array, header: Uint8Array): Uint8Array {
	return hkdf(sha256, key, header.subarray(SHARE_MAGIC.length + 2), concat(KEY_INFO, header), SHARE_KEY_LENGTH);
}

/**
 * Make a fresh share key.
 * @param random - the randomness source (default: WebCrypto's CSPRNG)
 * @returns 32 random bytes
 */
export function createShareKey(random: RandomBytes = defaultRandom): Uint8Array {
	return abytes(random(SHARE_KEY_LENGTH), SHARE_KEY_LENGTH, 'share key');
}

/** Options of {@link encryptShare}. */
export interface EncryptShareOptions {
	/** Source of the salt (default: WebCrypto's CSPRNG). */
	random?: RandomBytes;
	/** Chunk size exponent (default {@link DEFAULT_SHARE_CHUNK_LOG2}). */
	chunkLog2?: number;
	/** Called after each chunk with the plaintext bytes done and in all (a worker reports them to the page). */
	onProgress?: ShareProgress;
}

/** Progress of {@link encryptShare} / {@link decryptShare}: plaintext bytes done, and in all. */
export type ShareProgress = (done: number, total: number) => void;

/**
 * Encrypt a file for a private share.
 * @param plaintext - the file's bytes, at most {@link MAX_SHARE_BYTES}
 * @param key - the 32-byte share key (from {@link createShareKey}), which goes into the link
 * @param opts - randomness and chunk size
 * @returns the encrypted share, {@link encryptedShareLength} bytes
 * @throws {TypeError | RangeError} on a bad key, plaintext or option
 * @throws {TooLargeError} when the file is larger than {@link MAX_SHARE_BYTES}
 * @example const key = createShareKey(); const sealed = encryptShare(bytes, key)
 */
export function encryptShare(
	plaintext: Uint8Array,
	key: Uint8Array,
	opts: EncryptShareOptions = {}
): Uint8Array<ArrayBuffer> {
	abytes(plaintext, undefined, 'plaintext');
	abytes(key, SHARE_KEY_LENGTH, 'share key');
	const chunkLog2 = opts.chunkLog2 ?? DEFAULT_SHARE_CHUNK_LOG2;
	checkChunkLog2(chunkLog2);
	if (plaintext.length > MAX_SHARE_BYTES)
		throw new TooLargeError('The file to share', plaintext.length, MAX_SHARE_BYTES);
	const salt = abytes((opts.random ?? defaultRandom)(SHARE_SALT_LENGTH), SHARE_SALT_LENGTH, 'salt');
	const header = new Uint8Array(SHARE_HEADER_LENGTH);
	header.set(SHARE_MAGIC, 0);
	header[SHARE_MAGIC.length] = SHARE_FORMAT_VERSION;
	header[SHARE_MAGIC.length + 1] = chunkLog2;
	header.set(salt, SHARE_MAGIC.length + 2);
	const k = subkey(key, header);
	const chunkSize = 2 ** chunkLog2;
	const out = new Uint8Array(encryptedShareLength(plaintext.length, chunkLog2));
	out.set(header, 0);
	const chunks = Math.max(1, Math.ceil(plaintext.length / chunkSize));
	let offset = SHARE_HEADER_LENGTH;
	for (let i = 0; i < chunks; i++) {
		const part = plaintext.subarray(i * chunkSize, Math.min(plaintext.length, (i + 1) * chunkSize));
		const sealed = nacl.secretbox(part, chunkNonce(i, i === chunks - 1), k);
		out.set(sealed, offset);
		offset += sealed.length;
		opts.onProgress?.(i * chunkSize + part.length, plaintext.length);
	}
	k.fill(0);
	return out;
}

/**
 * Decrypt a private share. The whole input is checked: every chunk authenticates, the last one is
 * marked last, and nothing follows it.
 * @param sealed - the encrypted share as downloaded (its CID already verified)
 * @param key - the 32-byte key from the link
 * @param opts - `onProgress`, called after each chunk opens
 * @returns the file's bytes
 * @throws {TypeError | RangeError} on a key that is not 32 bytes
 * @throws {TooLargeError} when the input is over {@link MAX_ENCRYPTED_SHARE_BYTES} (before parsing)
 * @throws {MalformedError} when it is not an encrypted share (magic, lengths)
 * @throws {UnsupportedVersionError} on a format version other than 1
 * @throws {DecryptError} on a wrong key or altered, reordered or truncated content
 */
export function decryptShare(
	sealed: Uint8Array,
	key: Uint8Array,
	opts: { onProgress?: ShareProgress } = {}
): Uint8Array<ArrayBuffer> {
	abytes(sealed, undefined, 'sealed share');
	abytes(key, SHARE_KEY_LENGTH, 'share key');
	if (sealed.length > MAX_ENCRYPTED_SHARE_BYTES)
		throw new TooLargeError('The encrypted share', sealed.length, MAX_ENCRYPTED_SHARE_BYTES);
	if (sealed.length < SHARE_HEADER_LENGTH + SHARE_TAG_LENGTH)
		throw new MalformedError('The shared content', 'too short to be an encrypted share');
	for (let i = 0; i < SHARE_MAGIC.length; i++)
		if (sealed[i] !== SHARE_MAGIC[i]) throw new MalformedError('The shared content', 'not an encrypted Miaou share');
	const version = sealed[SHARE_MAGIC.length]!;
	if (version !== SHARE_FORMAT_VERSION) throw new UnsupportedVersionError('The encrypted share', version);
	const chunkLog2 = sealed[SHARE_MAGIC.length + 1]!;
	if (chunkLog2 < MIN_SHARE_CHUNK_LOG2 || chunkLog2 > MAX_SHARE_CHUNK_LOG2)
		throw new MalformedError('The shared content', `chunk size 2^${chunkLog2} is out of range`);
	const sealedChunk = 2 ** chunkLog2 + SHARE_TAG_LENGTH;
	const body = sealed.length - SHARE_HEADER_LENGTH;
	const chunks = Math.ceil(body / sealedChunk);
	const lastLength = body - (chunks - 1) * sealedChunk;
	// The writer never emits a trailing empty chunk after a full one (only an empty file has one).
	if (lastLength < SHARE_TAG_LENGTH || (chunks > 1 && lastLength === SHARE_TAG_LENGTH))
		throw new MalformedError('The shared content', 'its length does not match its chunk size');
	const k = subkey(key, sealed.subarray(0, SHARE_HEADER_LENGTH));
	try {
		const out = new Uint8Array(body - chunks * SHARE_TAG_LENGTH);
		let at = SHARE_HEADER_LENGTH;
		let written = 0;
		for (let i = 0; i < chunks; i++) {
			const length = i === chunks - 1 ? lastLength : sealedChunk;
			const opened = nacl.secretbox.open(sealed.subarray(at, at + length), chunkNonce(i, i === chunks - 1), k);
			if (!opened) throw new DecryptError('the shared file');
			out.set(opened, written);
			written += opened.length;
			at += length;
			opts.onProgress?.(written, out.length);
		}
		return out;
	} finally {
		k.fill(0);
	}
}

// ---------------------------------------------------------------------------------------------
// Links

/** What a share link or a bare CID says. */
export interface ShareLink {
	/** The content's CID, as written in the link. */
	cid: string;
	/** The 32-byte key of a private share; undefined for a public one. */
	key: Uint8Array | undefined;
	/** The relay (or gateway) base URL the link names, if it is a URL. */
	relay: string | undefined;
}

function checkCid(text: string, what: string): string {
	if (text.length === 0 || text.length > MAX_SHARE_CID_LENGTH)
		throw new MalformedError(what, `its CID is empty or longer than ${MAX_SHARE_CID_LENGTH} characters`);
	try {
		CID.parse(text);
	} catch {
		throw new MalformedError(what, `${JSON.stringify(text.slice(0, 80))} is not a CID`);
	}
	return text;
}

/**
 * Decode a share key as it appears in a link.
 * @param text - 43 base64url characters (RFC 4648 §5, no padding)
 * @returns the 32-byte key
 * @throws {MalformedError} when it is not exactly that
 */
export function parseShareKey(text: string): Uint8Array {
	if (typeof text !== 'string' || !BASE64URL_KEY.test(text))
		throw new MalformedError('The share key', 'not 43 base64url characters (32 bytes)');
	try {
		return fromBase64url(text);
	} catch {
		throw new MalformedError('The share key', 'not canonical base64url');
	}
}

/**
 * Build a share link: `<relay>/c/<cid>`, plus `#k=<key>` for a private share.
 * @param relay - the relay's base URL (http or https, no trailing slash needed)
 * @param cid - the content's CID text
 * @param key - the share key of a private share
 * @returns the link
 * @throws {MalformedError} on a CID that does not parse
 * @throws {TypeError | RangeError} on a key that is not 32 bytes
 * @example shareLink('https://relay.example.org', 'bafy…', key) // 'https://relay.example.org/c/bafy…#k=…'
 */
export function shareLink(relay: string, cid: string, key?: Uint8Array): string {
	checkCid(cid, 'The share link');
	const base = `${relay.replace(/\/+$/, '')}/c/${cid}`;
	return key === undefined ? base : `${base}#k=${toBase64url(abytes(key, SHARE_KEY_LENGTH, 'share key'))}`;
}

/**
 * Read what a user pasted: a share link (`<relay>/c/<cid>[#k=<key>]`), a gateway URL
 * (`<gateway>/ipfs/<cid>`), an `ipfs://<cid>` URI or a bare CID.
 * @param input - the text
 * @returns the CID, the key when it is a private share, and the relay the link names
 * @throws {TooLargeError} over {@link MAX_SHARE_LINK_LENGTH} characters (before parsing)
 * @throws {MalformedError} when it is none of those forms, or its CID or key is malformed
 * @example parseShareLink('https://relay.example.org/c/bafy…#k=…') // { cid: 'bafy…', key, relay: 'https://relay.example.org' }
 */
export function parseShareLink(input: string): ShareLink {
	if (typeof input !== 'string') throw new TypeError('input must be a string');
	if (input.length > MAX_SHARE_LINK_LENGTH)
		throw new TooLargeError('The share link', input.length, MAX_SHARE_LINK_LENGTH);
	const text = input.trim();
	const what = 'The share link';
	if (!text.includes(':') && !text.includes('/'))
		return { cid: checkCid(text, 'The CID'), key: undefined, relay: undefined };
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new MalformedError(what, 'it is neither a CID nor a URL');
	}
	if (url.protocol === 'ipfs:') {
		// ipfs://<cid> (IPFS addressing: the CID is the authority part).
		return { cid: checkCid(url.hostname || url.pathname.replace(/^\/+/, ''), what), key: undefined, relay: undefined };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		throw new MalformedError(what, `${url.protocol} links are not supported`);
	const match = /^(.*)\/(c|ipfs)\/([^/]+)\/?$/.exec(url.pathname);
	if (!match) throw new MalformedError(what, 'its path is not /c/<cid> or /ipfs/<cid>');
	let segment: string;
	try {
		segment = decodeURIComponent(match[3]!);
	} catch {
		throw new MalformedError(what, 'its CID is not valid percent-encoding');
	}
	const cid = checkCid(segment, what);
	const relay = `${url.protocol}//${url.host}${match[1]!}`;
	const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
	const k = fragment.get('k');
	return { cid, key: k === null ? undefined : parseShareKey(k), relay };
}
