import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { sha256 as msha256, sha512 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../core/bytes.ts';
import { CidError, UnsupportedCodecError, UnsupportedHashError } from '../core/errors.ts';
import {
	IDENTITY_HASH,
	MAX_IDENTITY_BYTES,
	RAW_CODEC,
	assertSupportedCid,
	parseCid,
	sha256,
	toCid,
	verifyBlock
} from './blocks.ts';

describe('blocks', () => {
	it('verifies a block only when its bytes hash to the CID', async () => {
		const bytes = utf8('hello\n');
		const cid = CID.createV1(RAW_CODEC, await msha256.digest(bytes));
		expect(await verifyBlock(cid, bytes)).toBe(true);
		const flipped = bytes.slice();
		flipped[0] = flipped[0]! ^ 1;
		expect(await verifyBlock(cid, flipped)).toBe(false);
		expect(await verifyBlock(cid, bytes.subarray(1))).toBe(false);
		const inline = CID.createV1(RAW_CODEC, identity.digest(bytes));
		expect(await verifyBlock(inline, bytes)).toBe(true);
		expect(await verifyBlock(inline, flipped)).toBe(false);
	});

	it('hashes the same with WebCrypto and the pure-JS fallback', async () => {
		const bytes = new Uint8Array(100_000).map((_, i) => i * 7);
		expect(await sha256(bytes)).toEqual(nobleSha256(bytes));
	});

	it('accepts raw and dag-pb with sha2-256, and refuses the rest', async () => {
		const digest = await msha256.digest(new Uint8Array([1]));
		expect(() => assertSupportedCid(CID.createV1(RAW_CODEC, digest))).not.toThrow();
		expect(() => assertSupportedCid(CID.createV0(digest))).not.toThrow();
		expect(() => assertSupportedCid(CID.createV1(0x71, digest))).toThrow(UnsupportedCodecError);
		const sha512Cid = CID.createV1(RAW_CODEC, await sha512.digest(new Uint8Array([1])));
		expect(() => assertSupportedCid(sha512Cid)).toThrow(UnsupportedHashError);
		const big = CID.createV1(RAW_CODEC, identity.digest(new Uint8Array(MAX_IDENTITY_BYTES + 1)));
		expect(big.multihash.code).toBe(IDENTITY_HASH);
		expect(() => assertSupportedCid(big)).toThrow(CidError);
	});

	it('parses CID text with a length bound', async () => {
		const text = 'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am';
		expect(parseCid(text).toString()).toBe(text);
		expect(toCid(text).toString()).toBe(text);
		expect(() => parseCid('not-a-cid')).toThrow(CidError);
		expect(() => parseCid('b'.repeat(300))).toThrow(CidError);
		expect(() => toCid({} as CID)).toThrow(CidError);
	});
});
