import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-file.ts';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-atomic-'));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
	it('replaces the content whole, with the requested mode, and leaves no temporary file', async () => {
		const path = join(dir, 'f.json');
		await writeFile(path, 'old');
		await writeFileAtomic(path, 'new content', { mode: 0o600 });
		expect(await readFile(path, 'utf8')).toBe('new content');
		expect((await stat(path)).mode & 0o777).toBe(0o600);
		expect(await readdir(dir)).toEqual(['f.json']);
	});

	it('creates the directory only when asked', async () => {
		const path = join(dir, 'sub', 'deeper', 'f.bin');
		await expect(writeFileAtomic(path, new Uint8Array([1]))).rejects.toMatchObject({ code: 'ENOENT' });
		await writeFileAtomic(path, new Uint8Array([1, 2, 3]), { dirMode: 0o700 });
		expect(new Uint8Array(await readFile(path))).toEqual(new Uint8Array([1, 2, 3]));
		expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
	});

	it('keeps the old content and removes its temporary file when the rename fails', async () => {
		const path = join(dir, 'target');
		await writeFileAtomic(join(path, 'inner'), 'x', { dirMode: 0o700 }); // `target` is now a non-empty directory
		await expect(writeFileAtomic(path, 'y')).rejects.toMatchObject({
			code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/)
		});
		expect(await readdir(dir)).toEqual(['target']);
		expect(await readFile(join(path, 'inner'), 'utf8')).toBe('x');
	});
});
