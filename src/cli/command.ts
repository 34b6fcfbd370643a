// What a `bisma` subcommand is: its name, its help text, its options, and what it runs.
import type { ParseArgsConfig } from 'node:util';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface Command {
  /** One or two words, e.g. 'migrate' or 'keys create'. */
  name: string;
  /** Older spellings still accepted (e.g. 'ingest-file'). */
  aliases?: string[];
  /** Arguments after the name, as the usage line shows them. */
  args?: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown by `bisma help <command>`. */
  details?: string;
  options?: ParseArgsConfig['options'];
  /** Lines describing each option, shown under the details. */
  optionHelp?: string[];
  /** Positional arguments the command takes at least / at most. */
  positionals?: { min: number; max: number; names: string[] };
  /** Whether the command needs PostgreSQL: checked first, so a stopped database is one clear line. */
  usesDatabase?: boolean;
  /** Checks the arguments before anything is opened; throws UsageError. */
  check?(values: OptionValues, positionals: string[]): void;
  run(values: OptionValues, positionals: string[]): Promise<void>;
}

/** Wrong use of the command line (unknown option, missing argument): exit code 2 and a hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Standard output, a line at a time: what the command reports (logs go elsewhere). */
export const out = (line: string) => process.stdout.write(`${line}\n`);

/** Parses a whole positive number option, naming it in the error. */
export function positiveInt(name: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1) {
    throw new UsageError(`${name} must be a whole number above 0, not '${String(value)}'`);
  }
  return n;
}
