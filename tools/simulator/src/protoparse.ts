/** Parses the protocol files into a protobufjs JSON descriptor (build time only). */
import * as path from "node:path";
import * as protobuf from "protobufjs";

export const PROTO_FILES = ["tfplugin6.proto", "goplugin.proto", "health.proto"];

export function parseProtoFiles(dir: string): protobuf.INamespace {
  const root = new protobuf.Root();
  root.loadSync(
    PROTO_FILES.map((f) => path.join(dir, f)),
    { keepCase: true },
  );
  return root.toJSON();
}
