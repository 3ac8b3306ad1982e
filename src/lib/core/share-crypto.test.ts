import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toBase64url, toHex, utf8 } from './bytes.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from './errors.ts';
import {
	createShareKey,
	decryptShare,
	encryptedShareLength,
	encryptShare,
	MAX_ENCRYPTED_SHARE_BYTES,
	MAX_SHARE_BYTES,
	MAX_SHARE_LINK_LENGTH,
	parseShareKey,
	parseShareLink,
	SHARE_HEADER_LENGTH,
	SHARE_TAG_LENGTH,
	shareLink
} from './share-crypto.ts';

const KEY = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const SALT = fromHex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
const fixedSalt = (n: number): Uint8Array => {
	expect(n).toBe(16);
	return SALT.slice();
};
const CID_TEXT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';

describe('known answers', () => {
	// Computed by an independent Python implementation of the format (Salsa20/XSalsa20 and Poly1305
	// written from their specifications, HKDF from RFC 5869 over Python's hmac), itself checked
	// against NaCl's tests/secretbox.c answer (tests/vectors/nacl-box.json).
	it('a one-chunk file', () => {
		const sealed = encryptShare(utf8('Miaou!\n'), KEY, { random: fixedSalt });
		expect(toHex(sealed)).toBe(
			'6d7368720110a0a1a2a3a4a5a6a7a8a9aaabacadaeafee7e39fef507660e7265559af65e1ecd704ed3ce44eab9'
		);
		expect(new TextDecoder().decode(decryptShare(sealed, KEY))).toBe('Miaou!\n');
	});

	it('an empty file (one empty, final chunk)', () => {
		const sealed = encryptShare(new Uint8Array(0), KEY, { random: fixedSalt });
		expect(toHex(sealed)).toBe('6d7368720110a0a1a2a3a4a5a6a7a8a9aaabacadaeaf4a92df2002cbafef7c32ce12b6fbc755');
		expect(decryptShare(sealed, KEY)).toEqual(new Uint8Array(0));
	});

	it('a three-chunk file at 4 KiB chunks', () => {
		const plain = Uint8Array.from({ length: 9000 }, (_, i) => (i * 7 + 3) & 0xff);
		const sealed = encryptShare(plain, KEY, { random: fixedSalt, chunkLog2: 12 });
		expect(sealed.length).toBe(9070);
		expect(toHex(sha256(sealed))).toBe('7bb88bcdb282fac8036985283518bf266db501702b5b1da730f032dec9ab0f54');
		const lastChunk = sealed.subarray(SHARE_HEADER_LENGTH + 2 * (4096 + 16));
		expect(toHex(lastChunk.subarray(0, 16))).toBe('353ed9c73f9c5be2279007a06e95c345');
		expect(decryptShare(sealed, KEY)).toEqual(plain);
	});

	it('follows the documented construction step by step (HKDF from WebCrypto, secretbox)', async () => {
		const plain = utf8('Miaou!\n');
		const header = concat(utf8('mshr'), new Uint8Array([1, 16]), SALT);
		const buffer = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;
		const ikm = await crypto.subtle.importKey('raw', buffer(KEY), 'HKDF', false, ['deriveBits']);
		const info = concat(utf8('miaou/v1/share\n'), header);
		const subkey = new Uint8Array(
			await crypto.subtle.deriveBits(
				{ name: 'HKDF', hash: 'SHA-256', salt: buffer(SALT), info: buffer(info) },
				ikm,
				256
			)
		);
		const nonce = new Uint8Array(24);
		nonce[8] = 1; // chunk 0, last
		const expected = concat(header, nacl.secretbox(plain, nonce, subkey));
		expect(encryptShare(plain, KEY, { random: fixedSalt })).toEqual(expected);
	});
});

