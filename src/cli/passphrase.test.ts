import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortError, BadPassphraseError, NoPassphraseError } from '../lib/core/errors.ts';
import {
	checkPassphrase,
	editLine,
	getPassphrase,
	MAX_PASSPHRASE_LENGTH,
	PASSPHRASE_ENV,
	readHidden,
	type PromptInput
} from './passphrase.ts';

/**
 * A terminal input in the shape Node's tty.ReadStream has (isTTY, isRaw, setRawMode, data events),
 * fed by the test: what the user "types" arrives as data chunks, as in raw mode.
 */
class FakeTty extends EventEmitter implements PromptInput {
	isTTY = true;
	isRaw = false;
	rawModes: boolean[] = [];
	paused = true;
	setRawMode(mode: boolean): this {
		this.isRaw = mode;
		this.rawModes.push(mode);
		return this;
	}
	resume(): this {
		this.paused = false;
		return this;
	}
	pause(): this {
		this.paused = true;
		return this;
	}
	type(...chunks: string[]): void {
		for (const c of chunks) this.emit('data', Buffer.from(c, 'utf8'));
	}
}

/** Let pending promise callbacks run (the second prompt starts after the first resolves). */
function tick(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

function sink(): { text: string; write(s: string): void } {
	return {
		text: '',
		write(s: string) {
			this.text += s;
		}
	};
}

describe('editLine', () => {
	it('appends printable characters and finishes on Enter', () => {
		expect(editLine('', 'abc')).toEqual({ value: 'abc', status: 'more' });
		expect(editLine('abc', 'd\r')).toEqual({ value: 'abcd', status: 'done' });
		expect(editLine('', 'x\ny')).toEqual({ value: 'x', status: 'done' });
	});

	it('cancels on Ctrl-C and Ctrl-D', () => {
		expect(editLine('abc', '\u0003').status).toBe('cancel');
		expect(editLine('', '\u0004').status).toBe('cancel');
	});

	it('deletes whole code points and clears on Ctrl-U', () => {
		expect(editLine('ab😺', '\u007f').value).toBe('ab');
		expect(editLine('ab', '\b\b\b').value).toBe('');
		expect(editLine('secret', '\u0015x').value).toBe('x');
	});

	it('ignores escape sequences and control characters', () => {
		expect(editLine('a', '\u001b[D\u001b[1;5Cb').value).toBe('ab');
		expect(editLine('', '\u001b[200~pasted\u001b[201~').value).toBe('pasted');
		expect(editLine('', '\u001bOAz').value).toBe('z');
		expect(editLine('', '\t\u0001\u0085é').value).toBe('é');
	});
});

describe('checkPassphrase', () => {
	it('refuses empty and over-long passphrases', () => {
		expect(() => checkPassphrase('')).toThrow(BadPassphraseError);
		expect(() => checkPassphrase('x'.repeat(MAX_PASSPHRASE_LENGTH + 1))).toThrow(/longer than/);
		expect(checkPassphrase('x'.repeat(MAX_PASSPHRASE_LENGTH))).toHaveLength(MAX_PASSPHRASE_LENGTH);
	});
});

describe('readHidden', () => {
	it('echoes nothing but the prompt, and restores the terminal mode', async () => {
		const tty = new FakeTty();
		const out = sink();
		const answer = readHidden('Passphrase: ', tty, out);
		tty.type('cor', 'rect hor', 'se\u007fe\r');
		await expect(answer).resolves.toBe('correct horse');
		expect(out.text).toBe('Passphrase: \n');
		expect(tty.rawModes).toEqual([true, false]);
		expect(tty.paused).toBe(true);
		expect(tty.listenerCount('data')).toBe(0);
	});

	it('decodes a multi-byte character split across chunks', async () => {
		const tty = new FakeTty();
		const answer = readHidden('? ', tty, sink());
		const bytes = Buffer.from('é\r', 'utf8');
		tty.emit('data', bytes.subarray(0, 1));
		tty.emit('data', bytes.subarray(1));
		await expect(answer).resolves.toBe('é');
	});

	it('rejects with AbortError on Ctrl-C and at end of input, restoring the mode', async () => {
		const tty = new FakeTty();
		const answer = readHidden('? ', tty, sink());
		tty.type('abc\u0003');
		await expect(answer).rejects.toBeInstanceOf(AbortError);
		expect(tty.isRaw).toBe(false);

		const tty2 = new FakeTty();
		const answer2 = readHidden('? ', tty2, sink());
		tty2.emit('end');
		await expect(answer2).rejects.toBeInstanceOf(AbortError);
	});
});

describe('getPassphrase', () => {
	const noTty = Object.assign(new EventEmitter(), { resume() {}, pause() {} }) as unknown as PromptInput;

	it('takes MIAOU_PASSPHRASE when set', async () => {
		await expect(
			getPassphrase({ stdin: noTty, stderr: sink(), env: { [PASSPHRASE_ENV]: 'pw' } }, { prompt: '? ', confirm: true })
		).resolves.toBe('pw');
	});

	it('refuses an empty MIAOU_PASSPHRASE rather than falling back to a prompt', async () => {
		await expect(
			getPassphrase({ stdin: new FakeTty(), stderr: sink(), env: { [PASSPHRASE_ENV]: '' } }, { prompt: '? ' })
		).rejects.toThrow(/MIAOU_PASSPHRASE is set but empty/);
	});

	it('fails clearly with neither a terminal nor the variable', async () => {
		await expect(getPassphrase({ stdin: noTty, stderr: sink(), env: {} }, { prompt: '? ' })).rejects.toBeInstanceOf(
			NoPassphraseError
		);
	});

	it('asks twice for a new passphrase and refuses two different entries', async () => {
		const tty = new FakeTty();
		const err = sink();
		const same = getPassphrase({ stdin: tty, stderr: err, env: {} }, { prompt: 'New: ', confirm: true });
		tty.type('pw\r');
		await tick();
		tty.type('pw\r');
		await expect(same).resolves.toBe('pw');
		expect(err.text).toBe('New: \nRepeat the passphrase: \n');

		const tty2 = new FakeTty();
		const differ = getPassphrase({ stdin: tty2, stderr: sink(), env: {} }, { prompt: 'New: ', confirm: true });
		tty2.type('pw\r');
		await tick();
		tty2.type('pW\r');
		await expect(differ).rejects.toThrow(/the two entries differ/);
	});

	it('refuses an empty answer at the prompt', async () => {
		const tty = new FakeTty();
		const answer = getPassphrase({ stdin: tty, stderr: sink(), env: {} }, { prompt: '? ' });
		tty.type('\r');
		await expect(answer).rejects.toThrow(/it is empty/);
	});
});
