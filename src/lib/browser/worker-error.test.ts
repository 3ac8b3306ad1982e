import { describe, expect, it } from 'vitest';
import { MiaouError, TooLargeError } from '../core/errors.ts';
import { fromWorkerError, toWorkerError } from './worker-error.ts';

describe('errors across a worker boundary', () => {
	it('a MiaouError comes back with its code and message, through structured clone', () => {
		const posted = structuredClone(toWorkerError(new TooLargeError('The file', 10, 5)));
		const back = fromWorkerError(posted);
		expect(back).toBeInstanceOf(MiaouError);
		expect(back).toMatchObject({ code: 'ERR_TOO_LARGE', message: new TooLargeError('The file', 10, 5).message });
	});

	it('other errors keep their type and a bounded message; non-errors become Error', () => {
		expect(fromWorkerError(toWorkerError(new RangeError('out')))).toBeInstanceOf(RangeError);
		expect(fromWorkerError(toWorkerError(new TypeError('bad')))).toBeInstanceOf(TypeError);
		expect(toWorkerError(new Error('x'.repeat(50)), 10).message).toBe('x'.repeat(10));
		expect(toWorkerError('plain')).toEqual({ code: undefined, message: 'plain', name: 'Error' });
	});
});
