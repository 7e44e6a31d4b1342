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

/** Parses JSON, or describes where it broke as `file:line:column`. */
export function parseJson(
  text: string,
  where: string,
  line?: number,
): { ok: true; value: unknown } | { ok: false; error: Issue } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const position = /position (\d+)/.exec(message);
    let at = line !== undefined ? `${where}:${line}` : where;
    if (position && line === undefined) {
      const before = text.slice(0, Number(position[1]));
      const row = before.split('\n').length;
      at = `${where}:${row}:${before.length - before.lastIndexOf('\n')}`;
    }
    return {
      ok: false,
      error: { code: 'invalid_json', message: `not valid JSON: ${message}`, path: at },
    };
  }
}

const invalidJsonAnswer = (error: Issue): SimulationAnswer => ({ error, errors: [error] });

/** Writes one line and waits when the pipe is full, so a large batch streams in bounded memory. */
function writeLine(out: NodeJS.WritableStream, line: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(`${line}\n`)) resolve();
    else out.once('drain', resolve);
  });
}

/** Answers one case file; returns the exit code. */
export function simulateFile(
  file: string,
  options: SimulateOptions,
  out: NodeJS.WritableStream,
): number {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  const parsed = parseJson(text, file === '-' ? 'stdin' : file);
  const answer = parsed.ok ? simulate(parsed.value, options) : invalidJsonAnswer(parsed.error);
  out.write(`${JSON.stringify(answer, null, 2)}\n`);
  return 'error' in answer ? 2 : 0;
}

/** Streams answers for a JSON Lines file, one per input line (a blank line answers an error). */
export async function simulateJsonl(
  file: string,
  options: SimulateOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  const name = file === '-' ? 'stdin' : file;
  let lineNumber = 0;
  let pendingBlank = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') {
      // Blank lines are answered only when a case follows them: a trailing newline is not a case.
      pendingBlank += 1;
      continue;
    }
    for (let i = pendingBlank; i > 0; i -= 1) {
      await writeLine(
        out,
        JSON.stringify(
          invalidJsonAnswer({
            code: 'invalid_json',
            message: 'empty line',
            path: `${name}:${lineNumber - i}`,
          }),
        ),
      );
    }
    pendingBlank = 0;
    const parsed = parseJson(line, name, lineNumber);
    const answer = parsed.ok ? simulate(parsed.value, options) : invalidJsonAnswer(parsed.error);
    await writeLine(out, JSON.stringify(answer));
  }
  return 0;
}

/** The options every simulation in this process shares. */
export function simulateOptions(brief: boolean): SimulateOptions {
  return { catalog: loadCatalog(), explain: !brief };
}
