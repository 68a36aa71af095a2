"""Video answers and their consensus: events by temporal IoU, detection per sampled frame, tracks matched whole."""

import numpy as np
import pytest
from pydantic import ValidationError

from bytebridge.annotations import parse_answer
from bytebridge.annotations.video import VideoEventsAnswer, VideoTrackingAnswer
from bytebridge.consensus.temporal import SEGMENTS, match_segments, temporal_iou, weighted_median
from bytebridge.consensus.tracks import TRACKS, track_boxes, track_iou
from tests.unit.consensus_support import run

CLIP = {"imageWidth": 320, "imageHeight": 240, "frameRate": 10.0, "frameCount": 50}


def events(*segments: tuple[str, float, float], duration: float = 10.0) -> dict:
    return {"duration": duration, "segments": [{"label": label, "start": s, "end": e} for label, s, e in segments]}


def key(frame: int, x: float, y: float = 10, w: float = 40, h: float = 30, **flags: bool) -> dict:
    return {"frame": frame, "x": x, "y": y, "w": w, "h": h, **flags}


def tracking(*tracks: tuple[int, str, list[dict]]) -> dict:
    return {**CLIP, "tracks": [{"id": i, "label": label, "keyframes": keys} for i, label, keys in tracks]}


# --- schemas --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_type", "answer", "says"),
    [
        ("video_events", events(("goal", 5, 4)), "end after it starts"),
        ("video_events", events(("goal", 5, 12)), "after the 10.0 s clip"),
        ("video_detection", {**CLIP, "frames": [{"frame": 50, "boxes": []}]}, "past the clip"),
        ("video_detection", {**CLIP, "frames": [{"frame": 1, "boxes": []}, {"frame": 1, "boxes": []}]}, "twice"),
        (
            "video_detection",
            {**CLIP, "frames": [{"frame": 0, "boxes": [{"label": "car", "x": 300, "y": 0, "w": 40, "h": 5}]}]},
            "outside",
        ),
        ("video_tracking", tracking((1, "car", [key(5, 0), key(2, 0)])), "increasing frame order"),
        ("video_tracking", tracking((1, "car", [key(0, 0)]), (1, "car", [key(0, 0)])), "unique"),
        ("video_tracking", tracking((1, "car", [key(0, 300)])), "outside the 320x240"),
        ("video_tracking", tracking((1, "car", [])), "at least 1"),
    ],
)
def test_invalid_answers_are_refused(task_type: str, answer: dict, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        parse_answer(task_type, answer)


def test_track_interpolates_between_keyframes_and_honours_outside() -> None:
    track = parse_answer(
        "video_tracking",
        tracking((7, "car", [key(0, 0), key(10, 100, occluded=True), key(20, 100, outside=True), key(30, 50)])),
    ).tracks[0]
    assert track.box_at(5) == (50.0, 10.0, 40.0, 30.0, False)
    assert track.box_at(12) == (100.0, 10.0, 40.0, 30.0, True)  # held before an outside keyframe, occluded carried
    assert track.box_at(20) is None and track.box_at(29) is None
    assert track.box_at(49) == (50.0, 10.0, 40.0, 30.0, False)  # after the last keyframe: stays
    boxes = track_boxes(track, 50)
    assert np.isnan(boxes[20:30]).all() and not np.isnan(boxes[:20]).any()
    np.testing.assert_allclose(boxes[5], [50, 10, 90, 40])


# --- temporal IoU and events ----------------------------------------------------------------------------


def test_temporal_iou() -> None:
    got = temporal_iou(np.array([[0.0, 10.0], [5.0, 6.0]]), np.array([[5.0, 15.0], [20.0, 21.0]]))
    np.testing.assert_allclose(got, [[5 / 15, 0.0], [0.1, 0.0]])


def test_match_segments_pairs_same_labels_only() -> None:
    a = VideoEventsAnswer.model_validate(events(("goal", 0, 4), ("foul", 5, 8))).segments
    b = VideoEventsAnswer.model_validate(events(("foul", 0.2, 4), ("goal", 5, 8), ("goal", 0.5, 4))).segments
    assert match_segments(a, b) == [(0, 2)]


def test_weighted_median_resists_one_outlier() -> None:
    assert weighted_median(np.array([2.0, 2.2, 9.0]), np.ones(3)) == 2.2


def test_events_consensus_keeps_majority_segments_with_median_bounds() -> None:
    result = run(
        "video_events",
        {
            "a": events(("goal", 1.0, 3.0), ("foul", 6, 7)),
            "b": events(("goal", 1.2, 3.1)),
            "c": events(("goal", 0.9, 3.6), ("crowd", 4, 5)),
        },
    )
    assert result.answer == {"duration": 10.0, "segments": [{"label": "goal", "start": 1.0, "end": 3.1}]}
    assert 0.4 < result.agreement < 1.0
    assert SEGMENTS.matches(
        VideoEventsAnswer.model_validate(events(("goal", 1.1, 3))), VideoEventsAnswer.model_validate(result.answer)
    )


# --- detection ------------------------------------------------------------------------------------------


def detection(*frames: tuple[int, list[tuple[str, float]]]) -> dict:
    return {
        **CLIP,
        "frames": [
            {"frame": f, "boxes": [{"label": label, "x": x, "y": 20, "w": 50, "h": 40} for label, x in boxes]}
            for f, boxes in frames
        ],
    }


def test_detection_consensus_per_frame() -> None:
    result = run(
        "video_detection",
        {
            "a": detection((0, [("car", 10)]), (5, [("car", 60), ("bike", 200)])),
            "b": detection((0, [("car", 12)]), (5, [("car", 62)])),
            "c": detection((0, [("car", 14)]), (5, [])),
        },
    )
    frames = {f["frame"]: f["boxes"] for f in result.answer["frames"]}
    assert [b["x"] for b in frames[0]] == [pytest.approx(12)]
    assert [(b["label"], b["x"]) for b in frames[5]] == [("car", pytest.approx(61))]
    assert result.answer["frameCount"] == 50


# --- tracking -------------------------------------------------------------------------------------------


def test_track_iou_counts_frames_either_track_covers() -> None:
    whole = parse_answer("video_tracking", tracking((1, "car", [key(0, 0)]))).tracks[0]
    half = parse_answer("video_tracking", tracking((1, "car", [key(0, 0), key(25, 0, outside=True)]))).tracks[0]
    assert track_iou(track_boxes(whole, 50), track_boxes(whole, 50)) == 1.0
    assert track_iou(track_boxes(whole, 50), track_boxes(half, 50)) == pytest.approx(0.5)


def test_tracking_consensus_matches_whole_tracks_and_renumbers() -> None:
    moving = [key(0, 0), key(40, 200)]
    result = run(
        "video_tracking",
        {
            # The same two cars under different ids; one annotator also tracks a third, one splits nothing.
            "a": tracking((3, "car", moving), (9, "car", [key(10, 100, y=150), key(30, 100, y=150, outside=True)])),
            "b": tracking(
                (1, "car", [key(10, 100, y=152), key(30, 100, y=152, outside=True)]),
                (2, "car", [key(0, 4), key(40, 204)]),
            ),
            "c": tracking((5, "car", [key(0, 2), key(40, 202, occluded=True)]), (6, "bike", [key(0, 250, y=200)])),
        },
    )
    answer = parse_answer("video_tracking", result.answer)
    assert isinstance(answer, VideoTrackingAnswer)
    assert [(t.id, t.label) for t in answer.tracks] == [(1, "car"), (2, "car")]
    first, second = answer.tracks
    assert first.box_at(0)[0] == pytest.approx(2.0)
    assert first.box_at(20)[0] == pytest.approx(102.0)
    assert first.box_at(45)[4] is False  # occluded by one of three only
    assert second.box_at(9) is None and second.box_at(29) is not None and second.box_at(30) is None
    assert second.box_at(20)[1] == pytest.approx(151.0)  # the mean of the two annotators who drew it
    assert result.agreement > 0.6


def test_tracking_similarity_and_gold() -> None:
    truth = VideoTrackingAnswer.model_validate(tracking((1, "car", [key(0, 0), key(40, 200)])))
    close = VideoTrackingAnswer.model_validate(tracking((4, "car", [key(0, 3), key(40, 203)])))
    wrong_label = VideoTrackingAnswer.model_validate(tracking((4, "bike", [key(0, 3), key(40, 203)])))
    assert TRACKS.similarity_to(close, truth) > 0.8
    assert TRACKS.matches(close, truth)
    assert not TRACKS.matches(wrong_label, truth)
    assert TRACKS.similarity_to(wrong_label, truth) == 0.0


@pytest.mark.parametrize(
    ("task_type", "empty"),
    [
        ("video_events", events()),
        ("video_detection", {**CLIP, "frames": []}),
        ("video_tracking", tracking()),
    ],
)
def test_annotators_who_all_saw_nothing_agree_fully(task_type: str, empty: dict) -> None:
    result = run(task_type, {"a": empty, "b": empty, "c": empty})
    assert result.agreement == 1.0 and result.done
    assert result.answer == parse_answer(task_type, empty).model_dump(by_alias=True, mode="json")


def test_a_track_one_annotator_of_three_drew_is_dropped() -> None:
    lone = tracking((1, "car", [key(0, 0)]))
    result = run("video_tracking", {"a": lone, "b": tracking(), "c": tracking()})
    assert result.answer["tracks"] == []
