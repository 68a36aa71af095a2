// Data in (docs/data-in.md): browser uploads to presigned links, links, bucket imports, refused files.
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type Schemas = components["schemas"];
export type ResourceType = Schemas["CreateUploadParams"]["resourceType"];
export type UploadFile = Schemas["UploadFile"];
export type CreateUploadData = Schemas["CreateUploadData"];
export type UploadTarget = Schemas["UploadTarget"];
export type CompleteUploadData = Schemas["CompleteUploadData"];
export type SubmitResourceData = Schemas["SubmitResourceData"];
export type ImportInfo = Schemas["ImportInfo"];
export type ImportS3Params = Schemas["ImportS3Params"];
export type ImportGCSParams = Schemas["ImportGCSParams"];
export type RefusedPage = Schemas["ListRefusedItemsData"];

export const RESOURCE_TYPES: ResourceType[] = ["image", "text", "audio", "graphic", "video"];
/** createUpload takes at most this many files a call (docs/data-in.md). */
export const FILES_PER_CALL = 100;

export const createUpload = (projectId: string, resourceType: ResourceType, files: UploadFile[]) =>
  dashboardCall<CreateUploadData>("projects/createUpload", { projectId, resourceType, files });
export const completeUpload = (projectId: string, keys: string[]) =>
  dashboardCall<CompleteUploadData>("projects/completeUpload", { projectId, keys });
export const submitResource = (projectId: string, resourceType: ResourceType, resourceURLs: string[]) =>
  dashboardCall<SubmitResourceData>("projects/submitResource", { projectId, resourceType, resourceURLs });
export const importS3 = (params: ImportS3Params) => dashboardCall<ImportInfo>("projects/importS3", params);
export const importGCS = (params: ImportGCSParams) => dashboardCall<ImportInfo>("projects/importGCS", params);
export const retrieveImport = (projectId: string, importId: string) =>
  dashboardCall<ImportInfo>("projects/retrieveImport", { projectId, importId });
export const listImports = (projectId: string) => dashboardCall<{ imports: ImportInfo[] }>("projects/listImports", { projectId });
export const listRefusedItems = (projectId: string, cursor: string | null) =>
  dashboardCall<RefusedPage>("projects/listRefusedItems", { projectId, limit: 20, ...(cursor ? { cursor } : {}) });

/** Links from pasted text or a CSV file: every http(s)/s3/gs token, in order, once. The server checks each. */
export function linksIn(text: string): string[] {
  const found = text.match(/(?:https?|s3|gs):\/\/[^\s,;"'<>]+/g) ?? [];
  return [...new Set(found)];
}