describe('round trips and tampering', () => {
	it('decrypts what it encrypts, for any size and chunk size', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.integer({ min: 12, max: 14 }), (plain, chunkLog2) => {
				const key = createShareKey();
				const sealed = encryptShare(plain, key, { chunkLog2 });
				expect(sealed.length).toBe(encryptedShareLength(plain.length, chunkLog2));
				expect(decryptShare(sealed, key)).toEqual(plain);
			}),
			{ numRuns: 60 }
		);
	});

	it('a fresh salt every time: the same file and key never give the same bytes', () => {
		const key = createShareKey();
		const plain = utf8('same file');
		expect(toHex(encryptShare(plain, key))).not.toBe(toHex(encryptShare(plain, key)));
	});

	it('refuses a wrong key', () => {
		const sealed = encryptShare(utf8('secret'), KEY);
		const other = KEY.slice();
		other[31]! ^= 1;
		expect(() => decryptShare(sealed, other)).toThrow(DecryptError);
		expect(() => decryptShare(sealed, other)).toThrow(
			'Could not decrypt the shared file: it was altered or is not meant for this key.'
		);
	});

	it('refuses any flipped byte, in the header or any chunk', () => {
		const plain = Uint8Array.from({ length: 9000 }, (_, i) => i & 0xff);
		const sealed = encryptShare(plain, KEY, { chunkLog2: 12 });
		fc.assert(
			fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
				const bad = sealed.slice();
				bad[at]! ^= mask;
				expect(() => decryptShare(bad, KEY)).toThrow(/decrypt|malformed|version/i);
			}),
			{ numRuns: 200 }
		);
		// The header's version byte and chunk size byte have their own errors.
		const version = sealed.slice();
		version[4] = 2;
		expect(() => decryptShare(version, KEY)).toThrow(UnsupportedVersionError);
		const chunk = sealed.slice();
		chunk[5] = 30;
		expect(() => decryptShare(chunk, KEY)).toThrow(MalformedError);
		const chunkInRange = sealed.slice();
		chunkInRange[5] = 13;
		expect(() => decryptShare(chunkInRange, KEY)).toThrow(DecryptError); // the header is bound into the key
	});

	it('refuses truncation at a chunk boundary, a dropped chunk, swapped chunks and appended bytes', () => {
		const size = 4096 + SHARE_TAG_LENGTH;
		const plain = Uint8Array.from({ length: 3 * 4096 }, (_, i) => (i * 13) & 0xff);
		const sealed = encryptShare(plain, KEY, { chunkLog2: 12 });
		const header = sealed.subarray(0, SHARE_HEADER_LENGTH);
		const c = [0, 1, 2].map((i) =>
			sealed.subarray(SHARE_HEADER_LENGTH + i * size, SHARE_HEADER_LENGTH + (i + 1) * size)
		);
		expect(() => decryptShare(concat(header, c[0]!, c[1]!), KEY)).toThrow(DecryptError);
		expect(() => decryptShare(concat(header, c[0]!, c[2]!), KEY)).toThrow(DecryptError);
		expect(() => decryptShare(concat(header, c[1]!, c[0]!, c[2]!), KEY)).toThrow(DecryptError);
		expect(() => decryptShare(concat(sealed, new Uint8Array(SHARE_TAG_LENGTH)), KEY)).toThrow(MalformedError);
		expect(() => decryptShare(concat(sealed, new Uint8Array(40)), KEY)).toThrow(DecryptError);
	});

	it('refuses what is not an encrypted share, and sizes beyond the limits before parsing', () => {
		expect(() => decryptShare(new Uint8Array(10), KEY)).toThrow(MalformedError);
		expect(() => decryptShare(utf8('not an encrypted share at all, just text'), KEY)).toThrow(
			'not an encrypted Miaou share'
		);
		expect(() => decryptShare(new Uint8Array(MAX_ENCRYPTED_SHARE_BYTES + 1), KEY)).toThrow(TooLargeError);
		expect(() => encryptShare(new Uint8Array(MAX_SHARE_BYTES + 1), KEY)).toThrow(TooLargeError);
		expect(() => encryptShare(utf8('x'), new Uint8Array(31))).toThrow(RangeError);
		expect(() => decryptShare(utf8('x'), 'key' as unknown as Uint8Array)).toThrow(TypeError);
		expect(() => encryptShare(utf8('x'), KEY, { chunkLog2: 11 })).toThrow(RangeError);
	});

	it('the largest share still fits one relay upload (64 MiB)', () => {
		expect(encryptedShareLength(MAX_SHARE_BYTES)).toBeLessThanOrEqual(64 * 1024 * 1024);
		expect(MAX_ENCRYPTED_SHARE_BYTES).toBeLessThanOrEqual(64 * 1024 * 1024);
	});
});

describe('links', () => {
	it('builds and reads a private link', () => {
		const link = shareLink('http://127.0.0.1:8765/', CID_TEXT, KEY);
		expect(link).toBe(`http://127.0.0.1:8765/c/${CID_TEXT}#k=${toBase64url(KEY)}`);
		expect(parseShareLink(link)).toEqual({ cid: CID_TEXT, key: KEY, relay: 'http://127.0.0.1:8765' });
	});

	it('reads public links, gateway URLs, ipfs:// URIs and bare CIDs', () => {
		expect(parseShareLink(shareLink('https://relay.example.org/miaou', CID_TEXT))).toEqual({
			cid: CID_TEXT,
			key: undefined,
			relay: 'https://relay.example.org/miaou'
		});
		expect(parseShareLink(`https://gw.example.org/ipfs/${CID_TEXT}/`)).toMatchObject({
			cid: CID_TEXT,
			key: undefined,
			relay: 'https://gw.example.org'
		});
		expect(parseShareLink(`ipfs://${CID_TEXT}`)).toEqual({ cid: CID_TEXT, key: undefined, relay: undefined });
		expect(parseShareLink(`  ${CID_TEXT}\n`)).toEqual({ cid: CID_TEXT, key: undefined, relay: undefined });
		expect(parseShareLink('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n').cid).toBe(
			'QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n'
		);
	});

	it('refuses malformed links with one reason each', () => {
		const cases: [string, RegExp][] = [
			['not-a-cid', /not a CID/],
			[`ftp://x.org/c/${CID_TEXT}`, /ftp: links are not supported/],
			[`https://x.org/share/${CID_TEXT}`, /its path is not/],
			[`https://x.org/c/bafynotacid`, /is not a CID/],
			[`https://x.org/c/${CID_TEXT}#k=short`, /share key is malformed/],
			[`https://x.org/c/${CID_TEXT}#k=${'A'.repeat(42)}B`, /share key is malformed/],
			[`https://x.org/c/%E0%A4%A`, /percent-encoding/]
		];
		for (const [input, reason] of cases) {
			expect(() => parseShareLink(input), input).toThrow(MalformedError);
			expect(() => parseShareLink(input), input).toThrow(reason);
		}
		expect(() => parseShareLink('x'.repeat(MAX_SHARE_LINK_LENGTH + 1))).toThrow(TooLargeError);
		expect(() => shareLink('https://x.org', 'nope', KEY)).toThrow(MalformedError);
	});

	it('reads only canonical 32-byte keys', () => {
		expect(parseShareKey(toBase64url(KEY))).toEqual(KEY);
		expect(() => parseShareKey('A'.repeat(43))).not.toThrow();
		expect(() => parseShareKey(`${'A'.repeat(42)}B`)).toThrow(MalformedError); // stray padding bits
		expect(() => parseShareKey('A'.repeat(44))).toThrow(MalformedError);
	});
});
