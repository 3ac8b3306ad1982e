import { describe, expect, it } from 'vitest';
import { createIdentity } from '../core/identity.ts';
import {
	indexedDbKeyStorage,
	MAX_BACKUP_TEXT_LENGTH,
	MAX_DISPLAY_NAME_LENGTH,
	memoryKeyStorage,
	parseStoredIdentity,
	type StoredIdentity
} from './key-storage.ts';

function record(overrides: Partial<Record<keyof StoredIdentity, unknown>> = {}): unknown {
	return {
		version: 1,
		id: createIdentity().id,
		displayName: 'Alice',
		backup: '{"type":"miaou-identity-backup"}',
		createdAt: 1,
		savedAt: 2,
		...overrides
	};
}

describe('parseStoredIdentity', () => {
	it('accepts a well-formed record and drops unknown fields', () => {
		const r = record({ extra: 'secret?' } as never);
		const parsed = parseStoredIdentity(r);
		expect(parsed).toEqual({ ...(r as object), extra: undefined } as never);
		expect('extra' in parsed).toBe(false);
	});

	it('refuses anything else with a named error', () => {
		const bad: [unknown, string][] = [
			[null, 'ERR_MALFORMED'],
			['text', 'ERR_MALFORMED'],
			[record({ version: 2 }), 'ERR_MALFORMED'],
			[record({ id: 'did:key:zNope' }), 'ERR_MALFORMED'],
			[record({ backup: 42 }), 'ERR_MALFORMED'],
			[record({ backup: 'x'.repeat(MAX_BACKUP_TEXT_LENGTH + 1) }), 'ERR_TOO_LARGE'],
			[record({ displayName: 'x'.repeat(MAX_DISPLAY_NAME_LENGTH + 1) }), 'ERR_MALFORMED'],
			[record({ createdAt: -1 }), 'ERR_MALFORMED'],
			[record({ savedAt: 1.5 }), 'ERR_MALFORMED']
		];
		for (const [value, code] of bad)
			expect(() => parseStoredIdentity(value)).toThrow(expect.objectContaining({ code }));
	});
});

describe('memoryKeyStorage', () => {
	it('stores a copy, loads it back checked, and clears', async () => {
		const storage = memoryKeyStorage();
		expect(await storage.load()).toBeUndefined();
		const r = parseStoredIdentity(record());
		await storage.save(r);
		r.displayName = 'changed after saving';
		expect((await storage.load())?.displayName).toBe('Alice');
		await expect(storage.save(record({ id: 'nope' }) as StoredIdentity)).rejects.toMatchObject({
			code: 'ERR_MALFORMED'
		});
		await storage.clear();
		expect(await storage.load()).toBeUndefined();
	});
});

describe('indexedDbKeyStorage', () => {
	it('fails with a storage error, not a crash, where IndexedDB does not exist', async () => {
		// Node has no IndexedDB; the real adapter is exercised in Chromium by tests/e2e/onboarding.e2e.ts.
		const storage = indexedDbKeyStorage({ name: 'test' });
		await expect(storage.load()).rejects.toMatchObject({ code: 'ERR_BROWSER_STORAGE' });
	});
});
