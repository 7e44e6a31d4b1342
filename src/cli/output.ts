/** Writing to stdout in bounded memory. */

/** Writes text and waits when the pipe is full, so large outputs stream instead of queueing. */
export function writeDrained(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
}
