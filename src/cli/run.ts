// Finds the subcommand named on the command line, parses its options, runs it and turns every
// failure into one line on stderr and an exit code (1: it failed, 2: wrong use).
import { parseArgs } from 'node:util';
import { config } from '../config/env.js';
import { redactUrl } from '../lib/boot.js';
import { AppError, ValidationError } from '../lib/errors.js';
import { type Command, out, UsageError } from './command.js';
import { INGEST_COMMANDS } from './ingest.js';
import { KEY_COMMANDS } from './keys.js';
import { recompute } from './kpi.js';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '3D000']);

const migrate: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations (safe to run twice, or from two processes at once)',
  details: 'Creates the database if it does not exist. Migrations live in prisma/migrations.',
  async run() {
    const { migrate: applyMigrations } = await import('../lib/migrate.js');
    const url = config().DATABASE_URL;
    const result = await applyMigrations(url).catch((err: Error & { code?: string }) => {
      if (err.code && CONNECTION_ERRORS.has(err.code)) {
        throw new AppError(
          'DATABASE_UNREACHABLE',
          `cannot reach PostgreSQL at ${redactUrl(url)}: ${err.message}`,
        );
      }
      throw err;
    });
    out(
      `applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ` +
        `${result.alreadyApplied.length} already applied`,
    );
  },
};

const seed: Command = {
  name: 'seed',
  summary: 'load the demo data set (idempotent: a second run creates nothing)',
  usesDatabase: true,
  async run() {
    const { loadDemoData } = await import('../demo/seed.js');
    const { created } = await loadDemoData();
    out(`demo data loaded: ${JSON.stringify(created)}`);
  },
};

const help: Command = {
  name: 'help',
  args: '[COMMAND]',
  summary: 'show the commands, or one command’s options',
  positionals: { min: 0, max: 2, names: ['COMMAND'] },
  async run(_values, words) {
    const found = resolve(words);
    const group = words.length === 1 ? groupOf(words[0]!) : [];
    if (words.length === 0) out(overview());
    else if (found && found.rest.length === 0) out(commandHelp(found.command));
    else if (group.length) out(groupHelp(words[0]!, group));
    else throw new UsageError(`no command '${words.join(' ')}'`);
  },
};

export const COMMANDS: Command[] = [migrate, seed, ...INGEST_COMMANDS, recompute, ...KEY_COMMANDS, help];

function usageLine(c: Command): string {
  return `bisma ${c.name}${c.args ? ` ${c.args}` : ''}`;
}

function listing(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
}

export function overview(): string {
  return [
    'usage: bisma <command> [options]',
    '',
    'Operates a Bisma deployment: the settings (DATABASE_URL, REDIS_URL, ...) come from the environment.',
    '',
    'commands:',
    listing(COMMANDS),
    '',
    "Run 'bisma help <command>' or 'bisma <command> --help' for a command's arguments and options.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`usage: ${usageLine(c)}`, '', c.summary];
  if (c.details) lines.push('', c.details);
  if (c.optionHelp?.length) lines.push('', 'options:', ...c.optionHelp.map((l) => `  ${l}`));
  if (c.aliases?.length) lines.push('', `also spelt: ${c.aliases.map((a) => `bisma ${a}`).join(', ')}`);
  return lines.join('\n');
}

function groupOf(word: string): Command[] {
  return COMMANDS.filter((c) => c.name.startsWith(`${word} `));
}

function groupHelp(word: string, group: Command[]): string {
  return [`usage: bisma ${word} <subcommand> [options]`, '', 'subcommands:', listing(group)].join('\n');
}

/** The command the first one or two words name (two-word names first), with the words left. */
function resolve(words: string[]): { command: Command; typed: string; rest: string[] } | undefined {
  for (const n of [2, 1]) {
    if (words.length < n) continue;
    const typed = words.slice(0, n).join(' ');
    const command = COMMANDS.find((c) => c.name === typed || c.aliases?.includes(typed));
    if (command) return { command, typed, rest: words.slice(n) };
  }
  return undefined;
}

/** One line, whatever the error: multi-line driver messages are folded. */
function oneLine(message: string): string {
  return message
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .slice(0, 1000);
}

/** node:util's messages, shortened to what the operator needs. */
function parseArgsMessage(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return `option '${option}' ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}`;
  }
  return err.message;
}

function fail(typed: string, message: string, code: number): number {
  process.stderr.write(`bisma ${typed}: ${oneLine(message)}\n`);
  return code;
}

/** Runs the command line (the words after `bisma`); resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    out(overview());
    return 0;
  }
  const found = resolve(argv);
  if (!found) {
    const group = groupOf(argv[0]!);
    if (group.length === 0) {
      return fail(argv[0]!, "unknown command (see 'bisma help' for the list)", 2);
    }
    if (argv[1] === undefined) {
      process.stderr.write(`${groupHelp(argv[0]!, group)}\n`);
      return 2;
    }
    if (argv[1] === '--help' || argv[1] === '-h' || argv[1] === 'help') {
      out(groupHelp(argv[0]!, group));
      return 0;
    }
    return fail(
      argv[0]!,
      `unknown subcommand '${argv[1]}', one of: ${group.map((c) => c.name.split(' ')[1]).join(', ')}`,
      2,
    );
  }
  const { command, typed, rest } = found;
  const hint = ` (see 'bisma help ${command.name}')`;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (err) {
    return fail(typed, `${parseArgsMessage(err as Error & { code?: string })}${hint}`, 2);
  }
  if (values.help) {
    out(commandHelp(command));
    return 0;
  }
  const { min, max, names } = command.positionals ?? { min: 0, max: 0, names: [] };
  if (positionals.length < min) return fail(typed, `missing ${names[positionals.length]}${hint}`, 2);
  if (positionals.length > max) {
    return fail(typed, `unexpected argument '${positionals[max]}'${hint}`, 2);
  }

  try {
    command.check?.(values, positionals);
    if (command.usesDatabase) await (await import('../lib/health.js')).checkDatabase();
    await command.run(values, positionals);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return fail(typed, `${err.message}${hint}`, 2);
    if (err instanceof ValidationError) return fail(typed, `${err.field}: ${err.message}`, 2);
    if (err instanceof AppError) return fail(typed, err.message, 1);
    return fail(typed, (err as Error)?.message ?? String(err), 1);
  } finally {
    // Only commands that use the pool load it: loading it just to close it would slow `help`.
    if (command.usesDatabase) await (await import('../lib/db.js')).closeDb();
  }
}
