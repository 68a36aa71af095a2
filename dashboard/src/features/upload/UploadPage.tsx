import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { projectQuery } from "../../app/ProjectShell";
import { SelectField } from "../../components/Field";
import { count } from "../../lib/format";
import { RESOURCE_TYPES, type ResourceType } from "./api";
import { GcsImportForm, ImportList, LinksForm, RefusedList, S3ImportForm } from "./DataForms";
import { UploadFiles } from "./UploadFiles";
import "./upload.css";

/** The project tab "upload" (the seed's 上传数据, and 补传数据 / Add Batch once the project runs). */
export function UploadPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const project = useQuery(projectQuery(projectId));
  const data = project.data?.projectData;
  const [chosen, setChosen] = useState<ResourceType | null>(null);
  // The resource type the server defaults imports to (docs/data-in.md); the person may pick another.
  const resourceType: ResourceType = chosen ?? (data?.projectType === "text_classification" ? "text" : "image");
  const started = data && data.projectStatus !== "draft";
  const onImport = () => void client.invalidateQueries({ queryKey: ["imports", projectId] });
  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">{started ? t("upload.addBatch") : t("upload.title")}</h2>
      <p>{started ? t("upload.addBatchIntro") : t("upload.intro")}</p>
      {data && (
        <p className="card" data-testid="item-count" aria-live="polite">
          {t("upload.itemCount", { count: data.projectItemQuantity, formatted: count(data.projectItemQuantity) })}
        </p>
      )}
      <SelectField
        label={t("upload.resourceType")}
        value={resourceType}
        onChange={(e) => setChosen(e.target.value as ResourceType)}
        options={RESOURCE_TYPES.map((value) => ({ value, label: t(`upload.types.${value}`) }))}
      />
      <UploadFiles projectId={projectId} resourceType={resourceType} />
      <LinksForm projectId={projectId} resourceType={resourceType} />
      <div className="upload-imports">
        <S3ImportForm projectId={projectId} resourceType={resourceType} onStarted={onImport} />
        <GcsImportForm projectId={projectId} resourceType={resourceType} onStarted={onImport} />
      </div>
      <ImportList projectId={projectId} />
      <RefusedList projectId={projectId} />
    </section>
  );
}
