import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HomeBusyError } from '../lib/core/errors.ts';
import { LOCK_FILE_NAME, lockHome } from './lock.ts';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-cli-lock-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('lockHome', () => {
	it('holds the lock with its process id, refuses a second holder, and releases', async () => {
		const path = join(dir, LOCK_FILE_NAME);
		const lock = await lockHome(dir);
		expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
		expect((await stat(path)).mode & 0o777).toBe(0o600);
		// A live process (our parent) holding it: refused, naming it.
		await writeFile(path, `${process.ppid}\n`);
		await expect(lockHome(dir)).rejects.toThrow(new HomeBusyError(dir, process.ppid));
		await expect(lockHome(dir)).rejects.toMatchObject({ code: 'ERR_HOME_BUSY' });
		await lock.release();
		await lock.release(); // idempotent
		await expect(stat(path)).rejects.toThrow();
	});

	it('takes over a lock whose process is gone, or that is unreadable', async () => {
		const path = join(dir, LOCK_FILE_NAME);
		// Process ids are below 2^22 on Linux: this one cannot exist.
		await writeFile(path, '4194305\n');
		const lock = await lockHome(dir);
		expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
		await lock.release();
		await writeFile(path, 'garbage');
		const again = await lockHome(dir);
		await again.release();
	});

	it('says why when the directory cannot hold a lock', async () => {
		await expect(lockHome(join(dir, 'missing', 'deeper'))).rejects.toMatchObject({ code: 'ERR_NO_SUCH_FILE' });
	});
});
