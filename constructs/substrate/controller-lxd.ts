/**
 * The controller's LXD, prepared for MAAS and registered in MAAS as an LXD VM host: storage pool,
 * project, bridge profiles, and trust for MAAS's client certificate.
 *
 * Trust: the MAAS provider v2.4.0 passes only power_address/power_user/power_pass to MAAS (no
 * certificate, key or project), and LXD no longer accepts trust passwords, so the working route is to
 * trust the certificate MAAS presents to LXD here, before the VM host is registered.
 */
import { Construct } from "constructs";
import { LxdProvider } from "../../.gen/providers/lxd/provider";
import { StoragePool } from "../../.gen/providers/lxd/storage-pool";
import { Project } from "../../.gen/providers/lxd/project";
import { Profile } from "../../.gen/providers/lxd/profile";
import { TrustCertificate } from "../../.gen/providers/lxd/trust-certificate";
import { VmHost } from "../../.gen/providers/maas/vm-host";
import { protectFromDestroy } from "../common/protection";
import type { Site } from "../site";

export interface LxdCredentials {
  /** PEM client certificate Terraform uses towards LXD (a sensitive variable reference). */
  readonly clientCertificate: string;
  /** PEM private key of that certificate (a sensitive variable reference). */
  readonly clientKey: string;
  /**
   * A one-time LXD trust token (`lxc config trust add`) that makes LXD trust the client certificate on
   * first contact; null once it is trusted.
   * @default - the client certificate is already trusted
   */
  readonly trustToken?: string;
}

export interface ControllerLxdProps {
  readonly site: Site;
  readonly credentials: LxdCredentials;
  /** The public certificate MAAS presents to LXD (not secret). */
  readonly maasCertificate: string;
}

export class ControllerLxd extends Construct {
  readonly provider: LxdProvider;
  readonly storagePool: StoragePool;
  readonly project: Project;
  /** One profile per bridged segment, by segment name. */
  readonly profiles: ReadonlyMap<string, Profile>;
  readonly maasTrust: TrustCertificate;
  /** The LXD host as a MAAS VM host; VMs are composed on it. */
  readonly vmHost: VmHost;

  constructor(scope: Construct, id: string, props: ControllerLxdProps) {
    super(scope, id);
    const { site } = props;
    const controller = site.controller;
    const lxd = controller.lxd;

    this.provider = new LxdProvider(this, "provider", {
      defaultRemote: controller.hostname,
      remote: [
        {
          name: controller.hostname,
          address: lxd.address,
          clientCertificate: props.credentials.clientCertificate,
          clientKey: props.credentials.clientKey,
          trustToken: props.credentials.trustToken,
        },
      ],
    });

    const pool = lxd.storagePool;
    this.storagePool = new StoragePool(this, "storage-pool", {
      name: pool.name,
      driver: pool.driver,
      // Without a source LXD makes a loop file; size it to the VM capacity the site plans for (dir has no size).
      config: pool.source ? { source: pool.source } : pool.driver === "dir" ? undefined : { size: `${controller.capacity.diskGiB}GiB` },
    });
    protectFromDestroy(this.storagePool, site, controller.hostname);

    this.project = new Project(this, "project", {
      name: lxd.project,
      description: `VMs MAAS composes on ${controller.hostname} for site ${site.name}`,
    });

    const profiles = new Map<string, Profile>();
    for (const [segment, bridge] of Object.entries(lxd.bridges)) {
      profiles.set(
        segment,
        new Profile(this, `profile-${segment}`, {
          name: segment,
          project: this.project.name,
          description: `Attaches a VM to the ${segment} network through bridge ${bridge}`,
          device: [{ name: segment, type: "nic", properties: { nictype: "bridged", parent: bridge } }],
        }),
      );
    }
    this.profiles = profiles;

    this.maasTrust = new TrustCertificate(this, "maas-trust", {
      name: "maas",
      type: "client",
      content: props.maasCertificate,
    });

    this.vmHost = new VmHost(this, "vm-host", {
      type: "lxd",
      name: controller.hostname,
      powerAddress: lxd.address,
      // MAAS reads pools, project and networks when it registers the host, so they must exist first.
      dependsOn: [this.maasTrust, this.storagePool, this.project, ...profiles.values()],
    });
    protectFromDestroy(this.vmHost, site, controller.hostname);
  }
}
