/**
 * The one place the day-one commands start other programs (juju, gpg, openstack, ping). A secret goes to a
 * child only through its stdin or its environment, never its argv: `ps` shows every process's command line
 * to every user of the machine, and shells and audit logs keep it. A command line carrying a known secret
 * is refused before anything starts.
 */
import { spawnSync } from "node:child_process";
import { Secret } from "./secret";
import { UserError } from "./user-error";

export interface Command {
  readonly program: string;
  readonly args: readonly string[];
  /** Fed to the child's stdin; a Buffer for binary data such as an encrypted share. */
  readonly stdin?: Secret | string | Buffer;
  /** Added to the child's environment. */
  readonly env?: Readonly<Record<string, Secret | string>>;
  /** Milliseconds before the child is killed; default 20 minutes (a server boot or a slow action). */
  readonly timeoutMs?: number;
}

export interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (command: Command) => Result;

const INSTALL_HINTS: Record<string, string> = {
  juju: "install it (snap install juju --channel 3.6/stable) and log in to the controller (docs/openstack.md)",
  gpg: "install GnuPG (apt install gnupg) and import your private key",
  openstack: "install the OpenStack client (snap install openstackclients, or apt install python3-openstackclient)",
  ping: "install iputils-ping",
};

/** Runs commands with `baseEnv` (the operator's environment) plus each command's own env. */
export function processRunner(baseEnv: NodeJS.ProcessEnv): Runner {
  return (command) => {
    for (const arg of [command.program, ...command.args]) {
      if (Secret.occursIn(arg)) throw new Error(`internal error: refusing to run ${command.program} with a secret on its command line`);
    }
    const env: NodeJS.ProcessEnv = { ...baseEnv };
    for (const [key, value] of Object.entries(command.env ?? {})) env[key] = value instanceof Secret ? value.reveal() : value;
    const input = command.stdin instanceof Secret ? command.stdin.reveal() : command.stdin;
    const child = spawnSync(command.program, command.args, {
      env,
      input,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: command.timeoutMs ?? 20 * 60 * 1000,
    });
    if (child.error) {
      const code = (child.error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        throw new UserError(`${command.program} is not installed or not on PATH; ${INSTALL_HINTS[command.program] ?? "install it"}`);
      }
      if (code === "ETIMEDOUT") throw new UserError(`${command.program} ${command.args[0] ?? ""} did not finish in time and was stopped; check that its target is reachable and rerun`);
      throw child.error;
    }
    return { status: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
  };
}
