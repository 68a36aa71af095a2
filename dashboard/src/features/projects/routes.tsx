import type { RouteObject } from "react-router";
import { CreateProjectPage, ProjectIndex, ProjectSettingsPage } from "./CreateProjectPage";
import { ProjectsPage } from "./ProjectsPage";

export const projectsRoutes: RouteObject[] = [
  { path: "/projects", element: <ProjectsPage /> },
  { path: "/projects/new", element: <CreateProjectPage /> },
];

export const projectsTabRoutes: RouteObject[] = [
  { index: true, element: <ProjectIndex /> },
  { path: "settings", element: <ProjectSettingsPage /> },
];
