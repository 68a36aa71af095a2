"""Local files into a project through the web-upload path: createUpload (100 files per batch) hands out a presigned
POST per file (or presigned PUTs per part above 64 MiB), the bytes go straight to storage from parallel workers,
completeUpload adds them as items. Progress is reported in bytes."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests

from bytebridge_client import models as m
from bytebridge_client.endpoints import Endpoints

FILES_PER_BATCH = 100
MEDIA_SUFFIXES = {
    "image": {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"},
    "audio": {".mp3", ".wav", ".flac", ".m4a"},
    "video": {".mp4", ".webm", ".mov"},
    "text": {".txt"},
}

Progress = Callable[[int], None]  # called with the bytes just sent


@dataclass
class UploadReport:
    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    refused: list[m.RefusedObject] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def find_files(paths: Iterable[Path], resource_type: str) -> list[Path]:
    """Files named, and the files of folders named (recursively) whose suffix fits the resource type."""
    suffixes = MEDIA_SUFFIXES.get(resource_type, set())
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            found.append(path)
    return found


def _batches(files: list[Path]) -> Iterator[list[Path]]:
    for start in range(0, len(files), FILES_PER_BATCH):
        yield files[start : start + FILES_PER_BATCH]


def _send(http: requests.Session, target: m.UploadTarget, path: Path, progress: Progress | None) -> None:
    if target.post is not None:
        with path.open("rb") as handle:
            answer = http.post(
                target.post.url, data=target.post.fields, files={"file": (path.name, handle)}, timeout=600
            )
        answer.raise_for_status()
        if progress:
            progress(path.stat().st_size)
        return
    assert target.multipart is not None, "an upload target is a POST or a multipart upload"
    with path.open("rb") as handle:
        for part in target.multipart.parts:
            chunk = handle.read(target.multipart.partSize)
            http.put(part.url, data=chunk, timeout=600).raise_for_status()
            if progress:
                progress(len(chunk))


def upload(
    api: Endpoints,
    http: requests.Session,
    project_id: str,
    files: list[Path],
    resource_type: str = "image",
    workers: int = 8,
    progress: Progress | None = None,
) -> UploadReport:
    report = UploadReport()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for batch in _batches(files):
            described = [
                m.UploadFile(
                    name=str(path),
                    size=path.stat().st_size,
                    contentType=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                )
                for path in batch
            ]
            created = api.create_upload(projectId=project_id, resourceType=resource_type, files=described)
            list(pool.map(lambda pair: _send(http, pair[0], pair[1], progress), zip(created.files, batch)))
            done = api.complete_upload(projectId=project_id, keys=[target.key for target in created.files])
            report.added += done.addedURLs
            report.existing += done.existingURLs
            report.refused += done.refused
            report.missing += done.missingKeys
    return report
