/**
 * The site's Nova flavors, all public. Nova flavors are immutable: any change but the description
 * replaces the flavor (running instances keep a copy of theirs, so that is safe).
 */
import { Construct } from "constructs";
import { ComputeFlavorV2 } from "../../.gen/providers/openstack/compute-flavor-v2";
import type { Flavor } from "../site";

export interface FlavorsProps {
  readonly flavors: readonly Flavor[];
}

export class Flavors extends Construct {
  /** By flavor name. */
  readonly flavors: ReadonlyMap<string, ComputeFlavorV2>;

  constructor(scope: Construct, id: string, props: FlavorsProps) {
    super(scope, id);
    this.flavors = new Map(
      props.flavors.map((f) => [
        f.name,
        new ComputeFlavorV2(this, f.name, {
          name: f.name,
          vcpus: f.vcpus,
          ram: f.ramMiB,
          disk: f.diskGiB,
          ephemeral: f.ephemeralGiB,
          swap: f.swapMiB,
          isPublic: true,
          extraSpecs: Object.keys(f.extraSpecs).length > 0 ? { ...f.extraSpecs } : undefined,
        }),
      ]),
    );
  }
}
