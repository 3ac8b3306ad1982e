import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedError, NoSuchFileError, TooLargeError } from '../../lib/core/errors.ts';
import { formatSignature, MAX_SIGNATURE_FILE_BYTES } from '../file-signature.ts';
import { readSignatureArg } from './sign.ts';

let dir: string;
const sig = new Uint8Array(64).map((_, i) => i * 3);
const text = formatSignature(sig);

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-cli-sigarg-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('readSignatureArg', () => {
	it('takes the signature itself', async () => {
		expect(await readSignatureArg(text)).toEqual(sig);
	});

	it('reads a signature file, with surrounding whitespace', async () => {
		const path = join(dir, 'a.sig');
		await writeFile(path, `\n${text}\r\n`);
		expect(await readSignatureArg(path)).toEqual(sig);
	});

	it('calls a pasted, damaged signature malformed rather than a missing file', async () => {
		await expect(readSignatureArg(text.slice(0, 80))).rejects.toThrow(
			'The signature is malformed: expected 86 base64url characters, got 80 characters.'
		);
	});

	it('reports a missing signature file by name', async () => {
		await expect(readSignatureArg(join(dir, 'none.sig'))).rejects.toBeInstanceOf(NoSuchFileError);
	});

	it('refuses an oversized or non-signature file', async () => {
		const big = join(dir, 'big.sig');
		await writeFile(big, 'A'.repeat(MAX_SIGNATURE_FILE_BYTES + 1));
		await expect(readSignatureArg(big)).rejects.toBeInstanceOf(TooLargeError);
		const other = join(dir, 'other.sig');
		await writeFile(other, 'hello world');
		await expect(readSignatureArg(other)).rejects.toBeInstanceOf(MalformedError);
		const binary = join(dir, 'binary.sig');
		await writeFile(binary, new Uint8Array([0xff, 0xfe, 0x00]));
		await expect(readSignatureArg(binary)).rejects.toThrow(/is malformed: not text/);
	});
});
