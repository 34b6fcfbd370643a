// Reads one bare JSON array (INAPROC legacy and ISB answers, public dumps) record by record from a
// stream of chunks, so a 200 MB answer never sits in memory whole. A UTF-8 byte-order mark
// (files saved by Windows PowerShell) is skipped.
import { JSONParser } from '@streamparser/json';

/** The text is not one JSON array: names what was found instead. */
export class NotAnArrayError extends Error {}

const BOM = 0xfeff;

/**
 * Yields the elements of the JSON array the chunks spell, in order, as they complete. Throws
 * NotAnArrayError when the top-level value is not an array, and the parser's error on invalid
 * or truncated JSON (after yielding the elements before it).
 */
export async function* arrayElements(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let ready: unknown[] = [];
  let failure: unknown = null;
  let ended = false;
  parser.onValue = ({ value }) => {
    ready.push(value);
  };
  parser.onError = (error) => {
    failure ??= error;
  };
  parser.onEnd = () => {
    ended = true;
  };
  let first = true;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first) {
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
      const start = text.trimStart();
      if (start === '') continue;
      first = false;
      if (start[0] !== '[') {
        throw new NotAnArrayError(`not a JSON array: it starts with ${JSON.stringify(start.slice(0, 20))}`);
      }
    }
    if (ended && text.trim() !== '') throw new Error('text after the end of the JSON array');
    try {
      parser.write(text);
    } catch (error) {
      failure ??= error;
    }
    if (ready.length > 0) {
      const out = ready;
      ready = [];
      yield* out;
    }
    if (failure) throw new Error(`the JSON array is invalid: ${(failure as Error).message}`);
  }
  if (first) throw new NotAnArrayError('empty: no JSON array');
  if (!ended) {
    try {
      parser.end();
    } catch (error) {
      failure ??= error;
    }
  }
  yield* ready;
  if (failure) throw new Error(`the JSON array is truncated or invalid: ${(failure as Error).message}`);
  if (!ended) throw new Error('the JSON array is truncated (no closing bracket)');
}
