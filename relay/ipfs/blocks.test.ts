import { createHash } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import * as dagPb from '@ipld/dag-pb';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import * as json from 'multiformats/codecs/json';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { identity } from 'multiformats/hashes/identity';
import { sha256, sha512 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import {
	CidError,
	HashMismatchError,
	MalformedError,
	TooLargeError,
	UnsupportedCodecError,
	UnsupportedHashError
} from '../../src/lib/core/errors.ts';
import { assertBlock, assertSupportedCid, blockLinks, isIdentity, parseCid, verifyBlock } from './blocks.ts';
import { MAX_BLOCK_BYTES, MAX_CID_STRING_LENGTH } from './limits.ts';

const bytes = new TextEncoder().encode('hello miaou');
const rawCid = CID.createV1(raw.code, await sha256.digest(bytes));

describe('parseCid', () => {
	it('parses CIDv1 in base32 and base36 and CIDv0', async () => {
		expect(parseCid(rawCid.toString()).equals(rawCid)).toBe(true);
		const { base36 } = await import('multiformats/bases/base36');
		expect(parseCid(rawCid.toString(base36)).equals(rawCid)).toBe(true);
		const v0 = CID.createV0(await sha256.digest(dagPb.encode({ Links: [] })));
		expect(parseCid(v0.toString()).equals(v0)).toBe(true);
	});

	it('refuses garbage, empty and over-long strings with CidError', () => {
		for (const bad of ['', 'hello', 'bafy', 'Qm123', `${rawCid}x`, 'b' + 'a'.repeat(MAX_CID_STRING_LENGTH)])
			expect(() => parseCid(bad)).toThrow(CidError);
	});

	it('never throws anything but CidError on random strings', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), (text) => {
				try {
					parseCid(text);
				} catch (err) {
					expect(err).toBeInstanceOf(CidError);
				}
			}),
			{ numRuns: 500 }
		);
	});
});

describe('assertSupportedCid', () => {
	it('accepts raw, dag-pb and dag-cbor with sha2-256 and sha2-512', async () => {
		for (const code of [raw.code, dagPb.code, dagCbor.code]) {
			assertSupportedCid(CID.createV1(code, await sha256.digest(bytes)));
			assertSupportedCid(CID.createV1(code, await sha512.digest(bytes)));
		}
	});

	it('refuses other codecs, other hashes, identity and truncated digests', async () => {
		const jsonCid = CID.createV1(json.code, await sha256.digest(bytes));
		expect(() => assertSupportedCid(jsonCid)).toThrow(UnsupportedCodecError);
		expect(() => assertSupportedCid(CID.createV1(raw.code, createDigest(0x1e, new Uint8Array(32))))).toThrow(
			UnsupportedHashError
		);
		expect(() => assertSupportedCid(CID.createV1(raw.code, identity.digest(bytes)))).toThrow(UnsupportedHashError);
		expect(() => assertSupportedCid(CID.createV1(raw.code, createDigest(0x12, new Uint8Array(20))))).toThrow(CidError);
	});

	it('names the unsupported code in the message', async () => {
		const jsonCid = CID.createV1(json.code, await sha256.digest(bytes));
		expect(() => assertSupportedCid(jsonCid)).toThrow(/0x200/);
	});
});

describe('verifyBlock / assertBlock', () => {
	it('accepts the right bytes (sha2-256 and sha2-512)', async () => {
		expect(verifyBlock(rawCid, bytes)).toBe(true);
		const cid512 = CID.createV1(raw.code, await sha512.digest(bytes));
		expect(verifyBlock(cid512, bytes)).toBe(true);
		assertBlock(cid512, bytes);
	});

	it('matches node:crypto on a known answer', () => {
		const digest = createHash('sha256').update(bytes).digest();
		expect(Buffer.from(rawCid.multihash.digest).equals(digest)).toBe(true);
	});

	it('refuses any single changed bit (property)', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 1, maxLength: 256 }),
				fc.nat(),
				fc.integer({ min: 0, max: 7 }),
				(data, at, bit) => {
					const cid = CID.createV1(raw.code, createDigest(0x12, createHash('sha256').update(data).digest()));
					const tampered = Uint8Array.from(data);
					tampered[at % data.length]! ^= 1 << bit;
					expect(verifyBlock(cid, data)).toBe(true);
					expect(verifyBlock(cid, tampered)).toBe(false);
					expect(() => assertBlock(cid, tampered)).toThrow(HashMismatchError);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('answers false (never throws) for an unsupported hash', () => {
		expect(verifyBlock(CID.createV1(raw.code, identity.digest(bytes)), bytes)).toBe(false);
	});

	it('refuses a block over the cap before hashing it', () => {
		const big = new Uint8Array(MAX_BLOCK_BYTES + 1);
		const cid = CID.createV1(raw.code, createDigest(0x12, createHash('sha256').update(big).digest()));
		expect(() => assertBlock(cid, big)).toThrow(TooLargeError);
	});
});

describe('blockLinks', () => {
	it('has no links for raw blocks', () => {
		expect(blockLinks(rawCid, bytes)).toEqual([]);
	});

	it('lists dag-pb links in order', async () => {
		const a = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])));
		const b = CID.createV1(raw.code, await sha256.digest(new Uint8Array([2])));
		const node = dagPb.encode(
			dagPb.prepare({
				Links: [
					{ Hash: a, Name: 'a' },
					{ Hash: b, Name: 'b' }
				]
			})
		);
		const cid = CID.createV1(dagPb.code, await sha256.digest(node));
		expect(blockLinks(cid, node).map(String)).toEqual([a.toString(), b.toString()]);
	});

	it('lists dag-cbor links', async () => {
		const a = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1])));
		const node = dagCbor.encode({ x: [a, { y: a }] });
		const cid = CID.createV1(dagCbor.code, await sha256.digest(node));
		expect(blockLinks(cid, node).map(String)).toEqual([a.toString(), a.toString()]);
	});

	it('throws MalformedError for bytes that do not decode', async () => {
		const junk = new Uint8Array([0xff, 0xff, 0xff]);
		const digest = await sha256.digest(junk);
		expect(() => blockLinks(CID.createV1(dagPb.code, digest), junk)).toThrow(MalformedError);
		expect(() => blockLinks(CID.createV1(dagCbor.code, digest), junk)).toThrow(MalformedError);
	});

	it('refuses a codec it cannot walk', async () => {
		const jsonCid = CID.createV1(json.code, await sha256.digest(bytes));
		expect(() => blockLinks(jsonCid, bytes)).toThrow(UnsupportedCodecError);
	});
});

describe('isIdentity', () => {
	it('tells identity CIDs apart', () => {
		expect(isIdentity(CID.parse('bafkqaaa'))).toBe(true);
		expect(isIdentity(rawCid)).toBe(false);
	});
});
