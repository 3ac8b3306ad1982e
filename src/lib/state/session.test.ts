import { describe, expect, it } from 'vitest';
import { isMiaouId, type Identity } from '../core/identity.ts';
import { exportIdentity } from '../core/keystore.ts';
import { createIdentity } from '../core/identity.ts';
import { inlineKeyCrypto, type KeyCrypto } from '../browser/key-crypto.ts';
import { memoryKeyStorage, type KeyStorage, type StoredIdentity } from '../browser/key-storage.ts';
import { Session } from './session.svelte.ts';

// The smallest cost keystore accepts: the logic under test is the session's, not scrypt's.
const FAST_KDF = { N: 1024, r: 8, p: 1 };
const PASS = 'correct horse battery staple';

function setup(storage: KeyStorage = memoryKeyStorage(), crypto: KeyCrypto = inlineKeyCrypto({ kdf: FAST_KDF })) {
	return { storage, session: new Session({ storage, crypto, clock: () => 1_700_000_000_000 }) };
}

async function created() {
	const s = setup();
	await s.session.load();
	const identity = await s.session.create('Alice', PASS);
	return { ...s, identity };
}

describe('Session', () => {
	it('starts new on empty storage, then create unlocks and stores only the encrypted backup', async () => {
		const { session, storage } = setup();
		expect(session.status).toBe('loading');
		await session.load();
		expect(session.status).toBe('new');
		expect(session.profile).toBeUndefined();

		const identity = await session.create('  Alice \n Liddell ', PASS);
		expect(session.status).toBe('unlocked');
		expect(session.identity?.id).toBe(identity.id);
		expect(isMiaouId(identity.id)).toBe(true);
		expect(session.profile).toMatchObject({ id: identity.id, displayName: 'Alice Liddell' });
		expect(session.profile?.fingerprint).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);

		const stored = (await storage.load()) as StoredIdentity;
		expect(stored.id).toBe(identity.id);
		expect(stored.savedAt).toBe(1_700_000_000_000);
		// No secret key in clear anywhere in what is stored.
		const text = JSON.stringify(stored);
		const { identityToSecrets } = await import('../core/identity.ts');
		const secrets = identityToSecrets(identity);
		expect(text).not.toContain(secrets.signingSeed);
		expect(text).not.toContain(secrets.agreementSecret);
		expect(JSON.parse(stored.backup)).toMatchObject({ type: 'miaou-identity-backup', id: identity.id });
	});

	it('a reload finds it locked; a wrong passphrase leaves everything as it was; the right one unlocks the same id', async () => {
		const { storage, identity } = await created();
		const before = await storage.load();
		const { session } = setup(storage);
		await session.load();
		expect(session.status).toBe('locked');
		expect(session.profile?.displayName).toBe('Alice');
		expect(session.identity).toBeUndefined();

		await expect(session.unlock('not the passphrase')).rejects.toMatchObject({ code: 'ERR_WRONG_PASSPHRASE' });
		expect(session.status).toBe('locked');
		expect(session.busy).toBe(false);
		expect(await storage.load()).toEqual(before);

		const unlocked = await session.unlock(PASS);
		expect(unlocked.id).toBe(identity.id);
		expect(unlocked.signing.secretKey).toEqual(identity.signing.secretKey);
		expect(session.status).toBe('unlocked');
	});

	it('lock drops the keys from memory but keeps the backup', async () => {
		const { session, storage } = await created();
		session.lock();
		expect(session.status).toBe('locked');
		expect(session.identity).toBeUndefined();
		expect(await storage.load()).toBeDefined();
		session.lock(); // no-op when already locked
		expect(session.status).toBe('locked');
	});

	it('refuses a short passphrase and a bad display name before any key is made', async () => {
		const { session, storage } = setup();
		await session.load();
		await expect(session.create('Alice', 'short')).rejects.toThrow(RangeError);
		await expect(session.create(' \u202e ', PASS)).rejects.toThrow(/empty/);
		await expect(session.create('x'.repeat(65), PASS)).rejects.toThrow(/too-long/);
		expect(session.status).toBe('new');
		expect(await storage.load()).toBeUndefined();
	});

	it('keeps a display name with markup as typed (it is shown as text)', async () => {
		const { session } = setup();
		await session.load();
		await session.create('<img src=x onerror=alert(1)>', PASS);
		expect(session.profile?.displayName).toBe('<img src=x onerror=alert(1)>');
	});

	it('imports a backup made elsewhere and stores it unchanged', async () => {
		const elsewhere = createIdentity();
		const backup = await exportIdentity(elsewhere, PASS, { kdf: FAST_KDF });
		const { session, storage } = setup();
		await session.load();
		const identity = await session.importBackup(`\n${backup}\n`, PASS, 'Bob');
		expect(identity.id).toBe(elsewhere.id);
		expect(session.status).toBe('unlocked');
		expect((await storage.load())?.backup).toBe(backup);
	});

	it('import: a wrong passphrase, a damaged or oversized backup fail with their named error and store nothing', async () => {
		const backup = await exportIdentity(createIdentity(), PASS, { kdf: FAST_KDF });
		const { session, storage } = setup();
		await session.load();
		await expect(session.importBackup(backup, 'wrong passphrase', 'Bob')).rejects.toMatchObject({
			code: 'ERR_WRONG_PASSPHRASE'
		});
		await expect(session.importBackup(backup.slice(0, -20), PASS, 'Bob')).rejects.toMatchObject({
			code: 'ERR_MALFORMED'
		});
		await expect(session.importBackup('x'.repeat(70_000), PASS, 'Bob')).rejects.toMatchObject({
			code: 'ERR_TOO_LARGE'
		});
		expect(session.status).toBe('new');
		expect(await storage.load()).toBeUndefined();
	});

	it('refuses stored keys that belong to another id than the record says', async () => {
		const { storage } = await created();
		const other = await exportIdentity(createIdentity(), PASS, { kdf: FAST_KDF });
		const record = (await storage.load()) as StoredIdentity;
		await storage.save({ ...record, backup: other });
		const { session } = setup(storage);
		await session.load();
		await expect(session.unlock(PASS)).rejects.toMatchObject({ code: 'ERR_IDENTITY_MISMATCH' });
		expect(session.status).toBe('locked');
	});

	it('reports KDF progress while busy and refuses a second operation meanwhile', async () => {
		const seen: number[] = [];
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const inner = inlineKeyCrypto({ kdf: FAST_KDF });
		const crypto: KeyCrypto = {
			seal: async (identity: Identity, passphrase: string, o) => {
				await gate;
				return inner.seal(identity, passphrase, { ...o, onProgress: (f) => (seen.push(f), o?.onProgress?.(f)) });
			},
			open: inner.open
		};
		const { session } = setup(memoryKeyStorage(), crypto);
		await session.load();
		const first = session.create('Alice', PASS);
		expect(session.busy).toBe(true);
		expect(session.progress).toBe(0);
		await expect(session.create('Alice', PASS)).rejects.toThrow(/another key operation/);
		release();
		await first;
		expect(session.busy).toBe(false);
		expect(session.progress).toBeUndefined();
		expect(seen.length).toBeGreaterThan(0);
	});

	it('an aborted create stores nothing', async () => {
		const { session, storage } = setup();
		await session.load();
		const controller = new AbortController();
		controller.abort();
		await expect(session.create('Alice', PASS, controller.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
		expect(session.status).toBe('new');
		expect(await storage.load()).toBeUndefined();
	});

	it('renames, exports the stored backup as a file, and forgets', async () => {
		const { session, storage, identity } = await created();
		await session.rename('Alice B.');
		expect(session.profile?.displayName).toBe('Alice B.');
		expect((await storage.load())?.displayName).toBe('Alice B.');

		const file = session.backupFile();
		expect(file.name).toMatch(/^miaou-backup-[a-z2-7-]+\.json$/);
		expect(file.text.trim()).toBe((await storage.load())?.backup);
		expect(JSON.parse(file.text).id).toBe(identity.id);

		await session.forget();
		expect(session.status).toBe('new');
		expect(session.identity).toBeUndefined();
		expect(await storage.load()).toBeUndefined();
		expect(() => session.backupFile()).toThrow(RangeError);
	});

	it('load never re-locks an unlocked session, and loads at once share one read', async () => {
		const { session, storage, identity } = await created();
		await session.load();
		expect(session.status).toBe('unlocked');
		expect(session.identity?.id).toBe(identity.id);

		let reads = 0;
		const counting: KeyStorage = { ...storage, load: () => (reads++, storage.load()) };
		const other = setup(counting).session;
		await Promise.all([other.load(), other.load(), other.load()]);
		expect(reads).toBe(1);
		expect(other.status).toBe('locked');
		await other.unlock(PASS);
		await other.load(); // e.g. the layout mounted again after the unlock
		expect(other.status).toBe('unlocked');
		expect(reads).toBe(1);
		other.lock();
		await other.load(); // locked: reading again is allowed and harmless
		expect(other.status).toBe('locked');
		expect(reads).toBe(2);
	});

	it('is unavailable when storage cannot be read, and a later load retries', async () => {
		let fail = true;
		const inner = memoryKeyStorage();
		const storage: KeyStorage = {
			load: async () => {
				if (fail) throw new DOMException('blocked', 'SecurityError');
				return inner.load();
			},
			save: inner.save,
			clear: inner.clear
		};
		const { session } = setup(storage);
		await session.load();
		expect(session.status).toBe('unavailable');
		expect(session.loadError).toBeInstanceOf(DOMException);
		fail = false;
		await session.load();
		expect(session.status).toBe('new');
	});
});
