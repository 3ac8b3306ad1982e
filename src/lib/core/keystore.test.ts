import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import naclBox from '../../../tests/vectors/nacl-box.json' with { type: 'json' };
import { fromBase64url, fromHex, toBase64url, toHex } from './bytes.ts';
import {
	AbortError,
	InvalidIdError,
	MalformedError,
	TooLargeError,
	UnsupportedVersionError,
	WrongPassphraseError
} from './errors.ts';
import { createIdentity, type Identity } from './identity.ts';
import {
	BACKUP_TYPE,
	DEFAULT_KDF,
	exportIdentity,
	importIdentity,
	kdfParamsProblem,
	MAX_BACKUP_BYTES,
	readBackupId,
	SALT_LENGTH,
	type KdfParams
} from './keystore.ts';

/** Small parameters for tests (the minimum accepted); one test below uses DEFAULT_KDF. */
const FAST: KdfParams = { N: 2 ** 10, r: 8, p: 1 };
const PASS = 'correct horse battery staple';

const me = createIdentity({ now: () => 1_700_000_000_000 });
const backupPromise = exportIdentity(me, PASS, { kdf: FAST });

function expectSameIdentity(a: Identity, b: Identity): void {
	expect(a.id).toBe(b.id);
	expect(toHex(a.signing.secretKey)).toBe(toHex(b.signing.secretKey));
	expect(toHex(a.agreement.secretKey)).toBe(toHex(b.agreement.secretKey));
	expect(toHex(a.agreement.publicKey)).toBe(toHex(b.agreement.publicKey));
	expect(toHex(a.agreementSignature)).toBe(toHex(b.agreementSignature));
	expect(a.createdAt).toBe(b.createdAt);
}

/** Re-serialize a backup with one change made to its parsed JSON. */
async function edited(change: (b: Record<string, unknown>) => void): Promise<string> {
	const b = JSON.parse(await backupPromise) as Record<string, unknown>;
	change(b);
	return JSON.stringify(b);
}

