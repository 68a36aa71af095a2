"""Video detection and tracking as COCO-video (the layout of YouTube-VIS, TAO and mmtracking's CocoVideoDataset):
COCO's `images`, `annotations` and `categories` (so pycocotools loads it), plus `videos` (one per item and video
node: name, width, height, fps, length) and on each image its `video_id` and 0-based `frame_id`. Images are the
sampled frames: for detection the frames the answer lists, for tracking every frame of the clip. A tracking
annotation carries the track's `instance_id`/`track_id` (unique across the whole file: the node's track ids are per
answer) and `occluded`; interpolated boxes are written on every frame the object is present.
Frame file names are `<item file name>/<frame, 6 digits>.jpg`, as frame extraction (functions/frame_job) stores them.
"""

from typing import Any

from bytebridge.annotations.video import VideoClip, VideoDetectionAnswer, VideoTrackingAnswer
from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem, ExportSchema
from bytebridge.exports.spool import Sink, drain, spool
from bytebridge.exports.writer import NodeAnswer, ParsedWriter, json_bytes, safe_file_name


def frame_file(item_id: str, url: str, frame: int) -> str:
    return f"{safe_file_name(item_id, url)}/{frame:06d}.jpg"


class CocoVideoWriter(ParsedWriter):
    format = ExportFormat.COCO_VIDEO
    extension = "json"
    content_type = "application/json"

    def __init__(self, sink: Sink, schema: ExportSchema):
        super().__init__(sink, schema)
        self._categories: dict[str, int] = {}
        self._videos, self._images = spool(), spool()
        self._video_id = self._image_id = self._annotation_id = self._track_id = 0
        self.sink.write(b'{"info":{"description":"ByteBridge export (COCO-video)"},"licenses":[],"annotations":[')

    def _category(self, label: str, labels: tuple[str, ...]) -> int:
        for declared in labels:  # the node's declared order first, so ids follow it
            self._categories.setdefault(declared, len(self._categories) + 1)
        return self._categories.setdefault(label, len(self._categories) + 1)

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        for node_answer in answers:
            answer = node_answer.answer
            assert isinstance(answer, VideoDetectionAnswer | VideoTrackingAnswer)  # the matrix lets only these in
            self._video_id += 1
            video = {
                "id": self._video_id,
                "name": safe_file_name(item.item_id, item.url),
                "width": answer.image_width,
                "height": answer.image_height,
                "fps": answer.frame_rate,
                "length": answer.frame_count,
                "bytebridge": {"item_id": item.item_id, "node": node_answer.node_id, "url": item.url},
            }
            self._videos.write(b"," + json_bytes(video) if self._video_id > 1 else json_bytes(video))
            if isinstance(answer, VideoDetectionAnswer):
                self._detection(item, answer, node_answer.labels)
            else:
                self._tracking(item, answer, node_answer.labels)

    def _image(self, item: ExportItem, clip: VideoClip, frame: int) -> int:
        self._image_id += 1
        image = {
            "id": self._image_id,
            "video_id": self._video_id,
            "frame_id": frame,
            "file_name": frame_file(item.item_id, item.url, frame),
            "width": clip.image_width,
            "height": clip.image_height,
        }
        self._images.write(b"," + json_bytes(image) if self._image_id > 1 else json_bytes(image))
        return self._image_id

    def _annotation(
        self, image_id: int, category_id: int, box: tuple[float, float, float, float], **extra: Any
    ) -> None:
        self._annotation_id += 1
        x, y, w, h = (float(v) for v in box)
        annotation = {
            "id": self._annotation_id,
            "image_id": image_id,
            "video_id": self._video_id,
            "category_id": category_id,
            "bbox": [x, y, w, h],
            "area": w * h,
            "iscrowd": 0,
            **extra,
        }
        self.sink.write(b"," + json_bytes(annotation) if self._annotation_id > 1 else json_bytes(annotation))

    def _detection(self, item: ExportItem, answer: VideoDetectionAnswer, labels: tuple[str, ...]) -> None:
        for entry in sorted(answer.frames, key=lambda e: e.frame):
            image_id = self._image(item, answer, entry.frame)
            for box in entry.boxes:
                self._annotation(image_id, self._category(box.label, labels), (box.x, box.y, box.w, box.h))

    def _tracking(self, item: ExportItem, answer: VideoTrackingAnswer, labels: tuple[str, ...]) -> None:
        tracks = []
        for track in answer.tracks:
            self._track_id += 1
            tracks.append((self._track_id, self._category(track.label, labels), track))
        for frame in range(answer.frame_count):
            image_id = self._image(item, answer, frame)
            for track_id, category_id, track in tracks:
                if (at := track.box_at(frame)) is not None:
                    extra = {"track_id": track_id, "instance_id": track_id, "occluded": at[4]}
                    self._annotation(image_id, category_id, at[:4], **extra)

    def finish(self) -> None:
        self.sink.write(b'],"videos":[')
        drain(self._videos, self.sink)
        self.sink.write(b'],"images":[')
        drain(self._images, self.sink)
        categories = [{"id": i, "name": name, "supercategory": "object"} for name, i in self._categories.items()]
        self.sink.write(b'],"categories":' + json_bytes(categories) + b"}")
