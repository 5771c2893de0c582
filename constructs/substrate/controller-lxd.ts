/**
 * The controller's LXD, prepared for MAAS and registered in MAAS as an LXD VM host: the storage pool the
 * VMs' disks live in, and LXD's trust of the certificate MAAS authenticates with.
 *
 * MAAS connects to LXD with the certificate and key it is given on the VM host; when LXD does not trust
 * that certificate, MAAS still saves the host but with 0 cores, and every compose fails. So LXD trusts
 * exactly the certificate handed to maas_vm_host. MAAS creates the LXD project it is told if it is missing,
 * and uses a profile only if one named `maas` exists in it; the stack therefore makes neither.
 */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { LxdProvider } from "../../.gen/providers/lxd/provider";
import { StoragePool } from "../../.gen/providers/lxd/storage-pool";
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

/** The client certificate MAAS presents to LXD, and its key (sensitive variable references). */
export interface MaasLxdCertificate {
  readonly certificate: string;
  readonly key: string;
}

export interface ControllerLxdProps {
  readonly site: Site;
  readonly credentials: LxdCredentials;
  readonly maasCertificate: MaasLxdCertificate;
}

export class ControllerLxd extends Construct {
  readonly provider: LxdProvider;
  readonly storagePool: StoragePool;
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
          // LXD's certificate is self-signed: pinning its fingerprint keeps every later plan verifying it
          // once the first run's trust token is spent.
          serverCertificateFingerprint: lxd.serverFingerprint,
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

    // The provider reads certificate and key back trimmed of surrounding whitespace: send them trimmed.
    const certificate = Fn.trimspace(props.maasCertificate.certificate);
    this.maasTrust = new TrustCertificate(this, "maas-trust", {
      name: "maas",
      type: "client",
      content: certificate,
    });

    this.vmHost = new VmHost(this, "vm-host", {
      type: "lxd",
      name: controller.hostname,
      powerAddress: lxd.address,
      certificate,
      key: Fn.trimspace(props.maasCertificate.key),
      project: lxd.project,
      // MAAS discovers the host's cores, memory and pools when it registers it: trust and pool come first.
      dependsOn: [this.maasTrust, this.storagePool],
    });
    protectFromDestroy(this.vmHost, site, controller.hostname);
  }
}
