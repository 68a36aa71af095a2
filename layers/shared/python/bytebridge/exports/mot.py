"""Video tracking as MOTChallenge ground truth: one `gt/gt.txt` per item and tracking node in a ZIP, under
`<node id>/<item file name>/` (the MOT16/17 sequence layout), with a `seqinfo.ini` (frame rate, length, size) beside
it. A line per track per frame the object is present, interpolated between keyframes:
`frame, id, bb_left, bb_top, bb_width, bb_height, conf, class, visibility` with 1-based frames and pixel
coordinates (MOT's Matlab heritage: motmetrics' loader subtracts 1 from bb_left and bb_top), the track id
of the answer, conf 1 (a consolidated label), class the label's 1-based index among the node's labels (its order in
`labels.txt` at the root), visibility 0.5 when occluded else 1. Lines are sorted by frame, then id, as the
MOTChallenge devkit and motmetrics expect.
"""

from bytebridge.annotations.video import VideoTrackingAnswer
from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem, ExportSchema
from bytebridge.exports.spool import Sink
from bytebridge.exports.writer import NodeAnswer, safe_file_name, utf8
from bytebridge.exports.zipped import ZipWriter

OCCLUDED_VISIBILITY = 0.5


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def mot_lines(answer: VideoTrackingAnswer, class_of: dict[str, int]) -> str:
    lines = []
    for frame in range(answer.frame_count):
        for track in sorted(answer.tracks, key=lambda t: t.id):
            if (at := track.box_at(frame)) is None:
                continue
            x, y, w, h, occluded = at
            box = ",".join(_number(v) for v in (x + 1, y + 1, w, h))  # MOT's pixels are 1-based, like its frames
            visibility = OCCLUDED_VISIBILITY if occluded else 1
            lines.append(f"{frame + 1},{track.id},{box},1,{class_of[track.label]},{visibility}")
    return "".join(line + "\n" for line in lines)


def seqinfo(name: str, answer: VideoTrackingAnswer) -> str:
    return (
        f"[Sequence]\nname={name}\nimDir=img1\nframeRate={_number(answer.frame_rate)}\n"
        f"seqLength={answer.frame_count}\nimWidth={answer.image_width}\nimHeight={answer.image_height}\nimExt=.jpg\n"
    )


class MotWriter(ZipWriter):
    format = ExportFormat.MOT

    def __init__(self, sink: Sink, schema: ExportSchema):
        super().__init__(sink, schema)
        self._classes: dict[str, int] = {}

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        name = safe_file_name(item.item_id, item.url).rsplit(".", 1)[0]
        for node_answer in answers:
            answer = node_answer.answer
            assert isinstance(answer, VideoTrackingAnswer)  # the capability matrix lets only tracking in
            for label in (*node_answer.labels, *(t.label for t in answer.tracks)):
                self._classes.setdefault(label, len(self._classes) + 1)
            folder = f"{node_answer.node_id}/{name}"
            self.write_member(f"{folder}/seqinfo.ini", utf8(seqinfo(name, answer)))
            self.write_member(f"{folder}/gt/gt.txt", utf8(mot_lines(answer, self._classes)))

    def finish(self) -> None:
        self.write_member("labels.txt", utf8("".join(f"{label}\n" for label in self._classes)))
        super().finish()
