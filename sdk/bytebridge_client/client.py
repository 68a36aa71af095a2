"""Client: every call of the client API (bytebridge_client.endpoints), plus what takes several calls: iterating
all results, accepting in bulk, uploading folders, exporting to a file, watching a project to its end."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Callable

from bytebridge_client import models as m
from bytebridge_client.config import resolve
from bytebridge_client.endpoints import Endpoints
from bytebridge_client.signing import MD5
from bytebridge_client.transport import Transport
from bytebridge_client.uploads import Progress, UploadReport, find_files, upload

ACCEPT_BATCH = 1000  # acceptResults takes this many item ids per call
FINAL_STATUSES = frozenset({"completed", "deleted", "ended"})


class Client(Endpoints):
    """Signed calls for one account. Credentials come from the arguments, else BYTEBRIDGE_USER_ID /
    BYTEBRIDGE_SECRET_KEY / BYTEBRIDGE_BASE_URL, else ~/.config/bytebridge/config.yaml."""

    def __init__(
        self,
        user_id: str | None = None,
        secret_key: str | None = None,
        base_url: str | None = None,
        *,
        sign_type: str = MD5,
        timeout: float = 60.0,
        max_retries: int = 4,
    ):
        self._transport = Transport(
            resolve(user_id, secret_key, base_url), sign_type=sign_type, timeout=timeout, max_retries=max_retries
        )

    @property
    def user_id(self) -> str:
        return self._transport.credentials.user_id

    def call(self, path: str, params: dict | None = None) -> Any:
        """Any signed call by path, untyped: its `data`."""
        return self._transport.call(path, params)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    # ---- results ------------------------------------------------------------------------------------------

    def iter_results(self, project_id: str, *, page_size: int = 100, **filters: Any) -> Iterator[m.ResultRecord]:
        """Every result of the project (filters as listResults takes them), fetched a page at a time."""
        cursor: str | None = None
        while True:
            page = self.list_results(projectId=project_id, limit=page_size, cursor=cursor, **filters)
            yield from page.items
            if not page.nextCursor:
                return
            cursor = page.nextCursor

    def accept_all(self, project_id: str, decision: str = "accept", comment: str | None = None) -> int:
        """Accept (or reject) every result still pending; returns how many changed."""
        pending = [r.itemId for r in self.iter_results(project_id, acceptance="pending", status="completed")]
        changed = 0
        for start in range(0, len(pending), ACCEPT_BATCH):
            batch = pending[start : start + ACCEPT_BATCH]
            done = self.accept_results(projectId=project_id, itemIds=batch, decision=decision, comment=comment)
            changed += len(done.changed)
        return changed

    # ---- data in ------------------------------------------------------------------------------------------

    def upload_paths(
        self,
        project_id: str,
        paths: Iterable[str | Path],
        resource_type: str = "image",
        workers: int = 8,
        progress: Progress | None = None,
    ) -> UploadReport:
        """Upload files, and folders' files of the resource type, as the project's items."""
        files = find_files([Path(p) for p in paths], resource_type)
        if not files:
            raise ValueError(f"no {resource_type} files in {', '.join(map(str, paths))}")
        return upload(self, self._transport.session, project_id, files, resource_type, workers, progress)

    # ---- exports ------------------------------------------------------------------------------------------

    def wait_for_export(
        self, project_id: str, export_id: str, poll_seconds: float = 1.0, timeout: float = 3600
    ) -> m.ExportInfo:
        deadline = time.monotonic() + timeout
        while True:
            info = self.retrieve_export(projectId=project_id, exportId=export_id)
            if info.status.value in ("done", "failed"):
                return info
            if time.monotonic() > deadline:
                raise TimeoutError(f"export {export_id} still {info.status.value} after {timeout} s")
            time.sleep(poll_seconds)

    def export_to_file(
        self, project_id: str, fmt: str, path: str | Path, progress: Progress | None = None
    ) -> m.ExportInfo:
        """Request an export, wait for it, and download it to `path` (streamed)."""
        started = self.export_result(projectId=project_id, format=fmt)
        info = self.wait_for_export(project_id, started.exportId)
        if info.status.value != "done" or not info.downloadURL:
            raise RuntimeError(f"export {started.exportId} {info.status.value}: {info.error}")
        with self._transport.session.get(info.downloadURL, stream=True, timeout=600) as answer:
            answer.raise_for_status()
            with Path(path).open("wb") as out:
                for chunk in answer.iter_content(chunk_size=1 << 20):
                    out.write(chunk)
                    if progress:
                        progress(len(chunk))
        return info

    # ---- progress -----------------------------------------------------------------------------------------

    def watch(
        self,
        project_id: str,
        poll_seconds: float = 2.0,
        until: Callable[[m.RetrieveProjectData], bool] = lambda p: p.projectData.projectStatus in FINAL_STATUSES,
    ) -> Iterator[m.RetrieveProjectData]:
        """The project's state every `poll_seconds`, until `until` holds (by default: it completed or ended)."""
        while True:
            current = self.retrieve_project(projectId=project_id)
            yield current
            if until(current):
                return
            time.sleep(poll_seconds)
