import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
	BadPassphraseError,
	BadSignatureError,
	IdentityExistsError,
	InvalidIdError,
	MalformedError,
	NoIdentityError,
	NoPassphraseError,
	NoSuchFileError,
	UsageError,
	WrongPassphraseError,
	AbortError
} from '../lib/core/errors.ts';
import {
	describeError,
	EXIT_INTERNAL,
	EXIT_INTERRUPTED,
	EXIT_REFUSED,
	EXIT_USAGE,
	formatFields,
	oneSentence,
	printError,
	printResult,
	terminalSafe
} from './output.ts';

function sink(): { text: string; write(s: string): void } {
	return {
		text: '',
		write(s: string) {
			this.text += s;
		}
	};
}

function errno(code: string, path?: string): NodeJS.ErrnoException {
	const err: NodeJS.ErrnoException = new Error(`${code}: something, open '${path}'`);
	err.code = code;
	if (path !== undefined) err.path = path;
	return err;
}

describe('oneSentence', () => {
	it('joins lines, capitalises and ends with a full stop', () => {
		expect(oneSentence("unknown command 'idd'\n(Did you mean id?)")).toBe("Unknown command 'idd' (Did you mean id?).");
		expect(oneSentence('Already a sentence.')).toBe('Already a sentence.');
		expect(oneSentence('  ')).toBe('Unknown error.');
	});
});

describe('describeError', () => {
	it('maps "the check said no" errors to exit 1', () => {
		for (const err of [
			new BadSignatureError('x'),
			new WrongPassphraseError(),
			new IdentityExistsError('did:key:z6Mk', '/h'),
			new MalformedError('The signature')
		]) {
			const r = describeError(err);
			expect(r.exitCode, err.code).toBe(EXIT_REFUSED);
			expect(r.code).toBe(err.code);
			expect(r.message).toBe(err.message);
		}
	});

	it('maps "could not run as asked" errors to exit 2', () => {
		for (const err of [
			new UsageError('Bad.'),
			new InvalidIdError('nope'),
			new NoIdentityError('/h'),
			new NoPassphraseError(),
			new BadPassphraseError('it is empty'),
			new NoSuchFileError('a.txt')
		]) {
			expect(describeError(err).exitCode, err.code).toBe(EXIT_USAGE);
		}
	});

	it('maps a cancelled prompt to 130', () => {
		expect(describeError(new AbortError('The passphrase prompt')).exitCode).toBe(EXIT_INTERRUPTED);
	});

	it('turns Node file errors into one sentence naming the path', () => {
		expect(describeError(errno('ENOENT', 'missing.txt'))).toEqual({
			code: 'ERR_NO_SUCH_FILE',
			message: 'No such file: missing.txt.',
			exitCode: EXIT_USAGE
		});
		expect(describeError(errno('EACCES', '/root/x'))).toEqual({
			code: 'ERR_FILE_ACCESS',
			message: 'Cannot use /root/x: permission denied.',
			exitCode: EXIT_USAGE
		});
		expect(describeError(errno('EWEIRD')).message).toBe('Cannot use a file: system error EWEIRD.');
	});

	it('turns commander errors into a usage sentence', () => {
		const err = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--nope'");
		expect(describeError(err)).toEqual({
			code: 'ERR_USAGE',
			message: "Unknown option '--nope'.",
			exitCode: EXIT_USAGE
		});
	});

	it('reports anything else as an internal error, on one line', () => {
		const r = describeError(new TypeError('x is not\na function'));
		expect(r.exitCode).toBe(EXIT_INTERNAL);
		expect(r.code).toBe('ERR_INTERNAL');
		expect(r.message).not.toContain('\n');
		expect(r.message).toContain('x is not a function');
		expect(describeError('a string').exitCode).toBe(EXIT_INTERNAL);
	});
});

describe('printing', () => {
	it('prints an error as one line, or one JSON object', () => {
		const report = describeError(new NoSuchFileError('a.txt'));
		const plain = sink();
		printError(report, false, plain);
		expect(plain.text).toBe('miaou: No such file: a.txt.\n');
		const json = sink();
		printError(report, true, json);
		expect(JSON.parse(json.text)).toEqual({ error: { code: 'ERR_NO_SUCH_FILE', message: 'No such file: a.txt.' } });
		expect(json.text.trimEnd()).not.toContain('\n');
	});

	it('prints a result in the requested form', () => {
		const result = { json: { id: 'x', n: 1 }, human: 'id: x' };
		const plain = sink();
		printResult(result, false, plain);
		expect(plain.text).toBe('id: x\n');
		const json = sink();
		printResult(result, true, json);
		expect(JSON.parse(json.text)).toEqual({ id: 'x', n: 1 });
		const empty = sink();
		printResult({ json: {}, human: '' }, false, empty);
		expect(empty.text).toBe('');
	});

	it('aligns fields and leaves out missing ones', () => {
		expect(
			formatFields([
				['id', 'a'],
				['name', undefined],
				['fingerprint', 'b']
			])
		).toBe('id:          a\nfingerprint: b\n');
	});
});

describe('terminalSafe', () => {
	it('keeps ordinary text, line feeds and tabs', () => {
		expect(terminalSafe('Zoë 🐱 <img src=x onerror=alert(1)>\n\tindented')).toBe(
			'Zoë 🐱 <img src=x onerror=alert(1)>\n\tindented'
		);
	});

	it('neutralizes escape sequences, other controls, separators and bidi overrides', () => {
		expect(terminalSafe('\u001b]0;pwned\u0007\u001b[2Jhi\r')).toBe('\uFFFD]0;pwned\uFFFD\uFFFD[2Jhi\uFFFD');
		expect(terminalSafe('a\u2028b\u202Ecba\u2066c\u0085')).toBe('a\uFFFDb\uFFFDcba\uFFFDc\uFFFD');
	});

	it('folds lines when asked', () => {
		expect(terminalSafe('one\ntwo\r\nthree', true)).toBe('one ⏎ two ⏎ three');
	});
});
