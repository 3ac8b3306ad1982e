import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAccessError, NoSuchFileError, TooLargeError, UsageError } from '../lib/core/errors.ts';
import {
	DEFAULT_HOME_DIRNAME,
	ensureHome,
	exists,
	fileError,
	HOME_DIR_MODE,
	readFileLimited,
	resolveHome,
	SECRET_FILE_MODE,
	writeFileAtomic
} from './home.ts';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-home-test-'));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('resolveHome', () => {
	it('prefers --home, then MIAOU_HOME, then ~/.miaou', () => {
		expect(resolveHome('/a/b', { MIAOU_HOME: '/c' }, '/u')).toBe('/a/b');
		expect(resolveHome(undefined, { MIAOU_HOME: '/c' }, '/u')).toBe('/c');
		expect(resolveHome(undefined, {}, '/u')).toBe(join('/u', DEFAULT_HOME_DIRNAME));
		expect(resolveHome(undefined, { MIAOU_HOME: '' }, '/u')).toBe(join('/u', DEFAULT_HOME_DIRNAME));
	});

	it('makes relative paths absolute and refuses an empty --home', () => {
		expect(resolveHome('rel', {}, '/u')).toBe(join(process.cwd(), 'rel'));
		expect(() => resolveHome('', {}, '/u')).toThrow(UsageError);
	});
});

describe('ensureHome', () => {
	it('creates missing parents with mode 0700', async () => {
		const home = join(dir, 'a', 'b');
		await ensureHome(home);
		expect((await stat(home)).mode & 0o777).toBe(HOME_DIR_MODE);
		await ensureHome(home); // idempotent
	});

	it('refuses a path that is a file', async () => {
		const file = join(dir, 'file');
		await writeFile(file, 'x');
		await expect(ensureHome(file)).rejects.toBeInstanceOf(FileAccessError);
	});
});

describe('writeFileAtomic', () => {
	it('writes the content with the exact mode and leaves no temporary file', async () => {
		const path = join(dir, 'secret.json');
		await writeFileAtomic(path, 'first', SECRET_FILE_MODE);
		await writeFileAtomic(path, new Uint8Array([104, 105]), SECRET_FILE_MODE);
		expect(await readFile(path, 'utf8')).toBe('hi');
		expect((await stat(path)).mode & 0o777).toBe(SECRET_FILE_MODE);
		expect(await readdir(dir)).toEqual(['secret.json']);
	});

	it('replaces a symbolic link rather than writing through it', async () => {
		const target = join(dir, 'target');
		await writeFile(target, 'untouched');
		const link = join(dir, 'link');
		await symlink(target, link);
		await writeFileAtomic(link, 'new', SECRET_FILE_MODE);
		expect(await readFile(target, 'utf8')).toBe('untouched');
		expect(await readFile(link, 'utf8')).toBe('new');
	});

	it('names the missing directory, not the temporary file, on failure', async () => {
		const path = join(dir, 'nope', 'x');
		await expect(writeFileAtomic(path, 'x', SECRET_FILE_MODE)).rejects.toThrow(
			new NoSuchFileError(join(dir, 'nope')).message
		);
	});

	it('keeps the old content when the write fails', async () => {
		const path = join(dir, 'keep');
		await writeFileAtomic(path, 'old', SECRET_FILE_MODE);
		// A directory cannot be renamed over a file: the write fails after the temporary file exists.
		const bad = join(dir, 'adir');
		await ensureHome(bad);
		await expect(writeFileAtomic(bad, 'x', SECRET_FILE_MODE)).rejects.toBeInstanceOf(FileAccessError);
		expect(await readFile(path, 'utf8')).toBe('old');
		expect((await readdir(dir)).sort()).toEqual(['adir', 'keep']);
	});
});

describe('readFileLimited', () => {
	it('reads a file within the limit', async () => {
		const path = join(dir, 'f');
		await writeFile(path, 'abcd');
		expect(new TextDecoder().decode(await readFileLimited(path, 4, 'F'))).toBe('abcd');
	});

	it('refuses a larger file before reading it', async () => {
		const path = join(dir, 'f');
		await writeFile(path, 'abcde');
		await expect(readFileLimited(path, 4, 'The file')).rejects.toBeInstanceOf(TooLargeError);
	});

	it('reports a missing file and a directory in one sentence each', async () => {
		await expect(readFileLimited(join(dir, 'missing'), 10, 'F')).rejects.toThrow(
			`No such file: ${join(dir, 'missing')}.`
		);
		await expect(readFileLimited(dir, 10, 'F')).rejects.toBeInstanceOf(FileAccessError);
	});
});

describe('exists and fileError', () => {
	it('counts a dangling link as existing', async () => {
		const link = join(dir, 'dangling');
		await symlink(join(dir, 'nowhere'), link);
		expect(await exists(link)).toBe(true);
		expect(await exists(join(dir, 'nowhere'))).toBe(false);
	});

	it('maps errno codes and passes other errors through', () => {
		const e = Object.assign(new Error('x'), { code: 'EACCES' });
		expect(fileError(e, '/p')).toEqual(new FileAccessError('/p', 'permission denied'));
		const other = new Error('plain');
		expect(fileError(other, '/p')).toBe(other);
	});
});
