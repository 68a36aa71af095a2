import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { LoadError, Spinner } from "../../components/Status";
import { flowQueryKey, setFlow, useFlow, useFlowSchema, useTemplates } from "./api";
import { loadDraft, loadLayout } from "./draft";
import { FlowBuilder } from "./FlowBuilder";
import { fromFlow, sameFlow, type Flow } from "./model";

/** The project's "flow" tab: loads the flow, the templates and the published schema, then the builder. */
export function FlowPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const current = useFlow(projectId);
  const templates = useTemplates();
  const schema = useFlowSchema();
  const start = useMemo(() => {
    if (!current.data) return null;
    const saved = fromFlow(current.data.flow, loadLayout(projectId));
    const draft = current.data.frozen ? null : loadDraft(projectId);
    const restored = !!draft && !sameFlow(draft.graph, saved);
    return { saved, initial: restored ? draft.graph : saved, restored };
  }, [current.data, projectId]);
  if (current.isPending || templates.isPending) return <Spinner label={t("common.loading")} />;
  if (current.error) return <LoadError error={current.error} onRetry={() => void current.refetch()} />;
  if (!start) return null;
  return (
    <FlowBuilder
      key={projectId}
      projectId={projectId}
      saved={start.saved}
      initial={start.initial}
      restoredDraft={start.restored}
      version={current.data.flowVersion}
      branches={current.data.flowVersion != null ? current.data.branches : null}
      frozen={current.data.frozen}
      templates={templates.data ?? []}
      schema={schema.data}
      save={async (flow: Flow) => {
        const answer = await setFlow(projectId, flow);
        // The tab shows the builder's own state from now on; a later visit reads the saved version.
        client.setQueryData(flowQueryKey(projectId), answer);
        return answer;
      }}
    />
  );
}
