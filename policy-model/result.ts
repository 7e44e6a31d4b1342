/** One problem found in the user's input, with a JSON pointer (or `file:line`) to where it is. */
export interface Issue<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  readonly path: string;
}

/** The outcome of a stage that collects problems instead of throwing. */
export type Result<T, Code extends string = string> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Issue[] }
  | {
      readonly ok: false;
      readonly errors: readonly Issue<Code>[];
      readonly warnings: readonly Issue[];
    };

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins a JSON pointer and further tokens. */
export function pointer(base: string, ...tokens: readonly (string | number)[]): string {
  return tokens.reduce<string>((acc, t) => `${acc}/${pointerToken(t)}`, base);
}
