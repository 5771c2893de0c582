/**
 * The substrate of a site: its networks, workers and the controller's VMs in MAAS, and the controller's
 * LXD that hosts those VMs.
 *
 * Secrets come only from the environment at plan time: MAAS_API_KEY (read by the MAAS provider and the
 * DHCP call), TF_VAR_ipmi_passwords / TF_VAR_ipmi_password, TF_VAR_lxd_client_certificate,
 * TF_VAR_lxd_client_key and, for the first run, TF_VAR_lxd_trust_token.
 */
import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { MaasProvider } from "../../.gen/providers/maas/provider";
import { Fabric } from "../../.gen/providers/maas/fabric";
import { Space } from "../../.gen/providers/maas/space";
import { ResourcePool } from "../../.gen/providers/maas/resource-pool";
import { Tag } from "../../.gen/providers/maas/tag";
import { Zone } from "../../.gen/providers/maas/zone";
import { DataMaasRackController } from "../../.gen/providers/maas/data-maas-rack-controller";
import { DataMaasSubnet } from "../../.gen/providers/maas/data-maas-subnet";
import { configureBackend } from "../common/backend";
import { RemovalGuard } from "../common/protection";
import { distinct, relayTargetFor, vmsWithRole, workersWithRole, VM_ROLES, WORKER_ROLES, type Site } from "../site";
import { NetworkSegment, type DhcpSource } from "./network-segment";
import { Worker } from "./worker";
import { ControllerLxd } from "./controller-lxd";
import { ControlPlaneVm } from "./control-plane-vm";

export interface SubstrateStackProps {
  readonly site: Site;
}

export class SubstrateStack extends TerraformStack {
  /** Segments by segment name. */
  readonly segments: ReadonlyMap<string, NetworkSegment>;
  /** Workers by hostname. */
  readonly workers: ReadonlyMap<string, Worker>;
  readonly controller: ControllerLxd;
  /** Controller VMs by hostname. */
  readonly vms: ReadonlyMap<string, ControlPlaneVm>;

  constructor(scope: Construct, id: string, props: SubstrateStackProps) {
    super(scope, id);
    const { site } = props;

    // api_key stays out of the configuration: the provider reads MAAS_API_KEY.
    new MaasProvider(this, "maas", { apiUrl: site.maas.url });
    const backend = configureBackend(this, site, "substrate");
    const secrets = new SubstrateVariables(this, "variables");

    this.segments = this.networks(site);

    const pools = new Map(
      distinct(site.workers.map((w) => w.pool))
        .filter((p) => p !== "default")
        .map((p) => [p, new ResourcePool(this, `pool-${p}`, { name: p, description: `Workers of site ${site.name} in pool ${p}` })]),
    );

    // MAAS ships the "default" zone; the site's other zones are the stack's.
    const zones = new Map(
      distinct(site.workers.map((w) => w.zone))
        .filter((z) => z !== "default")
        .map((z) => [z, new Zone(this, `zone-${z}`, { name: z, description: `Zone ${z} of site ${site.name}` })]),
    );

    this.workers = new Map(
      site.workers.map((w) => [
        w.hostname,
        new Worker(this, `worker-${w.hostname}`, {
          site,
          worker: w,
          segments: this.segments,
          bmcPassword: secrets.bmcPasswordFor(w.hostname),
          pool: pools.get(w.pool),
          zone: zones.get(w.zone),
        }),
      ]),
    );
    for (const role of WORKER_ROLES) {
      const machines = workersWithRole(site, role).map((w) => this.workers.get(w.hostname)!.machineId);
      if (machines.length > 0) new Tag(this, `tag-${role}`, { name: role, comment: `Workers with the ${role} role`, machines });
    }

    this.controller = new ControllerLxd(this, "controller", {
      site,
      credentials: { clientCertificate: secrets.lxdClientCertificate, clientKey: secrets.lxdClientKey, trustToken: secrets.lxdTrustToken },
      maasCertificate: { certificate: secrets.maasLxdCertificate, key: secrets.maasLxdKey },
    });

    this.vms = new Map(
      site.controller.vms.map((vm) => [
        vm.hostname,
        new ControlPlaneVm(this, `vm-${vm.hostname}`, { site, vm, host: this.controller, segments: this.segments }),
      ]),
    );
    // Juju places its controller and the control plane with tags=<role> constraints.
    for (const role of VM_ROLES) {
      const machines = vmsWithRole(site, role).map((vm) => this.vms.get(vm.hostname)!.machine.id);
      if (machines.length > 0) new Tag(this, `tag-${role}`, { name: role, comment: `Controller VMs with the ${role} role`, machines });
    }

    new RemovalGuard(this, "removal-guard", {
      site,
      backend,
      protectedHosts: [...this.workers.keys(), ...this.vms.keys(), site.controller.hostname],
    });

    this.outputs();
  }

