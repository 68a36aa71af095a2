import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from "react-router";
import { ApiError } from "../lib/api";
import { Layout, RequireSignIn } from "./Layout";
import { NotFound } from "./NotFound";
import { ProjectShell } from "./ProjectShell";
import { routes } from "./routes";

const queryClient = new QueryClient({
  defaultOptions: {
    // Documented business errors (codes 2–28) are answers, not outages: retry only network and server failures.
    queries: {
      retry: (failures, error) => failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: false,
    },
  },
});

const tree: RouteObject[] = [
  ...routes.public,
  {
    element: <RequireSignIn />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/projects" replace /> },
          ...routes.signedIn,
          { path: "/projects/:projectId", element: <ProjectShell />, children: routes.projectTabs },
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];

const router = createBrowserRouter(tree);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
