/** The manifest layer: load, validate and describe desired-state manifests (contract §1). */
export { compareManifestErrors, formatManifestError } from "./errors";
export { functionNameOf } from "./function-name";
export { buildManifestJsonSchema } from "./json-schema";
export { type LoadResult, loadDesiredState, MAX_ALIAS_COUNT } from "./load";
export { MAX_MANIFEST_FILE_BYTES } from "./manifest-files";
export {
  accessPointManifestSchema,
  accessPointSpecSchema,
  fileSystemManifestSchema,
  fileSystemSpecSchema,
  lambdaFunctionManifestSchema,
  lambdaFunctionSpecSchema,
  type ManifestDocument,
  manifestSchema,
  manifestSchemaByKind,
  metadataSchema,
} from "./schema";
export * from "./types";
