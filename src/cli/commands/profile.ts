/**
 * `miaou profile publish | show` and `miaou directory <name>`: publishing who you are, and
 * finding people by name (issue #4, CLI counterparts; docs/cli.md "Profile and directory").
 *
 * Publishing writes three signed records (services/profile.ts): the profile (name, agreement key,
 * signed prekey, one-time prekeys — what a first message needs), the directory entry (the relays
 * where you read your mail) and the name-index entry under the normalized name, which is what
 * `directory` searches. The prekey secrets stay in the data directory, sealed.
 */
import { MalformedError, NoProfileError, UsageError } from '../../lib/core/errors.ts';
import { shortFingerprint, signingKeyFromId, type MiaouId } from '../../lib/core/identity.ts';
import {
	DIRECTORY_KEY,
	MAX_ABOUT_LENGTH,
	MAX_NAME_LENGTH,
	normalizeName,
	PROFILE_KEY,
	soulFor,
	type VerifiedRecord
} from '../../lib/core/records.ts';
import { computeTrust } from '../../lib/core/trust.ts';
import type { RecordStore } from '../../lib/net/record-store.ts';
import type { CliIO, Globals } from '../context.ts';
import { checkName, loadIdentityFile, saveIdentityFile } from '../identity-file.ts';
import { openLocalState, profileService } from '../messaging-home.ts';
import { connectRecords, requireRelays, type RelayOptions } from '../network.ts';
import { formatFields, type CommandResult, type JsonValue } from '../output.ts';
import { collectTrustStatements } from '../trust-graph.ts';

/** Most directory results shown. */
export const MAX_DIRECTORY_RESULTS = 50;

/** `profile publish` options. */
export interface PublishOptions extends RelayOptions {
	name?: string;
	about?: string;
}

/**
 * Check `--about`.
 * @throws {UsageError} when too long
 */
function checkAbout(text: string | undefined): string | undefined {
	if (text === undefined) return undefined;
	if ([...text].length > MAX_ABOUT_LENGTH)
		throw new UsageError(`The --about text is longer than ${MAX_ABOUT_LENGTH} characters.`);
	return text;
}

/**
 * `miaou profile publish`: publish your profile, directory entry and name-index entry.
 * @param io - process surroundings (passphrase; MIAOU_RELAYS)
 * @param g - global options
 * @param opts - `--name` (default: the identity's name, which it then replaces), `--about`, `--relay`
 * @returns the id, name and relays published to
 * @throws {UsageError} without a name or a relay (exit 2)
 * @throws {RelayRefusedError | RelayTimeoutError | NoRelayError} when the relays did not store it (exit 1)
 */
export async function profilePublish(io: CliIO, g: Globals, opts: PublishOptions): Promise<CommandResult> {
	const given = opts.name === undefined ? undefined : checkName(opts.name);
	const about = checkAbout(opts.about);
	const relays = requireRelays(opts.relay, io.env);
	const file = await loadIdentityFile(g.home);
	const name = given ?? file.name;
	if (name === undefined) throw new UsageError('Your identity has no name yet: give one with --name <display name>.');
	try {
		normalizeName(name);
	} catch (err) {
		if (err instanceof MalformedError)
			throw new UsageError(`The name "${name}" cannot be searched for: ${err.message}`);
		throw err;
	}
	const local = await openLocalState(io, g);
	try {
		const session = await connectRecords(relays);
		try {
			await profileService(local, session.store).publish({
				name,
				...(about !== undefined ? { about } : {}),
				relays: session.open
			});
		} finally {
			session.close();
		}
		if (given !== undefined && given !== file.name) await saveIdentityFile(g.home, { ...local.file, name: given });
		const json: Record<string, JsonValue> = { id: file.id, name, relays: session.open };
		if (about !== undefined) json.about = about;
		return {
			json,
			human: formatFields([
				['id', file.id],
				['name', name],
				['about', about],
				['published to', session.open.join(', ')]
			])
		};
	} finally {
		await local.close();
	}
}

/** A verified profile and directory entry as shown. */
function describeProfile(
	id: MiaouId,
	profile: VerifiedRecord<'profile'>,
	dir: VerifiedRecord<'dir'> | undefined
): { json: { [key: string]: JsonValue }; rows: [string, string | undefined][] } {
	const json: { [key: string]: JsonValue } = {
		id,
		fingerprint: shortFingerprint(id),
		name: profile.body.name,
		publishedAt: new Date(profile.state).toISOString(),
		oneTimePrekeys: profile.body.oneTimePrekeys.length
	};
	if (profile.body.about !== undefined) json.about = profile.body.about;
	if (dir) {
		json.relays = dir.body.relays;
		json.lastSeen = new Date(dir.body.lastSeen).toISOString();
	}
	return {
		json,
		rows: [
			['id', id],
			['fingerprint', shortFingerprint(id)],
			['name', profile.body.name],
			['about', profile.body.about],
			['published', new Date(profile.state).toISOString()],
			['relays', dir ? dir.body.relays.join(', ') || '(none listed)' : undefined],
			['last seen', dir ? new Date(dir.body.lastSeen).toISOString() : undefined]
		]
	};
}

