/**
 * The OpenStack stack: one Juju model on the MAAS cloud with every machine, application and integration
 * of `planDeployment(site)`. Names and addresses come from the site model, never from another stack's state.
 *
 * The Juju provider dials its controller while planning, so this stack plans only once the juju-controller stack
 * has bootstrapped one. Its connection is explicit, from the variables juju_controller_addresses, juju_username,
 * juju_password and juju_ca_certificate (TF_VAR_*, the juju-controller stack's outputs): a provider missing any of
 * them would fall back to JUJU_* and then to the local juju CLI's current controller, whichever that is. Nothing
 * about the controller is written into the synthesized JSON.
 */
import { Annotations, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { JujuProvider } from "../../.gen/providers/juju/provider";
import { configureBackend } from "../common/backend";
import { protectFromDestroy, RemovalGuard } from "../common/protection";
import type { Site } from "../site";
import { CharmApplication } from "./charm-application";
import { planDeployment, type Deployment, type MachineKind } from "./deployment";
import { Integration } from "./integration";
import { JujuMachine } from "./juju-machine";
import { JujuModel } from "./juju-model";

/**
 * How long a new machine may take to reach "running". A worker is bare metal: MAAS powers it on, PXE boots and
 * installs it, and it reboots, with firmware POST each time (often minutes on servers); the provider's 30m is
 * too short for that. A control-plane VM is deployed by MAAS the same way, without the POST; a container starts
 * in minutes.
 */
const CREATE_TIMEOUT: Readonly<Record<MachineKind, string | undefined>> = { worker: "90m", "control-plane": "45m", container: undefined };

export interface OpenStackStackProps {
  readonly site: Site;
}

export class OpenStackStack extends TerraformStack {
  readonly deployment: Deployment;
  readonly model: JujuModel;
  /** Juju machines by plan key (hostname, or `<app>-on-<vm>` for containers). */
  readonly machines: ReadonlyMap<string, JujuMachine>;
  readonly applications: ReadonlyMap<string, CharmApplication>;

  constructor(scope: Construct, id: string, props: OpenStackStackProps) {
    super(scope, id);
    const { site } = props;
    const plan = planDeployment(site);
    this.deployment = plan;
    for (const warning of plan.warnings) Annotations.of(this).addWarning(warning);

    const backend = configureBackend(this, site, "openstack");
    const connection = (name: string, output: string, sensitive = false) => {
      const v = new TerraformVariable(this, name, {
        type: "string",
        nullable: false,
        sensitive,
        // run-stacks reads "output <name> of the <stack> stack" to say what to deploy first when it is not set.
        description: `Juju controller connection: output ${output} of the juju-controller stack; set TF_VAR_${name}.`,
      });
      v.overrideLogicalId(name);
      return v.stringValue;
    };
    new JujuProvider(this, "juju", {
      controllerAddresses: connection("juju_controller_addresses", "api_addresses (joined with commas)"),
      username: connection("juju_username", "username"),
      password: connection("juju_password", "password", true),
      caCertificate: connection("juju_ca_certificate", "ca_cert"),
    });

    this.model = new JujuModel(this, "model", plan.model);
    const modelUuid = this.model.uuid;

    // Hosts before containers: the plan lists machines in that order.
    const machines = new Map<string, JujuMachine>();
    for (const m of plan.machines) {
      const machine = new JujuMachine(this, m.name, {
        modelUuid,
        name: m.name,
        base: m.base,
        hostname: m.hostname,
        parent: m.parent ? machines.get(m.parent) : undefined,
        identity: m.pxeMac ? { pxe_mac_address: m.pxeMac } : m.parent ? { host: m.parent } : undefined,
        constraints: m.constraints,
        createTimeout: CREATE_TIMEOUT[m.kind],
      });
      machines.set(m.name, machine);
    }
    this.machines = machines;

    const statefulMachines = new Set(plan.applications.filter((a) => a.stateful).flatMap((a) => a.machines));
    for (const m of plan.machines) {
      // A worker or VM machine going away releases the host and every unit and container on it; a
      // container of a stateful unit holds its data. Both are lifted per physical host or VM.
      if (m.kind !== "container") protectFromDestroy(machines.get(m.name)!.machine, site, m.name);
      else if (statefulMachines.has(m.name)) protectFromDestroy(machines.get(m.name)!.machine, site, m.parent!);
    }

    const applications = new Map<string, CharmApplication>();
    for (const app of plan.applications) {
      const application = new CharmApplication(this, app.name, {
        modelUuid,
        name: app.name,
        charm: app.charm,
        channel: app.channel,
        revision: app.revision,
        base: app.base,
        machines: app.subordinate ? undefined : app.machines.map((key) => machines.get(key)!.machineId),
        config: app.config,
        constraints: app.constraints,
        bindings: app.bindings,
        trust: app.trust,
        expose: app.expose,
      });
      if (app.stateful) protectFromDestroy(application.application, site, app.name);
      applications.set(app.name, application);
    }
    this.applications = applications;

    for (const rel of plan.relations) {
      new Integration(this, `${rel.a.app}.${rel.a.endpoint}--${rel.b.app}.${rel.b.endpoint}`, {
        modelUuid,
        a: { application: applications.get(rel.a.app)!, endpoint: rel.a.endpoint },
        b: { application: applications.get(rel.b.app)!, endpoint: rel.b.endpoint },
      });
    }

    new RemovalGuard(this, "removal-guard", {
      site,
      backend,
      protectedHosts: plan.machines.filter((m) => m.kind !== "container").map((m) => m.name),
    });

    new TerraformOutput(this, "model_uuid", { value: modelUuid, description: "UUID of the OpenStack Juju model." });
  }
}
