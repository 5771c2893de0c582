export * from "./model";
export { loadSite, parseSite, readPgpKeyFile, resolveSitePath, selectionFromEnvironment, SiteError, PROJECT_ROOT, SITES_DIR, DEFAULT_SITE } from "./load";
export type { SiteSelection } from "./load";
export { defaultGateways, DEFAULT_GATEWAY_COUNT } from "./gateways";
export { localStateFolder, unignoredStateWarning } from "./state-location";
export type { Problem } from "./rules";
export { siteFileSchema, SEGMENT_PURPOSES, WORKER_ROLES, VM_ROLES } from "./schema";
export type { SiteFile } from "./schema";
