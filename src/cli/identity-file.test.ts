import { describe, expect, it } from 'vitest';
import { MalformedError, TooLargeError, UsageError } from '../lib/core/errors.ts';
import { createIdentity } from '../lib/core/identity.ts';
import { exportIdentity } from '../lib/core/keystore.ts';
import {
	checkName,
	encodeIdentityFile,
	IDENTITY_FILE_FORMAT,
	MAX_IDENTITY_FILE_BYTES,
	MAX_NAME_LENGTH,
	parseIdentityFile,
	type IdentityFile
} from './identity-file.ts';

const FAST = { kdf: { N: 1024, r: 8, p: 1 } };

async function sample(name?: string): Promise<IdentityFile> {
	const identity = createIdentity({ now: () => 1_767_225_600_000 });
	const file: IdentityFile = {
		id: identity.id,
		createdAt: identity.createdAt,
		backup: await exportIdentity(identity, 'pw', FAST)
	};
	if (name !== undefined) file.name = name;
	return file;
}

describe('identity file', () => {
	it('round-trips, with and without a name', async () => {
		for (const file of [await sample('Alice'), await sample()]) {
			const text = encodeIdentityFile(file);
			expect(JSON.parse(text)).toMatchObject({ format: IDENTITY_FILE_FORMAT, version: 1, id: file.id });
			expect(parseIdentityFile(text, 'f')).toEqual(file);
		}
	});

	it('refuses a clear id that differs from the id in the backup', async () => {
		const a = await sample();
		const b = await sample();
		const forged = encodeIdentityFile({ ...a, id: b.id });
		expect(() => parseIdentityFile(forged, 'f')).toThrow(
			'The identity file f is malformed: its id does not match the id in its key backup.'
		);
	});

	it('refuses every malformed field with a sentence', async () => {
		const good = JSON.parse(encodeIdentityFile(await sample('A'))) as Record<string, unknown>;
		const cases: Array<[Record<string, unknown> | string, RegExp]> = [
			['not json', /not JSON/],
			['[]', /not a JSON object/],
			[{ ...good, format: 'other' }, /not a Miaou identity file/],
			[{ ...good, version: 2 }, /version 2 is not supported/],
			[{ ...good, id: 'did:key:zBad' }, /its id is not a Miaou id/],
			[{ ...good, createdAt: -1 }, /creation time/],
			[{ ...good, createdAt: '2026' }, /creation time/],
			[{ ...good, backup: 42 }, /no key backup/],
			[{ ...good, backup: '{}' }, /key backup is unreadable \(ERR_MALFORMED\)/],
			[{ ...good, name: 'x'.repeat(MAX_NAME_LENGTH + 1) }, /name/]
		];
		for (const [value, message] of cases) {
			const text = typeof value === 'string' ? value : JSON.stringify(value);
			expect(() => parseIdentityFile(text, 'f'), text.slice(0, 40)).toThrow(MalformedError);
			expect(() => parseIdentityFile(text, 'f')).toThrow(message);
		}
	});

	it('refuses an oversized file before parsing it', () => {
		expect(() => parseIdentityFile(' '.repeat(MAX_IDENTITY_FILE_BYTES + 1), 'f')).toThrow(TooLargeError);
	});
});

describe('checkName', () => {
	it('trims and accepts ordinary names, including non-Latin ones', () => {
		expect(checkName('  Alice  ')).toBe('Alice');
		expect(checkName('Chat Noir 🐈‍⬛')).toBe('Chat Noir 🐈‍⬛');
		expect(checkName('猫'.repeat(MAX_NAME_LENGTH))).toHaveLength(MAX_NAME_LENGTH);
	});

	it('refuses empty, too long and control characters', () => {
		expect(() => checkName('   ')).toThrow(UsageError);
		expect(() => checkName('x'.repeat(MAX_NAME_LENGTH + 1))).toThrow(/longer than 64/);
		expect(() => checkName('a\nb')).toThrow(/control characters/);
		expect(() => checkName('a\u001b[31mb')).toThrow(/control characters/);
	});
});
