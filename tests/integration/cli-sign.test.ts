/**
 * `miaou sign`, `miaou verify` and `miaou safety-number` end to end, with the real binary.
 * The signatures are also checked here independently (tweetnacl, the documented message format),
 * so the CLI cannot agree with itself on a wrong scheme.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, fromBase64url, utf8 } from '../../src/lib/core/bytes.ts';
import { tweetnaclEd25519 } from '../../src/lib/core/ed25519.ts';
import { signingKeyFromId } from '../../src/lib/core/identity.ts';
import { miaou, oneLine, scratch, SLOW_TEST_MS, type Scratch } from './cli-harness.ts';

const PASS = 'sign-test passphrase';
let s: Scratch;
let home: string;
let id: string;
let doc: string;

beforeAll(async () => {
	s = await scratch('miaou-cli-sign-');
	home = s.home('signer');
	const created = await miaou(['id', 'new', '--json'], { env: s.env(home, PASS) });
	if (created.code !== 0) throw new Error(created.stderr);
	id = (JSON.parse(created.stdout) as { id: string }).id;
	doc = join(s.dir, 'document.txt');
	await writeFile(doc, 'Miaou! The cat signs this.\n');
});
afterAll(async () => {
	await s.remove();
});

/** Flip bits of one character of a base64url string (its 6-bit value XOR mask), staying in the alphabet. */
function flipChar(text: string, index: number, mask = 0b100000): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
	const c = alphabet.indexOf(text[index]!);
	return text.slice(0, index) + alphabet[c ^ mask]! + text.slice(index + 1);
}

