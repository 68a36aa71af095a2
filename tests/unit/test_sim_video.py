"""The simulated clips (local.sim_video) are what their truth says: the served bytes probe to the truth's clip
facts, truth and annotators' answers are valid answers, and the truth scores perfectly against itself."""

from bytebridge.annotations import parse_answer
from bytebridge.avprobe import probe
from local import sim_video

DATASET = sim_video.make_dataset(6, seed=3)


def test_served_clips_probe_to_their_truth() -> None:
    for url, truth in DATASET.items():
        facts = probe(sim_video.served_clip(url) or b"")
        assert (facts.width, facts.height, facts.frame_rate, facts.frame_count) == (
            sim_video.WIDTH,
            sim_video.HEIGHT,
            sim_video.FPS,
            truth.frames,
        )
        assert url.endswith(facts.container)
        assert sim_video.truth_of(url) == truth


def test_truth_and_annotators_give_valid_answers() -> None:
    annotators = sim_video.annotator_pool(4, 0.7, seed=1)
    for truth in DATASET.values():
        expected = sim_video.truth_answers(truth)
        for node, task_type in sim_video.NODES.items():
            parse_answer(task_type, expected[node])
            for annotator in annotators:
                parse_answer(task_type, annotator.answer({"taskType": task_type}, truth))


def test_the_truth_scores_perfectly_and_a_noisy_annotator_does_not() -> None:
    truths = [sim_video.truth_answers(t) for t in DATASET.values()]
    perfect = sim_video.quality({node: [(t[node], t[node]) for t in truths] for node in sim_video.NODES})
    assert perfect == {
        "classifyAccuracy": 1.0,
        "events": {"segmentF1": 1.0, "meanTemporalIoU": 1.0, "similarity": 1.0},
        "detection": {"boxF1": 1.0, "similarity": 1.0},
        "tracking": {"idf1": 1.0, "mota": 1.0, "idSwitches": 0},
    }
    (sloppy,) = sim_video.annotator_pool(1, 0.5, seed=2)
    noisy = sim_video.quality(
        {
            node: [
                (sloppy.answer({"taskType": task_type}, t), sim_video.truth_answers(t)[node]) for t in DATASET.values()
            ]
            for node, task_type in sim_video.NODES.items()
        }
    )
    assert noisy["tracking"]["idf1"] < 1.0 and noisy["detection"]["boxF1"] < 1.0
