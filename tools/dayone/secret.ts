/**
 * A value that must never reach a command line, a log, the screen or a file: unseal keys, tokens, passwords.
 * It prints as [secret] however it is formatted; only `reveal()` gives the value, and the runner reveals it
 * only into a child's stdin or environment. Every secret seen is remembered so that text bound for the
 * operator (a CLI's error output) can be scrubbed, and a command line carrying one can be refused.
 */
import { inspect } from "node:util";

const seen = new Set<string>();
const MASK = "[secret]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length > 0) seen.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }

  /** Every secret this process has held, replaced by [secret]; for CLI output shown in an error. */
  static scrub(text: string): string {
    let out = text;
    for (const value of [...seen].sort((a, b) => b.length - a.length)) out = out.split(value).join(MASK);
    return out;
  }

  /** Whether any secret this process has held appears in the text. */
  static occursIn(text: string): boolean {
    for (const value of seen) if (text.includes(value)) return true;
    return false;
  }
}