describe('sign and verify', { timeout: SLOW_TEST_MS }, () => {
	it('signs a file; the signature verifies, inline and from a file, and by the documented scheme', async () => {
		const signed = await miaou(['sign', doc], { env: s.env(home, PASS) });
		expect(signed.stderr).toBe('');
		expect(signed.code).toBe(0);
		const signature = signed.stdout.trim();
		expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);

		const inline = await miaou(['verify', doc, signature, id], { env: s.env(home) });
		expect(inline.code).toBe(0);
		expect(inline.stdout).toBe('valid\n');

		const sigFile = join(s.dir, 'document.sig');
		const toFile = await miaou(['sign', doc, '-o', sigFile, '--json'], { env: s.env(home, PASS) });
		expect(JSON.parse(toFile.stdout)).toEqual({ id, file: doc, signature, output: sigFile });
		expect(await readFile(sigFile, 'utf8')).toBe(`${signature}\n`);
		const fromFile = await miaou(['verify', doc, sigFile, id, '--json']);
		expect(fromFile.code).toBe(0);
		expect(JSON.parse(fromFile.stdout)).toMatchObject({ valid: true, id, file: doc });

		// Independent check: Ed25519 over "miaou/v1/file-signature" ‖ 0x00 ‖ SHA-512(file).
		const digest = createHash('sha512')
			.update(await readFile(doc))
			.digest();
		const message = concat(utf8('miaou/v1/file-signature'), new Uint8Array([0]), new Uint8Array(digest));
		expect(await tweetnaclEd25519.verify(fromBase64url(signature), message, signingKeyFromId(id))).toBe(true);
	});

	it('verifies the documented known-answer signature (made by another implementation)', async () => {
		// docs/cli.md: RFC 8032 test 1 key, file "Miaou!\n", signature reproduced with OpenSSL.
		const file = join(s.dir, 'vector.txt');
		await writeFile(file, 'Miaou!\n');
		const r = await miaou([
			'verify',
			file,
			'nZ7tVG-tcZn6ef2Qk9KsWX2NlzjPAB366XS8fq1dZ3FEEd1aSITxTdygVzbnH0PrNUmbhxxrpS8HeZ1k2gvmDQ',
			'did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw'
		]);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toBe('valid\n');
	});

	it('a tampered file, a tampered signature or another signer: exit 1 and one sentence', async () => {
		const signature = (await miaou(['sign', doc], { env: s.env(home, PASS) })).stdout.trim();
		const tampered = join(s.dir, 'tampered.txt');
		await writeFile(tampered, 'Miaou! The cat signs this!\n');

		const badFile = await miaou(['verify', tampered, signature, id]);
		expect(badFile.code).toBe(1);
		expect(badFile.stdout).toBe('');
		expect(oneLine(badFile)).toBe(`The signature on ${tampered} by ${id} does not verify.`);

		for (const index of [0, 40, 84, 85]) {
			const badSig = await miaou(['verify', doc, flipChar(signature, index), id]);
			expect(badSig.code, `flip at ${index}`).toBe(1);
			expect(oneLine(badSig)).toMatch(/does not verify/);
		}
		// The last character holds 2 signature bits and 4 zero padding bits: a set padding bit is refused.
		const padding = await miaou(['verify', doc, flipChar(signature, 85, 1), id]);
		expect(padding.code).toBe(1);
		expect(oneLine(padding)).toBe(
			'The signature is malformed: its last character is not valid base64url for 64 bytes.'
		);

		const other = s.home('other-signer');
		const otherId = (
			JSON.parse((await miaou(['id', 'new', '--json'], { env: s.env(other, PASS) })).stdout) as { id: string }
		).id;
		const wrongSigner = await miaou(['verify', doc, signature, otherId, '--json']);
		expect(wrongSigner.code).toBe(1);
		expect(wrongSigner.stdout).toBe('');
		expect(JSON.parse(wrongSigner.stderr)).toEqual({
			error: { code: 'ERR_BAD_SIGNATURE', message: `The signature on ${doc} by ${otherId} does not verify.` }
		});
	});

	it('a malformed signature, a wrong id or a missing file: one sentence each', async () => {
		const signature = (await miaou(['sign', doc], { env: s.env(home, PASS) })).stdout.trim();

		const short = await miaou(['verify', doc, signature.slice(0, 60), id]);
		expect(short.code).toBe(1);
		expect(oneLine(short)).toBe('The signature is malformed: expected 86 base64url characters, got 60 characters.');

		const badId = await miaou(['verify', doc, signature, 'did:key:zNotAKey']);
		expect(badId.code).toBe(2);
		expect(oneLine(badId)).toMatch(/^Not a valid Miaou id/);

		const notDid = await miaou(['verify', doc, signature, 'alice@example.org']);
		expect(notDid.code).toBe(2);
		expect(oneLine(notDid)).toMatch(/^Not a valid Miaou id/);

		const missing = join(s.dir, 'missing.txt');
		const noFile = await miaou(['verify', missing, signature, id]);
		expect(noFile.code).toBe(2);
		expect(oneLine(noFile)).toBe(`No such file: ${missing}.`);

		const missingSig = join(s.dir, 'missing.sig');
		const noSigFile = await miaou(['verify', doc, missingSig, id]);
		expect(noSigFile.code).toBe(2);
		expect(oneLine(noSigFile)).toBe(`No such file: ${missingSig}.`);

		const noSign = await miaou(['sign', missing], { env: s.env(home, PASS) });
		expect(noSign.code).toBe(2);
		expect(oneLine(noSign)).toBe(`No such file: ${missing}.`);
	});

	it('signing asks for the right passphrase', async () => {
		const wrong = await miaou(['sign', doc], { env: s.env(home, 'wrong passphrase') });
		expect(wrong.code).toBe(1);
		expect(wrong.stdout).toBe('');
		expect(oneLine(wrong)).toMatch(/passphrase/i);

		const none = await miaou(['sign', doc], { env: s.env(home) });
		expect(none.code).toBe(2);
		expect(oneLine(none)).toMatch(/MIAOU_PASSPHRASE/);
	});
});

describe('safety-number', { timeout: SLOW_TEST_MS }, () => {
	it('is the same number from both sides, and refuses a bad id', async () => {
		const bobHome = s.home('bob');
		const bob = (
			JSON.parse((await miaou(['id', 'new', '--json'], { env: s.env(bobHome, PASS) })).stdout) as { id: string }
		).id;
		const fromAlice = await miaou(['safety-number', bob, '--json'], { env: s.env(home) });
		const fromBob = await miaou(['safety-number', id, '--json'], { env: s.env(bobHome) });
		expect(fromAlice.code).toBe(0);
		expect(fromBob.code).toBe(0);
		const a = JSON.parse(fromAlice.stdout) as { id: string; theirs: string; safetyNumber: string };
		const b = JSON.parse(fromBob.stdout) as { id: string; theirs: string; safetyNumber: string };
		expect(a).toMatchObject({ id, theirs: bob });
		expect(a.safetyNumber).toBe(b.safetyNumber);
		expect(a.safetyNumber.length).toBeGreaterThan(10);

		const human = await miaou(['safety-number', bob], { env: s.env(home) });
		expect(human.stdout).toContain(`safety number: ${a.safetyNumber}`);

		const bad = await miaou(['safety-number', 'did:key:z6MkBroken'], { env: s.env(home) });
		expect(bad.code).toBe(2);
		expect(oneLine(bad)).toMatch(/^Not a valid Miaou id/);
	});
});
