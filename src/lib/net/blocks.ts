/**
 * Content identifiers and block verification on the client side. Integrity of everything
 * fetched by CID comes from here: a block is used only after its bytes hashed to the digest in
 * its CID (ARCHITECTURE.md §Messages: "every fetched block is hashed and compared").
 *
 * Supported: CIDv0/v1, codecs raw (0x55) and dag-pb (0x70) — what UnixFS files are made of —
 * and the sha2-256 (0x12) and identity (0x00) multihashes (multicodec table,
 * https://github.com/multiformats/multicodec).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { equalBytes } from '../core/bytes.ts';
import { CidError, UnsupportedCodecError, UnsupportedHashError } from '../core/errors.ts';

/** Multicodec codes used here. */
export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;
export const SHA2_256 = 0x12;
export const IDENTITY_HASH = 0x00;

/** Largest block accepted (the usual IPFS limit; the relay uses the same). */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;
/** Longest CID text accepted, checked before it is parsed. */
export const MAX_CID_TEXT_LENGTH = 256;
/** Largest identity-hash "digest" (inline bytes) accepted. */
export const MAX_IDENTITY_BYTES = 128;

/**
 * Parse a CID from text.
 * @param text - a CID string (base32 `b…` for v1, base58 `Qm…` for v0)
 * @returns the CID
 * @throws {CidError} when it is too long or does not parse
 */
export function parseCid(text: string): CID {
	if (typeof text !== 'string') throw new TypeError('CID must be a string');
	if (text.length > MAX_CID_TEXT_LENGTH) throw new CidError(`longer than ${MAX_CID_TEXT_LENGTH} characters`);
	try {
		return CID.parse(text);
	} catch {
		throw new CidError(`${JSON.stringify(text.slice(0, 80))} does not parse`);
	}
}

/**
 * Check that a CID is one the client can fetch and verify.
 * @param cid - the CID
 * @throws {UnsupportedCodecError} for a codec other than raw or dag-pb
 * @throws {UnsupportedHashError} for a hash other than sha2-256 or identity
 * @throws {CidError} for an identity CID carrying more than {@link MAX_IDENTITY_BYTES}
 */
export function assertSupportedCid(cid: CID): void {
	if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) throw new UnsupportedCodecError(cid.code, 'raw, dag-pb');
	const hash = cid.multihash.code;
	if (hash !== SHA2_256 && hash !== IDENTITY_HASH) throw new UnsupportedHashError(hash, 'sha2-256, identity');
	if (hash === SHA2_256 && cid.multihash.size !== 32) throw new CidError('a sha2-256 digest must be 32 bytes');
	if (hash === IDENTITY_HASH && cid.multihash.size > MAX_IDENTITY_BYTES)
		throw new CidError(`identity CIDs may inline at most ${MAX_IDENTITY_BYTES} bytes`);
}

/**
 * Turn a CID argument (a CID or its text) into a CID this client can verify.
 * @param cid - a CID or its text
 * @returns the CID
 * @throws {CidError | UnsupportedCodecError | UnsupportedHashError}
 */
export function toCid(cid: CID | string): CID {
	const parsed = typeof cid === 'string' ? parseCid(cid) : CID.asCID(cid);
	if (!parsed) throw new CidError('not a CID');
	assertSupportedCid(parsed);
	return parsed;
}

/**
 * SHA-256 through WebCrypto where it exists (browsers in a secure context, Node), else the
 * audited pure-JS implementation: a relay reached over plain http on a LAN address is not a
 * secure context, and `crypto.subtle` is missing there.
 * @param bytes - the input
 * @returns the 32-byte digest
 */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
	const subtle = globalThis.crypto?.subtle;
	if (subtle) return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
	return nobleSha256(bytes);
}

/**
 * Whether `bytes` are the block `cid` names.
 * @param cid - the expected CID (should have passed {@link assertSupportedCid})
 * @param bytes - the bytes received
 * @returns true only when the bytes hash to the CID's digest (or equal an identity CID's bytes)
 */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<boolean> {
	const { code, digest } = cid.multihash;
	if (code === IDENTITY_HASH) return equalBytes(digest, bytes);
	if (code !== SHA2_256 || bytes.length > MAX_BLOCK_BYTES) return false;
	return equalBytes(await sha256(bytes), digest);
}
