/**
 * State backend per stack, from the site's `state` setting. Each stack gets its own state, keyed by
 * site name and stack name, so stacks plan and lock independently and several sites share one backend.
 * Backend credentials never come from here: S3 reads AWS_* variables, pg reads PG_CONN_STR, http reads
 * TF_HTTP_USERNAME/TF_HTTP_PASSWORD.
 */
import { isAbsolute } from "node:path";
import { HttpBackend, LocalBackend, PgBackend, type PgBackendConfig, S3Backend, TerraformBackend, TerraformStack } from "cdktf";
import type { Site } from "../site";

/**
 * Stack directories sit at <output folder>/stacks/<stack>, so a relative state directory is resolved from the folder
 * holding the output folder: the project root for cdktf.out. constructs/site/state-location.ts applies the same rule.
 */
export const OUTPUT_PARENT_FROM_STACK_DIR = "../../..";

export function configureBackend(stack: TerraformStack, site: Site, stackName: string): TerraformBackend {
  const state = site.state;
  switch (state.backend) {
    case "local": {
      const directory = isAbsolute(state.directory) ? state.directory : `${OUTPUT_PARENT_FROM_STACK_DIR}/${state.directory}`;
      return new LocalBackend(stack, { path: `${directory}/${site.name}/${stackName}.tfstate` });
    }
    case "s3":
      return new S3Backend(stack, {
        bucket: state.bucket,
        key: `${state.keyPrefix}/${site.name}/${stackName}.tfstate`,
        region: state.region,
        ...(state.endpoint ? { endpoints: { s3: state.endpoint }, usePathStyle: true, skipCredentialsValidation: true } : {}),
        ...(state.dynamodbTable ? { dynamodbTable: state.dynamodbTable } : { useLockfile: true }),
      });
    case "pg":
      // conn_str stays out of the JSON: the pg backend reads PG_CONN_STR at init.
      return new PgBackend(stack, {
        schemaName: `${state.schemaPrefix}_${site.name}_${stackName}`.replace(/[^a-zA-Z0-9_]/g, "_"),
      } as PgBackendConfig);
    case "http":
      return new HttpBackend(stack, {
        address: `${state.address.replace(/\/$/, "")}/${site.name}/${stackName}`,
        ...(state.lockAddress ? { lockAddress: `${state.lockAddress.replace(/\/$/, "")}/${site.name}/${stackName}` } : {}),
        ...(state.unlockAddress ? { unlockAddress: `${state.unlockAddress.replace(/\/$/, "")}/${site.name}/${stackName}` } : {}),
      });
  }
}
