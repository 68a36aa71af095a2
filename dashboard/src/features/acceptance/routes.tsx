import type { RouteObject } from "react-router";
import { AcceptanceTab } from "./AcceptanceTab";

export const acceptanceTabRoutes: RouteObject[] = [{ path: "results", element: <AcceptanceTab /> }];
