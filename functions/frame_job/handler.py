"""Extracts the sampled frames of new video items (invoked asynchronously by bytebridge.ingest.frames.request_frames
once their check made them ready): each clip is read and decoded once, its frames stored as JPEGs in the data bucket.
An error is re-raised, so Lambda's async retries run it again (rewriting the same keys)."""

from bytebridge.ingest.extract import extract_frames
from bytebridge.ingest.frames import FrameJobEvent
from bytebridge.observability import logger, metrics, tracer


@logger.inject_lambda_context(correlation_id_path="projectId")
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    job = FrameJobEvent.model_validate(event)
    frames = {item_id: extract_frames(job.user_id, job.project_id, item_id) for item_id in job.item_ids}
    logger.info("frames", extra={"projectId": job.project_id, "frames": frames})
    return {"projectId": job.project_id, "frames": frames}
