import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toBase64url, toHex, utf8 } from '../lib/core/bytes.ts';
import { signingKeyPairFromSeed, signSync, tweetnaclEd25519 } from '../lib/core/ed25519.ts';
import { MalformedError, NoSuchFileError } from '../lib/core/errors.ts';
import { idFromSigningKey } from '../lib/core/identity.ts';
import { nodeEd25519 } from '../lib/node/ed25519-node.ts';
import {
	FILE_SIGNATURE_DOMAIN,
	fileSignatureMessage,
	formatSignature,
	hashFile,
	looksLikeSignature,
	parseSignature,
	SIGNATURE_TEXT_LENGTH
} from './file-signature.ts';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-filesig-test-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('fileSignatureMessage', () => {
	it('is the domain, a zero byte and the digest (88 bytes)', () => {
		const digest = new Uint8Array(64).fill(7);
		const msg = fileSignatureMessage(digest);
		expect(msg.length).toBe(FILE_SIGNATURE_DOMAIN.length + 1 + 64);
		expect(new TextDecoder().decode(msg.subarray(0, FILE_SIGNATURE_DOMAIN.length))).toBe('miaou/v1/file-signature');
		expect(msg[FILE_SIGNATURE_DOMAIN.length]).toBe(0);
		expect(msg.subarray(-64)).toEqual(digest);
	});

	it('refuses a digest of the wrong length', () => {
		expect(() => fileSignatureMessage(new Uint8Array(32))).toThrow(RangeError);
	});
});

describe('signature text', () => {
	it('round-trips any 64 bytes through 86 base64url characters', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (sig) => {
				const text = formatSignature(sig);
				expect(text).toHaveLength(SIGNATURE_TEXT_LENGTH);
				expect(looksLikeSignature(text)).toBe(true);
				expect(parseSignature(`${text}\n`)).toEqual(sig);
			}),
			{ numRuns: 200 }
		);
	});

	it('refuses text of the wrong length or alphabet', () => {
		const good = formatSignature(new Uint8Array(64).fill(1));
		expect(() => parseSignature(good.slice(1))).toThrow(MalformedError);
		expect(() => parseSignature(`${good}A`)).toThrow(/expected 86 base64url characters, got 87/);
		expect(() => parseSignature(`${good.slice(1)}+`)).toThrow(MalformedError);
		expect(() => parseSignature('')).toThrow(MalformedError);
	});

	it('refuses a last character with stray bits (non-canonical base64url)', () => {
		const good = formatSignature(new Uint8Array(64));
		expect(good.endsWith('A')).toBe(true);
		expect(() => parseSignature(`${good.slice(0, -1)}B`)).toThrow(MalformedError);
	});
});

describe('hashFile', () => {
	it('is the SHA-512 of the file, streamed', async () => {
		const path = join(dir, 'big');
		const content = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
		await writeFile(path, content);
		expect(await hashFile(path)).toEqual(new Uint8Array(createHash('sha512').update(content).digest()));
	});

	it('reports a missing file by name', async () => {
		await expect(hashFile(join(dir, 'missing'))).rejects.toBeInstanceOf(NoSuchFileError);
	});
});

describe('the scheme, checked with the reference Ed25519', () => {
	it('a signature over the message verifies; over another file it does not', async () => {
		const kp = signingKeyPairFromSeed(new Uint8Array(32).fill(9));
		const a = join(dir, 'a.txt');
		const b = join(dir, 'b.txt');
		await writeFile(a, 'hello');
		await writeFile(b, 'hellp');
		const sig = signSync(fileSignatureMessage(await hashFile(a)), kp.secretKey);
		expect(await tweetnaclEd25519.verify(sig, fileSignatureMessage(await hashFile(a)), kp.publicKey)).toBe(true);
		expect(await tweetnaclEd25519.verify(sig, fileSignatureMessage(await hashFile(b)), kp.publicKey)).toBe(false);
		// Domain separation: the same key's signature over the bare digest is not a file signature.
		const bare = signSync(await hashFile(a), kp.secretKey);
		expect(await tweetnaclEd25519.verify(bare, fileSignatureMessage(await hashFile(a)), kp.publicKey)).toBe(false);
		expect(toBase64url(sig)).toBe(formatSignature(sig));
		expect(utf8(FILE_SIGNATURE_DOMAIN).length).toBe(23);
	});
});

/**
 * Known answer, also in docs/cli.md: the RFC 8032 §7.1 TEST 1 secret key signs the 7-byte file
 * "Miaou!\n". The same signature comes out of `openssl pkeyutl -sign -rawin` over
 * `printf 'miaou/v1/file-signature\0'; openssl dgst -sha512 -binary file`.
 */
const FILE_SIGNATURE_VECTOR = {
	seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
	id: 'did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw',
	content: 'Miaou!\n',
	sha512:
		'f9145ddf427a87ceb4dde756e92357c223add4e61710203d2fbb56a4b8c0cc70d13cbd491c7611682e38fdfa30fc8be198417345f90597102bf3934e9a251aaa',
	signature: 'nZ7tVG-tcZn6ef2Qk9KsWX2NlzjPAB366XS8fq1dZ3FEEd1aSITxTdygVzbnH0PrNUmbhxxrpS8HeZ1k2gvmDQ'
} as const;

describe('known answer', () => {
	it('the RFC 8032 test 1 key signs "Miaou!\\n" to the documented signature, on both Ed25519 paths', async () => {
		const v = FILE_SIGNATURE_VECTOR;
		const kp = signingKeyPairFromSeed(fromHex(v.seed));
		expect(idFromSigningKey(kp.publicKey)).toBe(v.id);
		const path = join(dir, 'vector.txt');
		await writeFile(path, v.content);
		const digest = await hashFile(path);
		expect(toHex(digest)).toBe(v.sha512);
		const message = fileSignatureMessage(digest);
		expect(formatSignature(signSync(message, kp.secretKey))).toBe(v.signature);
		expect(formatSignature(nodeEd25519.signSync(message, kp.secretKey))).toBe(v.signature);
		expect(nodeEd25519.verifySync(parseSignature(v.signature), message, kp.publicKey)).toBe(true);
	});
});
