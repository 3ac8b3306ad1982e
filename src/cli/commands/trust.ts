/**
 * `miaou trust set | get | score`: the web of trust from the command line (issue #4, CLI
 * counterparts; docs/records.md §Trust scoring; docs/cli.md "Trust").
 *
 * A statement is a signed `trust` record (soul `miaou/v1/trust/<me>`, key the target's id)
 * published to the relays; reading and scoring need no passphrase, since statements are public.
 */
import { MAX_EVIDENCE_LENGTH, signRecord, soulFor, type VerifiedRecord } from '../../lib/core/records.ts';
import { UsageError } from '../../lib/core/errors.ts';
import { shortFingerprint, signingKeyFromId, type MiaouId } from '../../lib/core/identity.ts';
import {
	computeTrust,
	levelName,
	TrustLevel,
	type TrustLevelName,
	type TrustPath,
	type TrustScore
} from '../../lib/core/trust.ts';
import { nodeEd25519 } from '../../lib/node/ed25519-node.ts';
import type { CliIO, Globals } from '../context.ts';
import { loadIdentityFile } from '../identity-file.ts';
import { connectRecords, requireRelays, type RelayOptions } from '../network.ts';
import { formatFields, type CommandResult, type JsonValue } from '../output.ts';
import { collectTrustStatements } from '../trust-graph.ts';
import { openLocalState } from '../messaging-home.ts';

/** The level names a user may type, lower-cased with spaces, '-' and '_' removed. */
const NAMES: ReadonlyMap<string, TrustLevelName> = new Map(
	(Object.keys(TrustLevel) as TrustLevelName[]).map((name) => [name.toLowerCase(), name])
);

/**
 * Read a trust level typed on the command line: an integer from −100 to 100, or a level name in
 * any case, with or without spaces, dashes or underscores ("friend", "highly-trusted").
 * @param text - the argument
 * @returns the level
 * @throws {UsageError} when it is neither
 */
export function parseTrustLevel(text: string): number {
	const trimmed = text.trim();
	if (/^[+-]?\d{1,4}$/.test(trimmed)) {
		const level = Number(trimmed);
		if (level >= -100 && level <= 100) return level === 0 ? 0 : level;
	} else {
		const name = NAMES.get(trimmed.toLowerCase().replace(/[\s_-]+/g, ''));
		if (name !== undefined) return TrustLevel[name];
	}
	const names = Object.entries(TrustLevel)
		.map(([n, v]) => `${n} (${v})`)
		.join(', ');
	throw new UsageError(`"${text}" is not a trust level: give an integer from -100 to 100 or a name: ${names}.`);
}

/**
 * Check an id argument.
 * @throws {InvalidIdError} naming what is wrong (exit 2)
 */
function checkId(id: string): MiaouId {
	signingKeyFromId(id);
	return id as MiaouId;
}

/**
 * Check `--evidence`.
 * @throws {UsageError} when empty or too long
 */
function checkEvidence(text: string | undefined): string | undefined {
	if (text === undefined) return undefined;
	if (text.trim() === '') throw new UsageError('The --evidence text is empty.');
	if ([...text].length > MAX_EVIDENCE_LENGTH)
		throw new UsageError(`The --evidence text is longer than ${MAX_EVIDENCE_LENGTH} characters.`);
	return text;
}

/** `trust set` options. */
export interface TrustSetOptions extends RelayOptions {
	evidence?: string;
}

/**
 * `miaou trust set <id> <level|name>`: sign a trust statement and publish it.
 * @param io - process surroundings (passphrase; MIAOU_RELAYS)
 * @param g - global options
 * @param target - the id the statement is about
 * @param levelText - the level or its name
 * @param opts - `--evidence`, `--relay`
 * @returns the statement as published
 * @throws {UsageError | InvalidIdError} on bad arguments or no relay (exit 2)
 * @throws {RelayRefusedError | RelayTimeoutError | NoRelayError} when no relay stored it (exit 1)
 */
export async function trustSet(
	io: CliIO,
	g: Globals,
	target: string,
	levelText: string,
	opts: TrustSetOptions
): Promise<CommandResult> {
	const id = checkId(target);
	const level = parseTrustLevel(levelText);
	const evidence = checkEvidence(opts.evidence);
	const relays = requireRelays(opts.relay, io.env);
	const me = await loadIdentityFile(g.home);
	if (me.id === id) throw new UsageError('A trust statement cannot be about yourself.');
	const local = await openLocalState(io, g);
	let open: string[];
	const time = Date.now();
	try {
		const record = await signRecord('trust', {
			author: local.identity.id,
			key: id,
			body: evidence === undefined ? { level, time } : { level, time, evidence },
			state: time,
			signer: local.identity.signing,
			ed25519: nodeEd25519
		});
		const session = await connectRecords(relays);
		try {
			await session.store.publish(record);
			open = session.open;
		} finally {
			session.close();
		}
		// The contact list keeps the same level, so that a block (-100) hides their messages here.
		if (!local.contacts.get(id)) await local.contacts.add(id, { origin: 'me' });
		await local.contacts.setTrust(id, level);
	} finally {
		await local.close();
	}
	const json: Record<string, JsonValue> = {
		issuer: me.id,
		target: id,
		level,
		name: levelName(level),
		time: new Date(time).toISOString(),
		relays: open
	};
	if (evidence !== undefined) json.evidence = evidence;
	return {
		json,
		human: formatFields([
			['target', id],
			['level', `${level} (${levelName(level)})`],
			['evidence', evidence],
			['published to', open.join(', ')]
		])
	};
}

