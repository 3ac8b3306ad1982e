import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createOutbox, type OutboxItem } from './outbox.ts';
import { MAX_OUTBOX_FILE_BYTES, fileOutboxStorage } from './outbox-file.ts';

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
	const dir = mkdtempSync(join(tmpdir(), 'miaou-outbox-'));
	dirs.push(dir);
	return join(dir, 'nested', 'outbox.json');
}

function item(id: string, text = id): OutboxItem {
	return { id, payload: { text }, state: 'pending', createdAt: 1, expiresAt: 2, attempts: 0, nextAttemptAt: 1 };
}

describe('fileOutboxStorage', () => {
	it('keeps items across instances, with owner-only permissions and no temporary files left', async () => {
		const path = tempFile();
		const a = fileOutboxStorage(path);
		expect(await a.load()).toEqual([]);
		await Promise.all([a.save(item('1')), a.save(item('2')), a.save(item('3'))]);
		await a.remove('2');
		await a.save({ ...item('1', 'changed'), attempts: 3 });
		const b = fileOutboxStorage(path);
		expect((await b.load()).map((i) => [i.id, (i.payload as { text: string }).text, i.attempts])).toEqual([
			['1', 'changed', 3],
			['3', '3', 0]
		]);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(readdirSync(join(path, '..'))).toEqual(['outbox.json']);
	});

	it('refuses a file that is not an outbox, from another version, or too big', async () => {
		const path = tempFile();
		await fileOutboxStorage(path).save(item('1'));
		writeFileSync(path, '{"version":1,"items":');
		await expect(fileOutboxStorage(path).load()).rejects.toBeInstanceOf(MalformedError);
		writeFileSync(path, '{"version":2,"items":[]}');
		await expect(fileOutboxStorage(path).load()).rejects.toBeInstanceOf(UnsupportedVersionError);
		writeFileSync(path, Buffer.alloc(MAX_OUTBOX_FILE_BYTES + 1, 32));
		await expect(fileOutboxStorage(path).load()).rejects.toBeInstanceOf(TooLargeError);
	});

	it('backs an outbox that picks up where it stopped', async () => {
		const path = tempFile();
		const never = () => new Promise<void>(() => {});
		const first = createOutbox<{ text: string }>({ storage: fileOutboxStorage(path), send: never });
		await first.start();
		await first.add({ text: 'hello' }, { id: 'm1' });
		const saved = JSON.parse(readFileSync(path, 'utf8')) as { items: OutboxItem[] };
		expect(saved.items.map((i) => i.id)).toEqual(['m1']);
		await first.close();
		const sent: string[] = [];
		const second = createOutbox<{ text: string }>({
			storage: fileOutboxStorage(path),
			send: async (i) => {
				sent.push(i.payload.text);
			}
		});
		await second.start();
		for (let i = 0; i < 50 && second.list().length; i++) await new Promise((r) => setTimeout(r, 10));
		expect(sent).toEqual(['hello']);
		expect((JSON.parse(readFileSync(path, 'utf8')) as { items: OutboxItem[] }).items).toEqual([]);
	});
});
