import type { RouteObject } from "react-router";
import { UploadPage } from "./UploadPage";

export const uploadTabRoutes: RouteObject[] = [{ path: "upload", element: <UploadPage /> }];
