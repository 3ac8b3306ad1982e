/**
 * What blocks the relay accepts, and how it checks them: the CID policy (codecs and hash functions
 * it can verify and walk), block verification (re-hash and compare with the CID's multihash) and
 * link extraction for walking a DAG. Pure: no storage, no network.
 */
import { createHash } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import * as dagPb from '@ipld/dag-pb';
import { createUnsafe } from 'multiformats/block';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { equalBytes } from '../../src/lib/core/bytes.ts';
import {
	CidError,
	HashMismatchError,
	MalformedError,
	TooLargeError,
	UnsupportedCodecError,
	UnsupportedHashError
} from '../../src/lib/core/errors.ts';
import { MAX_BLOCK_BYTES, MAX_CID_STRING_LENGTH } from './limits.ts';

/** IPLD codecs the relay stores and walks (multicodec table codes). */
export const SUPPORTED_CODECS: ReadonlyMap<number, string> = new Map([
	[raw.code, 'raw'],
	[dagPb.code, 'dag-pb'],
	[dagCbor.code, 'dag-cbor']
]);

/** Multihash functions the relay verifies: code → [name, node:crypto algorithm, digest length]. */
export const SUPPORTED_HASHES: ReadonlyMap<number, readonly [string, string, number]> = new Map([
	[0x12, ['sha2-256', 'sha256', 32]],
	[0x13, ['sha2-512', 'sha512', 64]]
] as const);

/** Multihash code of the identity "hash" (the digest is the data itself). */
export const IDENTITY_HASH = 0x00;

/** Largest identity digest the gateway answers (Helia's own default bound). */
export const MAX_IDENTITY_DIGEST_BYTES = 128;

const codecList = [...SUPPORTED_CODECS.values()].join(', ');
const hashList = [...SUPPORTED_HASHES.values()].map(([name]) => name).join(', ');

/**
 * Parse a CID from its text form (base32, base36 or base58btc; CIDv0 `Qm…` too).
 * @param text - the CID string from a URL
 * @returns the CID
 * @throws {CidError} when it is too long or does not parse
 * @example parseCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
 */
export function parseCid(text: string): CID {
	if (text.length === 0 || text.length > MAX_CID_STRING_LENGTH)
		throw new CidError(`a CID is 1 to ${MAX_CID_STRING_LENGTH} characters, got ${text.length}`);
	try {
		return CID.parse(text);
	} catch {
		throw new CidError(`"${text.slice(0, 64)}" is not a CID`);
	}
}

/**
 * True when `cid` uses the identity multihash (its bytes are inside the CID, nothing is stored).
 * @param cid - any CID
 * @returns whether the multihash code is identity
 */
export function isIdentity(cid: CID): boolean {
	return cid.multihash.code === IDENTITY_HASH;
}

/**
 * Check that the relay can verify and walk blocks named by `cid`.
 * @param cid - the CID of a block to accept
 * @throws {UnsupportedCodecError} for a codec outside {@link SUPPORTED_CODECS}
 * @throws {UnsupportedHashError} for a hash outside {@link SUPPORTED_HASHES} (identity included)
 * @throws {CidError} for a truncated or over-long digest
 */
export function assertSupportedCid(cid: CID): void {
	if (!SUPPORTED_CODECS.has(cid.code)) throw new UnsupportedCodecError(cid.code, codecList);
	const hash = SUPPORTED_HASHES.get(cid.multihash.code);
	if (hash === undefined) throw new UnsupportedHashError(cid.multihash.code, hashList);
	if (cid.multihash.size !== hash[2])
		throw new CidError(`${hash[0]} digests are ${hash[2]} bytes, this CID carries ${cid.multihash.size}`);
}

/**
 * Whether `bytes` hash to the multihash in `cid`. A question, so it never throws.
 * @param cid - the claimed CID
 * @param bytes - the block bytes
 * @returns true only when the hash function is supported and the digests are equal
 */
export function verifyBlock(cid: CID, bytes: Uint8Array): boolean {
	const hash = SUPPORTED_HASHES.get(cid.multihash.code);
	if (hash === undefined || cid.multihash.size !== hash[2]) return false;
	const digest = createHash(hash[1]).update(bytes).digest();
	return equalBytes(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength), cid.multihash.digest);
}

/**
 * Check one block before it is stored or served: supported CID, size bound, and (per the CAR spec's
 * security note and the Trustless Gateway spec: "The Body hash MUST match the Multihash from the
 * requested CID") that its bytes hash to its CID.
 * @param cid - the block's CID
 * @param bytes - the block's bytes
 * @throws {TooLargeError} over {@link MAX_BLOCK_BYTES}
 * @throws {UnsupportedCodecError} / {UnsupportedHashError} / {CidError} from {@link assertSupportedCid}
 * @throws {HashMismatchError} when the bytes do not hash to the CID
 */
export function assertBlock(cid: CID, bytes: Uint8Array): void {
	assertSupportedCid(cid);
	if (bytes.length > MAX_BLOCK_BYTES) throw new TooLargeError(`Block ${cid}`, bytes.length, MAX_BLOCK_BYTES);
	if (!verifyBlock(cid, bytes)) throw new HashMismatchError(cid.toString());
}

/**
 * The CIDs a block links to, in the order its codec lists them (dag-pb `Links`, dag-cbor tag 42
 * values in key order; raw has none). The block must have been checked with {@link assertBlock}.
 * @param cid - the block's CID (its codec decides how to decode)
 * @param bytes - the block's bytes
 * @returns the linked CIDs, possibly with repeats
 * @throws {MalformedError} when the bytes do not decode with the CID's codec
 * @throws {UnsupportedCodecError} for a codec outside {@link SUPPORTED_CODECS}
 */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
	if (cid.code === raw.code) return [];
	try {
		if (cid.code === dagPb.code) return dagPb.decode(bytes).Links.map((link) => link.Hash);
		if (cid.code === dagCbor.code) {
			const block = createUnsafe({ cid, bytes, codec: dagCbor });
			return [...block.links()].map(([, link]) => link);
		}
	} catch (err) {
		throw new MalformedError(
			`Block ${cid}`,
			`it does not decode as ${SUPPORTED_CODECS.get(cid.code)} (${String((err as Error).message).slice(0, 80)})`
		);
	}
	throw new UnsupportedCodecError(cid.code, codecList);
}
