"""A write-only binary sink that streams into an S3 object: multipart upload in parts of PART_BYTES
(S3 wants ≥ 5 MiB for every part but the last), so memory holds at most one part plus the last write.
An export smaller than one part is sent with a single PutObject instead."""

from typing import Any

from bytebridge.aws import client

PART_BYTES = 8 * 1024 * 1024
MIN_PART_BYTES = 5 * 1024 * 1024  # S3's floor for all parts but the last


class S3Sink:
    def __init__(self, bucket: str, key: str, content_type: str, part_bytes: int = PART_BYTES):
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts must be at least {MIN_PART_BYTES} bytes")
        self.bucket, self.key, self.content_type = bucket, key, content_type
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.size = 0  # bytes written so far

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= self._part_bytes:
            self._send_part(bytes(self._buffer[: self._part_bytes]))
            del self._buffer[: self._part_bytes]
        return len(data)

    def _send_part(self, body: bytes) -> None:
        s3 = client("s3")
        if self._upload_id is None:
            started = s3.create_multipart_upload(Bucket=self.bucket, Key=self.key, ContentType=self.content_type)
            self._upload_id = started["UploadId"]
        number = len(self._parts) + 1
        out = s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=body)
        self._parts.append({"PartNumber": number, "ETag": out["ETag"]})

    def complete(self) -> int:
        """Store what was written as the object; returns its size in bytes."""
        if self._upload_id is None:
            client("s3").put_object(
                Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer), ContentType=self.content_type
            )
        else:
            if self._buffer:
                self._send_part(bytes(self._buffer))
            client("s3").complete_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
            )
        self._buffer.clear()
        return self.size

    def abort(self) -> None:
        """Drop the parts uploaded so far (S3 would otherwise keep, and bill, them)."""
        if self._upload_id is not None:
            client("s3").abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)
            self._upload_id = None
        self._buffer.clear()
