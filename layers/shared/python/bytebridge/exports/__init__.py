"""Exports of a project's finished items: COCO, Pascal VOC, labelme and the native JSON Lines.

- formats.write_export feeds items one by one to the format's streaming writer (coco, voc, labelme,
  native), which writes to a binary sink as it goes: a file, or the S3 upload of s3sink. Memory does not
  grow with the item count.
- capabilities.CAPABILITIES: what each format can express per task type.
- jobs: request an export (record + asynchronous run) and run it; downloads: the newest finished
  export's presigned URL (kept apart so retrieveProject does not import the writers).
"""