describe('key backups', () => {
	it('round-trip under the passphrase, with only the id in clear', async () => {
		const backup = await backupPromise;
		const parsed = JSON.parse(backup);
		expect(parsed).toMatchObject({ type: BACKUP_TYPE, version: 1, id: me.id, kdf: { name: 'scrypt', ...FAST } });
		expect(fromBase64url(parsed.salt)).toHaveLength(SALT_LENGTH);
		expect(backup).not.toContain(toBase64url(me.signing.secretKey.subarray(0, 32)));
		expect(readBackupId(backup)).toBe(me.id);
		expectSameIdentity(await importIdentity(backup, PASS), me);
	});

	it('round-trip with DEFAULT_KDF (N = 2^17, r = 8, p = 1)', async () => {
		const started = performance.now();
		const backup = await exportIdentity(me, PASS);
		expect(JSON.parse(backup).kdf).toEqual({ name: 'scrypt', ...DEFAULT_KDF });
		expectSameIdentity(await importIdentity(backup, PASS), me);
		// Two derivations: a figure for the record, not an assertion on this machine's speed.
		console.info(`DEFAULT_KDF export + import: ${Math.round(performance.now() - started)} ms`);
	}, 30_000);

	it('normalize the passphrase (NFKC): composed and decomposed accents open the same backup', async () => {
		const backup = await exportIdentity(me, 'caf\u00e9 \u00e0 minuit', { kdf: FAST });
		expectSameIdentity(await importIdentity(backup, 'cafe\u0301 a\u0300 minuit'), me);
	});

	it('are deterministic given the randomness, and fresh otherwise', async () => {
		const fixed = (n: number) => new Uint8Array(n).fill(9);
		const a = await exportIdentity(me, PASS, { kdf: FAST, random: fixed });
		expect(await exportIdentity(me, PASS, { kdf: FAST, random: fixed })).toBe(a);
		expect(JSON.parse(a).nonce).toBe(toBase64url(new Uint8Array(24).fill(9)));
		expect(await exportIdentity(me, PASS, { kdf: FAST })).not.toBe(await backupPromise);
	});

	it('refuse a wrong passphrase', async () => {
		const backup = await backupPromise;
		await expect(importIdentity(backup, 'correct horse battery stapler')).rejects.toThrow(WrongPassphraseError);
		await expect(importIdentity(backup, '')).rejects.toThrow(WrongPassphraseError);
	});

	it('refuse any altered byte of the ciphertext (property)', async () => {
		const original = fromBase64url(JSON.parse(await backupPromise).ciphertext);
		await fc.assert(
			fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, delta) => {
				const bad = Uint8Array.from(original);
				bad[i] = (bad[i]! + delta) & 0xff;
				const backup = await edited((b) => (b.ciphertext = toBase64url(bad)));
				await expect(importIdentity(backup, PASS)).rejects.toThrow(WrongPassphraseError);
			}),
			{ numRuns: 12 }
		);
	});

	it('refuse altered clear fields: salt, nonce, KDF parameters, id', async () => {
		const other = createIdentity();
		const flipFirst = (text: string) => {
			const bytes = fromBase64url(text);
			bytes[0]! ^= 1;
			return toBase64url(bytes);
		};
		const salt = await edited((b) => (b.salt = flipFirst(b.salt as string)));
		await expect(importIdentity(salt, PASS)).rejects.toThrow(WrongPassphraseError);
		const nonce = await edited((b) => (b.nonce = flipFirst(b.nonce as string)));
		await expect(importIdentity(nonce, PASS)).rejects.toThrow(WrongPassphraseError);
		const kdf = await edited((b) => (b.kdf = { name: 'scrypt', N: 2 ** 11, r: 8, p: 1 }));
		await expect(importIdentity(kdf, PASS)).rejects.toThrow(WrongPassphraseError);
		const id = await edited((b) => (b.id = other.id));
		await expect(importIdentity(id, PASS)).rejects.toThrow(/do not match its id/);
		await expect(importIdentity(id, PASS)).rejects.toThrow(MalformedError);
	});

	it('refuse malformed input with named errors, before any key derivation', async () => {
		const backup = await backupPromise;
		const cases: [string, new (...args: never[]) => Error, RegExp?][] = [
			[backup.slice(0, backup.length - 10), MalformedError, /not JSON/],
			['', MalformedError],
			['[]', MalformedError, /not a JSON object/],
			['null', MalformedError],
			[' '.repeat(MAX_BACKUP_BYTES + 1), TooLargeError],
			['"' + '\u00e9'.repeat(MAX_BACKUP_BYTES / 2 + 1) + '"', TooLargeError],
			[await edited((b) => (b.version = 2)), UnsupportedVersionError],
			[await edited((b) => (b.version = '1')), MalformedError, /version/],
			[await edited((b) => delete b.version), MalformedError],
			[await edited((b) => (b.type = 'something-else')), MalformedError, /type/],
			[await edited((b) => (b.extra = true)), MalformedError, /unknown field "extra"/],
			[await edited((b) => (b.id = 'did:key:zNotAKey')), InvalidIdError],
			[await edited((b) => (b.id = 7)), MalformedError],
			[await edited((b) => (b.kdf = { name: 'argon2id', N: 1024, r: 8, p: 1 })), MalformedError, /scrypt/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 2 ** 30, r: 8, p: 1 })), MalformedError, /power of two/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 1000, r: 8, p: 1 })), MalformedError, /power of two/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 2 ** 20, r: 8, p: 1 })), MalformedError, /memory/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 2 ** 17, r: 8, p: 16 })), MalformedError, /N·r·p/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 1024, r: 0, p: 1 })), MalformedError, /r must/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 1024, r: 8, p: 1e9 })), MalformedError, /p must/],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: '1024', r: 8, p: 1 })), MalformedError],
			[await edited((b) => (b.kdf = { name: 'scrypt', N: 1024, r: 8, p: 1, maxmem: 1 })), MalformedError],
			[await edited((b) => (b.kdf = null)), MalformedError],
			[await edited((b) => (b.salt = 'AAAA')), MalformedError, /salt is 3 bytes/],
			[await edited((b) => (b.nonce = 12)), MalformedError, /nonce/],
			[await edited((b) => (b.ciphertext = 'AAAA')), MalformedError, /too short/],
			[await edited((b) => (b.ciphertext = '!!!')), MalformedError]
		];
		for (const [text, error, reason] of cases) {
			const started = performance.now();
			const attempt = importIdentity(text, PASS);
			await expect(attempt, text.slice(0, 80)).rejects.toThrow(error);
			if (reason) await expect(attempt).rejects.toThrow(reason);
			expect(() => readBackupId(text)).toThrow(error);
			expect(performance.now() - started).toBeLessThan(1000); // refused without running the KDF
		}
		await expect(importIdentity(42 as unknown as string, PASS)).rejects.toThrow(TypeError);
	});

	it('refuse bad export arguments', async () => {
		await expect(exportIdentity(me, '', { kdf: FAST })).rejects.toThrow(RangeError);
		await expect(exportIdentity(me, 'x'.repeat(2000), { kdf: FAST })).rejects.toThrow(RangeError);
		await expect(exportIdentity(me, PASS, { kdf: { N: 2 ** 9, r: 8, p: 1 } })).rejects.toThrow(RangeError);
		await expect(exportIdentity(me, PASS, { kdf: { N: 2 ** 21, r: 8, p: 1 } })).rejects.toThrow(RangeError);
		const broken = { ...me, agreementSignature: new Uint8Array(64) };
		await expect(exportIdentity(broken, PASS, { kdf: FAST })).rejects.toThrow(/agreement key/);
		await expect(exportIdentity(me, PASS, { kdf: FAST, random: () => new Uint8Array(1) })).rejects.toThrow(RangeError);
	});

	it('stop the key derivation when aborted', async () => {
		const backup = await backupPromise;
		await expect(importIdentity(backup, PASS, { signal: AbortSignal.abort() })).rejects.toThrow(AbortError);
		const controller = new AbortController();
		const progress: number[] = [];
		const slow = exportIdentity(me, PASS, {
			kdf: { N: 2 ** 16, r: 8, p: 1 },
			signal: controller.signal,
			onProgress: (f) => {
				progress.push(f);
				if (progress.length === 2) controller.abort();
			}
		});
		await expect(slow).rejects.toThrow(AbortError);
		expect(progress.length).toBeLessThan(5);
	});

	it('bounds the KDF parameters it accepts', () => {
		expect(kdfParamsProblem(DEFAULT_KDF)).toBeUndefined();
		expect(kdfParamsProblem(FAST)).toBeUndefined();
		expect(kdfParamsProblem({ N: 2 ** 18, r: 8, p: 1 })).toBeUndefined();
		expect(kdfParamsProblem({ N: 2 ** 17, r: 8, p: 1.5 })).toMatch(/integers/);
		expect(kdfParamsProblem({ N: NaN, r: 8, p: 1 })).toMatch(/integers/);
	});
});

describe('NaCl secretbox known answer (NaCl tests/secretbox.c), the cipher of the backups', () => {
	it('seals the published message to the published ciphertext and opens it again', () => {
		const key = fromHex(naclBox.sharedKey);
		const nonce = fromHex(naclBox.nonce);
		expect(toHex(nacl.secretbox(fromHex(naclBox.message), nonce, key))).toBe(naclBox.ciphertext);
		const opened = nacl.secretbox.open(fromHex(naclBox.ciphertext), nonce, key);
		expect(opened && toHex(opened)).toBe(naclBox.message);
	});
});
