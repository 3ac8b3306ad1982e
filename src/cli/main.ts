/**
 * The `miaou` command line (issue #2, CLI; docs/cli.md). `bin/miaou.js` checks the Node version
 * and calls `run`; everything here is testable in-process with injected streams.
 *
 * Conventions every command keeps (docs/cli.md, "Conventions"): `--home` / MIAOU_HOME for the data
 * directory, MIAOU_PASSPHRASE or a hidden prompt for the passphrase, `--json` for one JSON object
 * on stdout, exit 0 on success and otherwise one sentence on stderr with exit 1 (refused) or 2
 * (could not run as asked).
 */
import { Command, CommanderError, type HelpContext } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from '../lib/core/errors.ts';
import { registerIdCommands } from './commands/id.ts';
import { registerNetworkCommands } from './commands/network-commands.ts';
import { loadRelayCommand, relayPlaceholder } from './commands/relay.ts';
import { registerSafetyNumberCommand } from './commands/safety-number.ts';
import { registerSignCommands } from './commands/sign.ts';
import { processIO, type CliIO } from './context.ts';
import { describeError, EXIT_OK, printError } from './output.ts';

/** Global options that take a value, so the command name can be found in argv without parsing it. */
const GLOBAL_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(['--home']);

/** Shown after `miaou --help`: the environment and the exit codes scripts rely on (docs/cli.md). */
const HELP_FOOTER = `
Environment:
  MIAOU_HOME        data directory, when --home is not given (default ~/.miaou)
  MIAOU_PASSPHRASE  the passphrase, for scripts (otherwise asked on the terminal)
  MIAOU_RELAYS      relays to use, comma-separated, when --relay is not given

Exit codes: 0 success; 1 refused (bad signature, wrong passphrase, identity exists,
relay unreachable or refusing, content not found or altered); 2 could not run as asked
(usage, missing file, no identity, no passphrase, no relay given); 3 internal error.
Details: docs/cli.md`;

/**
 * A commander Command whose "missing subcommand" case is one sentence and exit 2, not a page of
 * help on stderr (docs/cli.md: a failure prints one sentence).
 */
class MiaouCommand extends Command {
	override createCommand(name?: string): MiaouCommand {
		return new MiaouCommand(name);
	}

	override help(context?: HelpContext | ((text: string) => string)): never {
		if (typeof context === 'object' && context.error) {
			const names = this.commands.map((c) => c.name()).filter((n) => n !== 'help');
			const path = commandPath(this);
			throw new UsageError(`"${path}" needs a command: ${names.join(', ')} (see "${path} --help").`);
		}
		return super.help(context as HelpContext);
	}
}

function commandPath(cmd: Command): string {
	const names: string[] = [];
	for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
	return names.join(' ');
}

/**
 * The name of the command argv runs, skipping global options (and `help`, to find `help relay`).
 * @param argv - the arguments after the program name
 * @returns the first command word, or undefined
 */
export function commandNameIn(argv: readonly string[]): string | undefined {
	let helpSeen = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') return argv[i + 1];
		if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
			i++;
			continue;
		}
		if (arg.startsWith('-')) continue;
		if (arg === 'help' && !helpSeen) {
			helpSeen = true;
			continue;
		}
		return arg;
	}
	return helpSeen ? 'help' : undefined;
}

/**
 * Build the `miaou` program.
 * @param io - the streams and environment commands use
 * @param argv - the arguments, to decide whether the relay's (heavy) command must be loaded
 * @returns the root command, ready for `parseAsync(argv, { from: 'user' })`
 */
export async function buildProgram(io: CliIO, argv: readonly string[] = []): Promise<Command> {
	const program = new MiaouCommand('miaou')
		.description(
			'Miaou: decentralized, end-to-end encrypted messaging and file sharing. Your identity, messages, trust, shares and relay.'
		)
		.version(pkg.version, '-V, --version', 'print the version')
		.option('--home <dir>', 'data directory (default: $MIAOU_HOME, else ~/.miaou)')
		.option('--json', 'print the result as one JSON object (errors: one JSON object on stderr)')
		.helpOption('-h, --help', 'show help for the command')
		.configureHelp({ showGlobalOptions: true, sortSubcommands: false })
		.configureOutput({
			writeOut: (text) => void io.stdout.write(text),
			writeErr: (text) => void io.stderr.write(text),
			// run() prints every error itself, as one sentence (or JSON).
			outputError: () => undefined
		})
		.exitOverride()
		.addHelpText('after', HELP_FOOTER);

	registerIdCommands(program, io);
	registerSignCommands(program, io);
	registerSafetyNumberCommand(program, io);
	registerNetworkCommands(program, io);

	const relay = commandNameIn(argv) === 'relay' ? await loadRelayCommand() : undefined;
	const relayCmd = relay ?? relayPlaceholder();
	relayCmd.copyInheritedSettings(program);
	program.addCommand(relayCmd);
	return program;
}

/**
 * Run the CLI.
 * @param argv - the arguments after the program name (`process.argv.slice(2)`)
 * @param io - streams and environment (default: this process's)
 * @returns the exit code: 0 success, 1 refused, 2 could not run as asked, 3 internal error, 130 cancelled
 */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
	const code = await runCommand(argv, io);
	io.onDone?.(code);
	return code;
}

async function runCommand(argv: readonly string[], io: CliIO): Promise<number> {
	let program: Command | undefined;
	try {
		program = await buildProgram(io, argv);
		await program.parseAsync([...argv], { from: 'user' });
		return EXIT_OK;
	} catch (err) {
		if (err instanceof CommanderError && err.exitCode === 0) return EXIT_OK; // --help, --version
		const report = describeError(err);
		const json = program?.opts<{ json?: boolean }>().json === true || wantsJson(argv);
		printError(report, json, io.stderr);
		if (io.env.MIAOU_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
		return report.exitCode;
	}
}

/** `--json` among the options (before any `--`), for errors raised before commander parsed it. */
function wantsJson(argv: readonly string[]): boolean {
	const end = argv.indexOf('--');
	return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