/** `trust get` options. */
export interface TrustGetOptions extends RelayOptions {
	from?: string;
}

/**
 * `miaou trust get <id>`: the statement you (or `--from` someone else) made about an id.
 * @param io - process surroundings
 * @param g - global options
 * @param target - the id the statement is about
 * @param opts - `--from <issuer>`, `--relay`
 * @returns the statement, or `level: null` when there is none
 * @throws {UsageError | InvalidIdError | NoIdentityError} (exit 2)
 * @throws {NoRelayError} when no relay could be reached (exit 1)
 */
export async function trustGet(io: CliIO, g: Globals, target: string, opts: TrustGetOptions): Promise<CommandResult> {
	const id = checkId(target);
	const issuer = opts.from === undefined ? (await loadIdentityFile(g.home)).id : checkId(opts.from);
	const relays = requireRelays(opts.relay, io.env);
	const session = await connectRecords(relays);
	let record: VerifiedRecord | undefined;
	try {
		record = await session.store.read(soulFor('trust', issuer), id);
	} finally {
		session.close();
	}
	if (record === undefined || record.kind !== 'trust') {
		return {
			json: { issuer, target: id, level: null },
			human: `${opts.from === undefined ? 'You' : issuer} made no trust statement about ${id}.`
		};
	}
	const body = (record as VerifiedRecord<'trust'>).body;
	const json: Record<string, JsonValue> = {
		issuer,
		target: id,
		level: body.level,
		name: levelName(body.level),
		time: new Date(body.time).toISOString()
	};
	if (body.evidence !== undefined) json.evidence = body.evidence;
	return {
		json,
		human: formatFields([
			['issuer', issuer],
			['target', id],
			['level', `${body.level} (${levelName(body.level)})`],
			['evidence', body.evidence],
			['time', new Date(body.time).toISOString()]
		])
	};
}

function pathJson(p: TrustPath): { [key: string]: JsonValue } {
	return { nodes: p.nodes, levels: p.levels, weight: p.weight, value: p.value };
}

/** One path as a line: `you →75→ abcd-… →50→ target`. */
function pathLine(p: TrustPath, me: string): string {
	const label = (node: string): string => (node === me ? 'you' : shortFingerprint(node as MiaouId));
	let line = label(p.nodes[0]!);
	p.levels.forEach((level, i) => (line += ` →${level}→ ${label(p.nodes[i + 1]!)}`));
	return `  ${line}   (value ${Math.round(p.value * 10) / 10}, weight 1/${p.nodes.length - 1}²)`;
}

/**
 * `miaou trust score <id>`: the score of an id from your point of view, with the paths behind it.
 * @param io - process surroundings
 * @param g - global options
 * @param target - the id to score
 * @param opts - `--relay`
 * @returns score, name, whether it is your own statement or your block, and every path
 * @throws {UsageError | InvalidIdError | NoIdentityError} (exit 2)
 * @throws {NoRelayError} when no relay could be reached (exit 1)
 */
export async function trustScore(io: CliIO, g: Globals, target: string, opts: RelayOptions): Promise<CommandResult> {
	const id = checkId(target);
	const me = (await loadIdentityFile(g.home)).id;
	const relays = requireRelays(opts.relay, io.env);
	const session = await connectRecords(relays);
	let score: TrustScore;
	let issuers: number;
	let bounded: boolean;
	try {
		const collected = await collectTrustStatements(session.store, me);
		score = computeTrust(me, id, collected.statements);
		issuers = collected.issuers;
		bounded = collected.truncated;
	} finally {
		session.close();
	}
	const human =
		formatFields([
			['target', id],
			['score', `${score.score} (${score.name})`],
			['direct', score.direct ? 'yes, your own statement' : 'no'],
			['blocked', score.blocked ? 'yes' : undefined],
			['paths', String(score.paths.length)]
		]) + score.paths.map((p) => `${pathLine(p, me)}\n`).join('');
	return {
		json: {
			me,
			target: id,
			score: score.score,
			name: score.name,
			direct: score.direct,
			blocked: score.blocked,
			paths: score.paths.map(pathJson),
			truncated: score.truncated || bounded,
			issuersRead: issuers
		},
		human
	};
}
