/**
 * A public Glance image whose file is checked against the site's SHA-256 before it is uploaded.
 *
 * The provider cannot do that check: its verify_checksum only compares Glance's MD5 of the upload with the
 * MD5 of the file it sent (providers/schemas/openstack.meta.json). So a `verified` step runs first at
 * apply: it downloads the URL into the image cache (or takes the site's file), checks the SHA-256, and
 * stops the apply on a mismatch; the image then uploads exactly that file (local_file_path), and
 * verify_checksum confirms Glance received it intact.
 *
 * Every argument that replaces the image is also a trigger of the step, so a replacement always finds the
 * verified file on the machine that applies. The path keeps the checksum in its name (the site model):
 * a new checksum is a new file and a new image, made before the old one goes (Glance refuses to delete an
 * image that Ceph-backed instances still clone, and that must not block the new one).
 */
import * as path from "node:path";
import { Construct } from "constructs";
import { ImagesImageV2 } from "../../.gen/providers/openstack/images-image-v2";
import { OUTPUT_PARENT_FROM_STACK_DIR } from "../common/backend";
import { TerraformData } from "../common/terraform-data";
import type { Image as ImageModel } from "../site";

export interface CloudImageProps {
  readonly image: ImageModel;
  /** The site's image cache, as the site gives it (absolute or relative to the project). */
  readonly cache: string;
}

export class CloudImage extends Construct {
  readonly verified: TerraformData;
  readonly image: ImagesImageV2;

  constructor(scope: Construct, id: string, props: CloudImageProps) {
    super(scope, id);
    const { image } = props;
    // Relative to the stack directory, where terraform runs, like the local state: the same on every machine.
    const fromStack = (p: string) => (path.isAbsolute(p) ? p : `${OUTPUT_PARENT_FROM_STACK_DIR}/${p}`);
    const file = fromStack(image.localFile);

    this.verified = new TerraformData(this, "verified", {
      triggersReplace: {
        url: image.url ?? null,
        file,
        sha256: image.sha256,
        disk_format: image.diskFormat,
        container_format: image.containerFormat,
      },
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["/bin/sh", "-c"],
          command: VERIFY_IMAGE_SCRIPT,
          environment: { IMAGE_NAME: image.name, IMAGE_URL: image.url ?? "", IMAGE_FILE: file, IMAGE_SHA256: image.sha256 },
        },
      ],
    });

    this.image = new ImagesImageV2(this, "image", {
      name: image.name,
      localFilePath: file,
      // Unused with local_file_path, but its default is $HOME/.terraform/image_cache: machines with different
      // homes (a workstation, the CI runner) would each plan an update of it.
      imageCachePath: fromStack(props.cache),
      diskFormat: image.diskFormat,
      containerFormat: image.containerFormat,
      visibility: "public",
      verifyChecksum: true,
      minDiskGb: image.minDiskGiB,
      minRamMb: image.minRamMiB,
      properties: Object.keys(image.properties).length > 0 ? { ...image.properties } : undefined,
      dependsOn: [this.verified],
      lifecycle: { createBeforeDestroy: true },
    });
    // Terraform's JSON syntax takes lifecycle references as plain addresses, without ${}.
    this.image.addOverride("lifecycle.replace_triggered_by", [`${this.verified.terraformResourceType}.${this.verified.friendlyUniqueId}`]);
  }
}

/**
 * Download (URL images, unless a matching file is already cached) and check the SHA-256. `$VAR` without braces so
 * Terraform does not interpolate it. A bad download is removed, so the next apply fetches it again.
 */
const VERIFY_IMAGE_SCRIPT = [
  "set -eu",
  'sum() { sha256sum "$1" | cut -d" " -f1; }',
  'if [ -n "$IMAGE_URL" ] && ! { [ -s "$IMAGE_FILE" ] && [ "$(sum "$IMAGE_FILE")" = "$IMAGE_SHA256" ]; }; then',
  '  mkdir -p "$(dirname "$IMAGE_FILE")"',
  '  curl -fsSL --retry 3 -o "$IMAGE_FILE.part" "$IMAGE_URL"',
  '  mv "$IMAGE_FILE.part" "$IMAGE_FILE"',
  "fi",
  '[ -f "$IMAGE_FILE" ] || { echo "image $IMAGE_NAME: $IMAGE_FILE is not on this machine; put it there or give the image a url (docs/cloud.md)" >&2; exit 1; }',
  'actual=$(sum "$IMAGE_FILE")',
  'if [ "$actual" != "$IMAGE_SHA256" ]; then',
  '  echo "image $IMAGE_NAME: $IMAGE_FILE has SHA-256 $actual but the site file says $IMAGE_SHA256; nothing was uploaded. Compare with the checksum published beside the image and fix cloud.images[].sha256 or the url" >&2',
  '  if [ -n "$IMAGE_URL" ]; then rm -f "$IMAGE_FILE"; fi',
  "  exit 1",
  "fi",
  'echo "image $IMAGE_NAME: $IMAGE_FILE has the SHA-256 the site file gives"',
].join("\n");
