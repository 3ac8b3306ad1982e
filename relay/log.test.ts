import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel } from './log.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
	const lines: string[] = [];
	const log = createLogger({
		level,
		write: (l) => lines.push(l),
		now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
		fields: { component: 'relay' }
	});
	return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
	it('writes one JSON object a line with time, level, message, base and call fields', () => {
		const { log, lines, parsed } = capture();
		log.info('ready', { port: 8765 });
		expect(lines).toHaveLength(1);
		expect(lines[0]).not.toContain('\n');
		expect(parsed()[0]).toEqual({
			time: '2025-01-02T03:04:05.000Z',
			level: 'info',
			msg: 'ready',
			component: 'relay',
			port: 8765
		});
	});

	it('drops lines below its level', () => {
		const { log, parsed } = capture('warn');
		log.debug('a');
		log.info('b');
		log.warn('c');
		log.error('d');
		expect(parsed().map((l) => l.msg)).toEqual(['c', 'd']);
	});

	it('child loggers add their fields to every line', () => {
		const { log, parsed } = capture();
		log.child({ part: 'gun' }).child({ peer: 'x' }).warn('hi');
		expect(parsed()[0]).toMatchObject({ component: 'relay', part: 'gun', peer: 'x', msg: 'hi' });
	});

	it('flattens errors (with their code) and bigints, and survives circular fields', () => {
		const { log, parsed } = capture();
		const err = Object.assign(new Error('boom'), { code: 'ERR_X' });
		log.error('failed', { err, n: 10n });
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		log.error('circular', { circular });
		const [first, second] = parsed();
		expect(first).toMatchObject({ err: { name: 'Error', message: 'boom', code: 'ERR_X' }, n: '10' });
		expect(second).toMatchObject({ msg: 'circular', fieldsError: true });
	});
});

describe('isLogLevel', () => {
	it('accepts the four levels only', () => {
		for (const l of ['debug', 'info', 'warn', 'error']) expect(isLogLevel(l)).toBe(true);
		for (const l of ['trace', '', 'INFO', 1, undefined]) expect(isLogLevel(l)).toBe(false);
	});
});
