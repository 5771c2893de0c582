/**
 * The juju CLI as the day-one commands use it, always against the site's model (`-m controller:model`), so
 * nothing depends on which model `juju switch` last chose. Output shapes are Juju 3's:
 *
 * - `juju status --format json`: applications.<app>.units.<unit>.{workload-status,juju-status}.current,
 *   `leader`, subordinate units under their principal's `subordinates`, machines.<id>.containers.
 * - `juju run <unit> <action> --format json` and `juju exec --unit <unit> --format json`: a map keyed by unit
 *   with `status` (completed or failed), `message` and `results`. An action that fails through action-fail
 *   still exits 0 with status failed, and one Juju refuses to schedule (an unknown parameter) prints nothing
 *   on stdout, so both are read from the output, not from the exit code.
 * - `juju ssh --pty=false <unit> <command>` runs the command through the unit's shell with our stdin.
 */
import type { Runner } from "./run";
import { Secret } from "./secret";
import { UserError } from "./user-error";

export interface StatusInfo {
  readonly current?: string;
  readonly message?: string;
}

export interface UnitStatus {
  readonly "workload-status"?: StatusInfo;
  readonly "juju-status"?: StatusInfo;
  readonly leader?: boolean;
  readonly machine?: string;
  readonly subordinates?: Readonly<Record<string, UnitStatus>>;
}

export interface ApplicationStatus {
  readonly units?: Readonly<Record<string, UnitStatus>>;
  readonly "subordinate-to"?: readonly string[];
}

export interface MachineStatus {
  readonly "juju-status"?: StatusInfo;
  readonly "machine-status"?: StatusInfo;
  readonly hostname?: string;
  readonly "instance-id"?: string;
  readonly containers?: Readonly<Record<string, MachineStatus>>;
}

export interface JujuStatus {
  readonly machines: Readonly<Record<string, MachineStatus>>;
  readonly applications: Readonly<Record<string, ApplicationStatus>>;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface TaskOutput {
  readonly status?: string;
  readonly message?: string;
  readonly results?: Record<string, unknown>;
}

const LOGIN_HINT = "check that this machine is logged in to the controller (juju whoami) and that the model exists (juju models)";

export class Juju {
  constructor(
    private readonly run: Runner,
    /** `controller:model`, from the site file. */
    readonly model: string,
  ) {}

  status(): JujuStatus {
    const result = this.run({ program: "juju", args: ["status", "-m", this.model, "--format", "json"] });
    if (result.status !== 0) throw new UserError(`juju status -m ${this.model} failed: ${firstLines(result.stderr)}; ${LOGIN_HINT}`);
    const parsed = parseJson(result.stdout, "juju status") as Partial<JujuStatus>;
    return { machines: parsed.machines ?? {}, applications: parsed.applications ?? {} };
  }

  /** The application's units, leader first; an error naming the application when it has none. */
  units(status: JujuStatus, application: string): string[] {
    const units = Object.entries(status.applications[application]?.units ?? {});
    if (units.length === 0) throw new UserError(`the model ${this.model} has no ${application} units; deploy the openstack stack first (cdktf deploy openstack)`);
    return units.sort(([, a], [, b]) => Number(Boolean(b.leader)) - Number(Boolean(a.leader))).map(([name]) => name);
  }

  /**
   * Runs a charm action and returns its results. Plain params go on the command line; `secrets` go as a YAML
   * params file read from our stdin (`--params /dev/stdin`): `juju run` reads --params with ReadFile, and
   * the snap's AppArmor profile lets it open its own /dev/stdin.
   */
  action(unit: string, action: string, params: Readonly<Record<string, string>> = {}, secrets: Readonly<Record<string, Secret>> = {}): Record<string, unknown> {
    const args = ["run", "-m", this.model, unit, action, "--format", "json", "--wait", "10m"];
    for (const [key, value] of Object.entries(params)) args.push(`${key}=${value}`);
    const secretKeys = Object.keys(secrets);
    if (secretKeys.length > 0) args.push("--params", "/dev/stdin");
    const yaml = secretKeys.map((key) => `${key}: ${JSON.stringify(secrets[key]!.reveal())}\n`).join("");
    const result = this.run({ program: "juju", args, ...(secretKeys.length > 0 ? { stdin: new Secret(yaml) } : {}) });
    const task = this.task(result.stdout, result.stderr, `juju run ${unit} ${action}`);
    if (task.status !== "completed") {
      throw new UserError(`the ${action} action on ${unit} ${task.status ?? "did not complete"}: ${task.message ?? "no message"}; see juju show-task for details`);
    }
    return task.results ?? {};
  }

  /** Runs a shell command on a unit as root, in a hook context (leader-get, network-get work). */
  exec(unit: string, command: string): ExecResult {
    const result = this.run({ program: "juju", args: ["exec", "-m", this.model, "--unit", unit, "--format", "json", "--", command] });
    const task = this.task(result.stdout, result.stderr, `juju exec --unit ${unit}`);
    const out = task.results ?? {};
    return { code: Number(out["return-code"] ?? 0), stdout: String(out.stdout ?? ""), stderr: String(out.stderr ?? "") };
  }

  /** Runs a shell script on a unit as the ubuntu user, `stdin` piped to it. */
  ssh(unit: string, script: string, stdin?: Secret | string) {
    return this.run({ program: "juju", args: ["ssh", "-m", this.model, "--pty=false", unit, script], ...(stdin !== undefined ? { stdin } : {}) });
  }

  private task(stdout: string, stderr: string, what: string): TaskOutput {
    if (stdout.trim() === "") throw new UserError(`${what} did not run: ${firstLines(stderr) || "juju printed nothing"}; ${LOGIN_HINT}`);
    const byUnit = parseJson(stdout, what) as Record<string, TaskOutput>;
    const task = Object.values(byUnit)[0];
    if (!task) throw new UserError(`${what} returned no task; ${LOGIN_HINT}`);
    return task;
  }
}

/** The first lines of a CLI's error output, secrets scrubbed, for a one-line message. */
export function firstLines(text: string, lines = 3): string {
  return Secret.scrub(text.trim().split("\n").slice(0, lines).join(" ").trim());
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${what} printed something that is not JSON (${firstLines(text, 1).slice(0, 80)}); is this the juju 3 CLI?`);
  }
}
