/**
 * `leastpriv simulate CASE.json` and `leastpriv simulate --jsonl CASES.jsonl`.
 * One case: prints the answer; exits 0 whatever the decision, 2 when the case cannot be evaluated.
 * A batch: one answer line per input line, in order; always exits 0 once the file is readable.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  simulate,
  type Issue,
  type SimulateOptions,
  type SimulationAnswer,
} from '../../policy-model/index.js';
import { loadCatalog } from '../catalog.js';
import { writeDrained } from './output.js';

/**
 * The offset of the first character JSON.parse rejects: the shortest prefix whose error is not
 * "unexpected end" ends there. Node 20's messages often carry no position, so search for it.
 */
function errorOffset(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (e) {
      const message = e instanceof Error ? e.message : '';
      const position = /at position (\d+)/.exec(message);
      // A prefix cut inside valid JSON fails at its very end; a real fault fails before it.
      if (position) return Number(position[1]) < length;
      return !/end of JSON/i.test(message);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (failsEarly(mid + 1)) high = mid;
    else low = mid + 1;
  }
  return Math.min(low, text.length);
}

/** Parses JSON, or describes where it broke as `file:line:column` (`file:line` for a JSONL line). */
export function parseJson(
  text: string,
  where: string,
  line?: number,
): { ok: true; value: unknown } | { ok: false; error: Issue } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (line !== undefined) {
      return {
        ok: false,
        error: {
          code: 'invalid_json',
          message: `not valid JSON: ${message}`,
          path: `${where}:${line}:${errorOffset(text, message) + 1}`,
        },
      };
    }
    const before = text.slice(0, errorOffset(text, message));
    const row = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return {
      ok: false,
      error: {
        code: 'invalid_json',
        message: `not valid JSON: ${message}`,
        path: `${where}:${row}:${column}`,
      },
    };
  }
}

/** Editors on Windows start UTF-8 files with a byte-order mark; it is not part of the JSON. */
const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const invalidJsonAnswer = (error: Issue): SimulationAnswer => ({ error, errors: [error] });

/** How answers are printed: the JSON contract, or a table for people. */
export type SimulateFormat = 'json' | 'table';

/** One answer as a table row: id, decision (or error code), reason (or error path). */
export function tableRow(answer: SimulationAnswer, index: number): string {
  const id = answer.id ?? `#${index + 1}`;
  if ('error' in answer)
    return `${id.padEnd(36)} ${'error'.padEnd(14)} ${answer.error.code} at ${answer.error.path || '/'}: ${answer.error.message}`;
  const decisive = answer.explanation.decisive
    .map((d) => `${d.policy}#${d.statement}${d.sid ? `(${d.sid})` : ''}`)
    .join(', ');
  return `${id.padEnd(36)} ${answer.decision.padEnd(14)} ${answer.explanation.reason.message}${decisive ? ` [${decisive}]` : ''}`;
}

/** Answers one case file; returns the exit code. */
export function simulateFile(
  file: string,
  options: SimulateOptions,
  out: NodeJS.WritableStream,
  format: SimulateFormat = 'json',
): number {
  const text = stripBom(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8'));
  const parsed = parseJson(text, file === '-' ? 'stdin' : file);
  const answer = parsed.ok ? simulate(parsed.value, options) : invalidJsonAnswer(parsed.error);
  out.write(
    format === 'table' ? `${tableRow(answer, 0)}\n` : `${JSON.stringify(answer, null, 2)}\n`,
  );
  return 'error' in answer ? 2 : 0;
}

/** Streams answers for a JSON Lines file, one per input line (a blank line answers an error). */
export async function simulateJsonl(
  file: string,
  options: SimulateOptions,
  out: NodeJS.WritableStream,
  format: SimulateFormat = 'json',
): Promise<number> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  const name = file === '-' ? 'stdin' : file;
  let lineNumber = 0;
  let pendingBlank = 0;
  let answered = 0;
  const emit = (answer: SimulationAnswer): Promise<void> =>
    writeDrained(
      out,
      `${format === 'table' ? tableRow(answer, answered++) : JSON.stringify(answer)}\n`,
    );
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') {
      // Blank lines are answered only when a case follows them: a trailing newline is not a case.
      pendingBlank += 1;
      continue;
    }
    for (let i = pendingBlank; i > 0; i -= 1) {
      await emit(
        invalidJsonAnswer({
          code: 'invalid_json',
          message: 'empty line',
          path: `${name}:${lineNumber - i}`,
        }),
      );
    }
    pendingBlank = 0;
    const parsed = parseJson(lineNumber === 1 ? stripBom(line) : line, name, lineNumber);
    const answer = parsed.ok ? simulate(parsed.value, options) : invalidJsonAnswer(parsed.error);
    await emit(answer);
  }
  return 0;
}

/** The options every simulation in this process shares. */
export function simulateOptions(brief: boolean): SimulateOptions {
  return { catalog: loadCatalog(), explain: !brief };
}