  private networks(site: Site): Map<string, NetworkSegment> {
    // What MAAS discovered on the rack controller's interfaces: one subnet per segment the controller is on.
    const onController = new Set(site.controller.nics.map((n) => n.segment));
    const discovered = new Map(
      site.segments
        .filter((s) => onController.has(s.name))
        .map((s) => [s.name, new DataMaasSubnet(this, `discovered-${s.name}`, { cidr: s.cidr })]),
    );
    const fabrics = new Map(
      distinct(site.segments.map((s) => s.fabric)).map((name) => {
        const fabric = new Fabric(this, `fabric-${name}`, { name });
        // A fabric the controller is cabled to was made by MAAS: adopt it (and rename it to the site's name).
        const seen = site.segments.find((s) => s.fabric === name && discovered.has(s.name));
        if (seen) fabric.importFrom(discovered.get(seen.name)!.fabric);
        return [name, fabric] as const;
      }),
    );
    const spaces = new Map(distinct(site.segments.map((s) => s.space)).map((s) => [s, new Space(this, `space-${s}`, { name: s })]));
    // DHCP is served by the rack controller that runs on the site's controller, directly on the segments it is
    // cabled to, and through a relay on the others (remote racks' segments of the same purpose).
    const rack = site.segments.some((s) => s.dhcp)
      ? new DataMaasRackController(this, "rack-controller", { hostname: site.controller.hostname })
      : undefined;
    const segments = new Map<string, NetworkSegment>();
    // Served segments first, so relayed ones can point at them.
    const order = [...site.segments].sort((a, b) => Number(discovered.has(b.name)) - Number(discovered.has(a.name)));
    for (const s of order) {
      let dhcp: DhcpSource | undefined;
      if (s.dhcp && rack) {
        const relayTo = relayTargetFor(site, s);
        dhcp = relayTo ? { relayTo: segments.get(relayTo.name)! } : { rack };
      }
      segments.set(
        s.name,
        new NetworkSegment(this, `segment-${s.name}`, {
          segment: s,
          fabric: fabrics.get(s.fabric)!,
          space: spaces.get(s.space)!,
          discovered: discovered.get(s.name),
          dhcp,
        }),
      );
    }
    return new Map(site.segments.map((s) => [s.name, segments.get(s.name)!]));
  }

  private outputs(): void {
    const ids = <T>(entries: ReadonlyMap<string, T>, id: (value: T) => string) => Object.fromEntries([...entries].map(([k, v]) => [k, id(v)]));
    new TerraformOutput(this, "vm_host_id", { value: this.controller.vmHost.id, description: "MAAS ID of the controller's LXD VM host." });
    new TerraformOutput(this, "machine_ids", {
      value: { ...ids(this.workers, (w) => w.machineId), ...ids(this.vms, (v) => v.machine.id) },
      description: "MAAS system ID of every worker and controller VM, by hostname.",
    });
    new TerraformOutput(this, "subnet_ids", { value: ids(this.segments, (s) => s.subnet.id), description: "MAAS subnet ID of every segment, by segment name." });
  }
}

/**
 * The stack's inputs that are not in the site file. Logical names are fixed: operators export them as
 * TF_VAR_<name>.
 */
class SubstrateVariables extends Construct {
  readonly lxdClientCertificate: string;
  readonly lxdClientKey: string;
  readonly lxdTrustToken: string;
  readonly maasLxdCertificate: string;
  readonly maasLxdKey: string;
  /** References to the two password variables, made once and shared by every worker. */
  private readonly ipmiPasswords: string;
  private readonly ipmiPassword: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.ipmiPasswords = this.variable("ipmi_passwords", {
      type: "map(string)",
      sensitive: true,
      default: {},
      description: "BMC (IPMI/Redfish) password per worker hostname; workers not listed use ipmi_password.",
    }).value;
    this.ipmiPassword = this.variable("ipmi_password", {
      type: "string",
      sensitive: true,
      description: "BMC (IPMI/Redfish) password of every worker not in ipmi_passwords.",
    }).stringValue;
    this.lxdClientCertificate = this.variable("lxd_client_certificate", {
      type: "string",
      sensitive: true,
      description: "PEM client certificate Terraform presents to the controller's LXD.",
    }).stringValue;
    this.lxdClientKey = this.variable("lxd_client_key", {
      type: "string",
      sensitive: true,
      description: "PEM private key of lxd_client_certificate.",
    }).stringValue;
    const trustToken = this.variable("lxd_trust_token", {
      type: "string",
      sensitive: true,
      nullable: true,
      description: "First run only: an LXD trust token (lxc config trust add) that makes LXD trust lxd_client_certificate.",
    });
    // Optional: null leaves the provider's trust_token unset once the certificate is trusted.
    trustToken.addOverride("default", null);
    this.lxdTrustToken = trustToken.stringValue;
    const maasCertificate = this.variable("maas_lxd_certificate", {
      type: "string",
      description: "PEM client certificate MAAS authenticates to LXD with; LXD trusts exactly this one, so MAAS can register the controller as a VM host.",
    });
    maasCertificate.addValidation({
      condition: '${can(regex("-----BEGIN CERTIFICATE-----", var.maas_lxd_certificate))}',
      errorMessage: "maas_lxd_certificate must be a PEM certificate (-----BEGIN CERTIFICATE-----); make one with openssl req -x509 (README, Secrets).",
    });
    this.maasLxdCertificate = maasCertificate.stringValue;
    const maasKey = this.variable("maas_lxd_key", {
      type: "string",
      sensitive: true,
      description: "PEM private key of maas_lxd_certificate; MAAS keeps it to reach LXD.",
    });
    maasKey.addValidation({
      condition: '${can(regex("-----BEGIN [A-Z ]*PRIVATE KEY-----", var.maas_lxd_key))}',
      errorMessage: "maas_lxd_key must be the PEM private key (-----BEGIN PRIVATE KEY-----) of maas_lxd_certificate.",
    });
    this.maasLxdKey = maasKey.stringValue;
  }

  /** The worker's BMC password: its entry in ipmi_passwords, else ipmi_password. */
  bmcPasswordFor(hostname: string): string {
    return Fn.lookup(this.ipmiPasswords, hostname, this.ipmiPassword);
  }

  private variable(name: string, config: ConstructorParameters<typeof TerraformVariable>[2]): TerraformVariable {
    const variable = new TerraformVariable(this, name, config);
    variable.overrideLogicalId(name);
    return variable;
  }
}
