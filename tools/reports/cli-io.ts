/** What the thin CLIs need from the process, so that tests can run them in-process. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly writeFile: (file: string, content: string) => void;
}

export const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  writeFile: (file, content) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  },
};

/** Parses `--max-chars` and friends: a positive integer or an error that names the option. */
export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The options both report commands take (parseArgs spec), besides their own. */
export const REPORT_OPTIONS = {
  out: { type: "string", short: "o" },
  marker: { type: "string" },
  context: { type: "string" },
  "details-hint": { type: "string" },
  "max-chars": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Rendering options from the shared flags; an unset flag leaves the renderer's default. */
export function renderOptionsFrom(values: { marker?: string; context?: string; "details-hint"?: string; "max-chars"?: string }): {
  markerKey?: string;
  context?: string;
  detailsHint?: string;
  maxChars?: number;
} {
  const maxChars = positiveInt("max-chars", values["max-chars"]);
  return {
    ...(values.marker ? { markerKey: values.marker } : {}),
    ...(values.context ? { context: values.context } : {}),
    ...(values["details-hint"] ? { detailsHint: values["details-hint"] } : {}),
    ...(maxChars ? { maxChars } : {}),
  };
}
