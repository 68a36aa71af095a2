import { useQuery } from "@tanstack/react-query";
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";
import type { Flow } from "./model";

export type FlowData = Omit<components["schemas"]["FlowData"], "flow"> & { flow: Flow };
export type FlowTemplate = Omit<components["schemas"]["FlowTemplate"], "flow"> & { flow: Flow };

/** The parts of the published flow JSON schema (GET /api/v1/flow-schema.json) the side panel reads: each field's
 * bounds and default come from it, so the form and the server agree. */
export interface FlowSchema {
  $defs: Record<string, { properties?: Record<string, SchemaField>; enum?: string[] }>;
}
export interface SchemaField {
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxLength?: number;
  anyOf?: SchemaField[];
}

export const flowQueryKey = (projectId: string) => ["flow", projectId];

export function useFlow(projectId: string) {
  return useQuery({
    queryKey: flowQueryKey(projectId),
    queryFn: () => dashboardCall<FlowData>("projects/retrieveFlow", { projectId }),
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: ["flowTemplates"],
    queryFn: async () => (await dashboardCall<{ templates: FlowTemplate[] }>("flows/templates", {})).templates,
    staleTime: Infinity,
  });
}

export function useFlowSchema() {
  return useQuery({
    queryKey: ["flowSchema"],
    queryFn: async () => {
      const response = await fetch("/api/v1/flow-schema.json");
      if (!response.ok) throw new Error(`flow schema: HTTP ${response.status}`);
      return (await response.json()) as FlowSchema;
    },
    staleTime: Infinity,
  });
}

export const setFlow = (projectId: string, flow: Flow) => dashboardCall<FlowData>("projects/setFlow", { projectId, flow });
