// Exports (docs/exports.md): request one, watch it (retrieveExport), download it, list the project's earlier ones.
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type S = components["schemas"];
export type ExportFormat = S["ExportFormat"];
export type ExportInfo = S["ExportInfo"];

export const ALL_FORMATS: ExportFormat[] = ["json", "coco", "voc", "labelme", "ner_jsonl", "conll", "coco_text", "webvtt", "srt", "coco_video", "mot"];

/** The formats that keep a task type's answers (fully or in part): docs/exports.md's table, from
 * bytebridge.exports.capabilities.CAPABILITIES. Only a guide for the choice: the server exports any format, skipping and
 * counting the answers a format cannot hold. */
const FORMATS_BY_TASK: Record<string, ExportFormat[]> = {
  single_choice: ["json", "coco", "labelme"],
  multiple_choice: ["json", "coco", "labelme"],
  rectangle_frame_select: ["json", "coco", "voc", "labelme"],
  free_point: ["json", "coco", "labelme"],
  stroke: ["json", "labelme"],
  cube_circle: ["json", "coco", "voc", "labelme"],
  rotated_box: ["json", "coco", "voc", "labelme"],
  polygon: ["json", "coco", "voc", "labelme"],
  segmentation: ["json", "coco", "voc", "labelme"],
  transcription: ["json", "coco"],
  text_spans: ["json", "ner_jsonl", "conll"],
  ocr_regions: ["json", "coco_text"],
  keypoint_skeleton: ["json", "coco"],
  audio_segments: ["json", "webvtt", "srt"],
  video_events: ["json"],
  video_detection: ["json", "coco_video"],
  video_tracking: ["json", "coco_video", "mot"],
};

export function formatsFor(taskType: string | null | undefined): ExportFormat[] {
  return (taskType && FORMATS_BY_TASK[taskType]) || ALL_FORMATS;
}

export const exportsQuery = (projectId: string) => ({
  queryKey: ["exports", projectId],
  queryFn: () => dashboardCall<S["ListExportsData"]>("projects/listExports", { projectId }),
});
export const exportQuery = (projectId: string, exportId: string) => ({
  queryKey: ["export", projectId, exportId],
  queryFn: () => dashboardCall<ExportInfo>("projects/retrieveExport", { projectId, exportId }),
});
export const requestExport = (projectId: string, format: ExportFormat) =>
  dashboardCall<S["ExportResultData"]>("projects/exportResult", { projectId, format });
