import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, FileAccessError, TooLargeError } from '../core/errors.ts';
import { memorySlot } from './slot.ts';
import { fileSlot, readFileCapped } from './slot-file.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
	const d = mkdtempSync(join(tmpdir(), 'miaou-slot-'));
	dirs.push(d);
	return d;
};

describe('byte slots', () => {
	it('memory: empty, then the last value, copied', async () => {
		const slot = memorySlot();
		expect(await slot.read()).toBeUndefined();
		const value = new Uint8Array([1, 2]);
		await slot.write(value);
		value[0] = 9;
		expect(await slot.read()).toEqual(new Uint8Array([1, 2]));
	});

	it('file: creates its folder, writes atomically in order, leaves no temporary file', async () => {
		const dir = join(tempDir(), 'nested', 'deeper');
		const path = join(dir, 'slot.bin');
		const slot = fileSlot(path);
		expect(await slot.read()).toBeUndefined();
		await Promise.all(Array.from({ length: 20 }, (_, i) => slot.write(new Uint8Array([i]))));
		expect(await slot.read()).toEqual(new Uint8Array([19]));
		expect(readdirSync(dir)).toEqual(['slot.bin']);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(statSync(dir).mode & 0o777).toBe(0o700);
		expect(await fileSlot(path).read()).toEqual(new Uint8Array([19]));
	});

	it('file: bounds reads and writes, honours an aborted signal, reports unusable paths', async () => {
		const dir = tempDir();
		const path = join(dir, 'big.bin');
		writeFileSync(path, Buffer.alloc(11));
		await expect(fileSlot(path, { maxBytes: 10 }).read()).rejects.toBeInstanceOf(TooLargeError);
		await expect(fileSlot(path, { maxBytes: 10 }).write(new Uint8Array(11))).rejects.toBeInstanceOf(TooLargeError);
		const aborted = AbortSignal.abort();
		await expect(fileSlot(path).read({ signal: aborted })).rejects.toBeInstanceOf(AbortError);
		await expect(fileSlot(path).write(new Uint8Array(1), { signal: aborted })).rejects.toBeInstanceOf(AbortError);
		await expect(fileSlot(join(path, 'under-a-file')).write(new Uint8Array(1))).rejects.toBeInstanceOf(FileAccessError);
		await expect(readFileCapped(dir, 10)).rejects.toBeInstanceOf(FileAccessError);
	});
});