async function readProfile(
	store: RecordStore,
	id: MiaouId
): Promise<[VerifiedRecord<'profile'> | undefined, VerifiedRecord<'dir'> | undefined]> {
	const [profile, dir] = await Promise.all([
		store.read(soulFor('profile', id), PROFILE_KEY),
		store.read(soulFor('dir', id), DIRECTORY_KEY)
	]);
	return [
		profile?.kind === 'profile' ? (profile as VerifiedRecord<'profile'>) : undefined,
		dir?.kind === 'dir' ? (dir as VerifiedRecord<'dir'>) : undefined
	];
}

/**
 * `miaou profile show [id]`: the verified profile of an id (default: yours), as the relays hold it.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param g - global options
 * @param idArg - the id, or undefined for yours
 * @param opts - `--relay`
 * @returns the profile and directory entry
 * @throws {InvalidIdError | UsageError | NoIdentityError} (exit 2)
 * @throws {NoProfileError} when no verified profile is found (exit 1)
 */
export async function profileShow(
	io: CliIO,
	g: Globals,
	idArg: string | undefined,
	opts: RelayOptions
): Promise<CommandResult> {
	if (idArg !== undefined) signingKeyFromId(idArg);
	const relays = requireRelays(opts.relay, io.env);
	const id = (idArg ?? (await loadIdentityFile(g.home)).id) as MiaouId;
	const session = await connectRecords(relays);
	let found;
	try {
		found = await readProfile(session.store, id);
	} finally {
		session.close();
	}
	const [profile, dir] = found;
	if (!profile) throw new NoProfileError(id);
	const shown = describeProfile(id, profile, dir);
	return { json: shown.json, human: formatFields(shown.rows) };
}

/**
 * `miaou directory <name>`: find published profiles by display name (case, spacing and Unicode
 * form do not matter: docs/records.md §6). Anyone can file themselves under any name, so each
 * result carries its trust score from your point of view, and results are ranked by it.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param g - global options
 * @param query - the name
 * @param opts - `--relay`
 * @returns the matching ids with their names, profiles and scores (an empty list when none)
 * @throws {UsageError} on an empty name or no relay (exit 2)
 * @throws {NoRelayError} when no relay could be reached (exit 1)
 */
export async function directory(io: CliIO, g: Globals, query: string, opts: RelayOptions): Promise<CommandResult> {
	let normalized: string;
	try {
		normalized = normalizeName(query);
	} catch (err) {
		if (err instanceof MalformedError)
			throw new UsageError(
				/nothing left/.test(err.message)
					? 'The name to search for is empty once spaces and invisible characters are removed.'
					: `The name to search for is longer than ${MAX_NAME_LENGTH} characters.`
			);
		throw err;
	}
	const relays = requireRelays(opts.relay, io.env);
	let me: MiaouId | undefined;
	try {
		me = (await loadIdentityFile(g.home)).id;
	} catch {
		me = undefined; // searching needs no identity; scores do
	}
	const session = await connectRecords(relays);
	const results: { [key: string]: JsonValue }[] = [];
	const lines: string[] = [];
	try {
		const entries = (await session.store.readAll(soulFor('name', normalized)))
			.filter((r): r is VerifiedRecord<'name'> => r.kind === 'name')
			.sort((a, b) => b.state - a.state)
			.slice(0, MAX_DIRECTORY_RESULTS);
		const statements = me ? (await collectTrustStatements(session.store, me)).statements : [];
		const found = await Promise.all(entries.map((e) => readProfile(session.store, e.body.id)));
		const scored = entries.map((entry, i) => {
			const id = entry.body.id;
			const score = me ? computeTrust(me, id, statements) : undefined;
			return { entry, id, score, profile: found[i]![0], dir: found[i]![1] };
		});
		scored.sort((a, b) => (b.score?.score ?? 0) - (a.score?.score ?? 0));
		for (const { entry, id, score, profile, dir } of scored) {
			const item: { [key: string]: JsonValue } = profile
				? describeProfile(id, profile, dir).json
				: { id, fingerprint: shortFingerprint(id), name: entry.body.name };
			item.profile = profile !== undefined;
			if (score) {
				item.trust = score.score;
				item.trustName = score.name;
				item.trustPaths = score.paths.length;
			}
			results.push(item);
			const trust = score ? `  trust ${score.score} (${score.name})` : '';
			lines.push(`${entry.body.name}  ${id}  ${shortFingerprint(id)}${trust}${profile ? '' : '  (no profile)'}`);
		}
	} finally {
		session.close();
	}
	return {
		json: { query, normalized, results },
		human: results.length === 0 ? `No one is listed under "${normalized}".` : lines.join('\n')
	};
}
