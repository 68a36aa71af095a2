"""Video items are probed at admission (bytebridge.ingest.check with bytebridge.avprobe): mp4, webm and mov clips
become ready with their true frame size, frame rate and duration, found in their bytes whatever the link's
extension says; what does not play, or is audio only, is refused with the reason; a video flow needs clips."""

import io

from PIL import Image

from bytebridge.aws import client
from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus
from bytebridge.errors import ErrorCode
from bytebridge.ingest.frames import frame_key
from bytebridge.settings import get_settings
from bytebridge.storage import project_prefix
from local import av_clips, sim_video, web_standin
from local.web_standin import Reply
from tests.support.client_api import SUBMIT, assert_error, create_project
from tests.support.engine import SET_FLOW

CHOICE = {"options": [{"value": "a"}, {"value": "b"}], "question": "which?"}
HOST = "https://clips.example.com"


def video_project(api, flow: dict | None = None) -> str:
    project_id = create_project(api, projectName="clips", **CHOICE)
    out = api.call(SET_FLOW, {"projectId": project_id, "flow": flow or sim_video.flow(("events", "tracks"))})
    assert out["code"] == 0, out
    return project_id


def submit(api, project_id: str, urls: list[str], resource_type: str = "video") -> dict:
    return api.call(SUBMIT, {"projectId": project_id, "resourceType": resource_type, "resourceURLs": urls})


def facts(project_id: str) -> dict[str, tuple]:
    return {
        item.url: (item.status, item.mime, item.image_width, item.image_height, item.frame_rate, item.duration_ms)
        for item in ItemModel.query(project_id, consistent_read=True)
    }


def refusals(project_id: str) -> dict[str, str | None]:
    return {item.url: item.refusal for item in ItemModel.query(project_id, consistent_read=True)}


def test_clips_of_every_accepted_container_are_ready_with_their_probed_facts(api):
    project_id = video_project(api)
    urls = [f"{HOST}/a/one.mp4", f"{HOST}/a/two.webm", f"{HOST}/a/three.mov"]
    for url, container in zip(urls, ("mp4", "webm", "mov"), strict=True):
        web_standin.register(url, Reply(av_clips.video(container, width=80, height=60, fps=12, frames=30)))

    assert submit(api, project_id, urls)["code"] == 0

    assert facts(project_id) == {
        urls[0]: (ItemStatus.NOT_STARTED, "video/mp4", 80, 60, 12, 2500),
        urls[1]: (ItemStatus.NOT_STARTED, "video/webm", 80, 60, 12, 2500),
        urls[2]: (ItemStatus.NOT_STARTED, "video/quicktime", 80, 60, 12, 2500),
    }


def test_the_bytes_decide_not_the_extension(api):
    project_id = video_project(api)
    webm_named_mp4 = f"{HOST}/b/clip.mp4"
    web_standin.register(webm_named_mp4, Reply(av_clips.video("webm", width=32, height=24, fps=5, frames=10)))

    assert submit(api, project_id, [webm_named_mp4])["code"] == 0

    assert facts(project_id)[webm_named_mp4] == (ItemStatus.NOT_STARTED, "video/webm", 32, 24, 5, 2000)


def test_what_does_not_play_or_holds_no_picture_is_refused_with_the_reason(api):
    project_id = video_project(api)
    html, cut, sound = f"{HOST}/c/login.mp4", f"{HOST}/c/cut.mp4", f"{HOST}/c/voice.mp4"
    web_standin.register(html, Reply(b"<!DOCTYPE html><html><body>Sign in</body></html>", content_type="video/mp4"))
    whole = av_clips.video("mp4", frames=30)
    web_standin.register(cut, Reply(whole[: len(whole) // 2]))  # its index (moov) comes last: cut off
    web_standin.register(sound, Reply(av_clips.audio("m4a", seconds=1)))  # an mp4 with audio only

    assert submit(api, project_id, [html, cut, sound])["code"] == 0

    got = refusals(project_id)
    assert got[html] == "the file is text/html, not video"
    assert got[cut].startswith("the file is video that cannot be played: "), got[cut]
    assert got[sound] == "the file is audio/mp4, not video"
    assert all(status == ItemStatus.REFUSED for status, *_ in facts(project_id).values())


def test_a_video_flow_needs_clips_and_links_must_look_like_video(api):
    project_id = video_project(api)
    picture = f"{HOST}/d/cat_64x48.png"
    assert submit(api, project_id, [picture], resource_type="image")["code"] == 0
    assert refusals(project_id)[picture] == "video_events, video_tracking tasks need video"

    out = submit(api, project_id, [f"{HOST}/d/clip.avi"])
    assert_error(out, ErrorCode.RESOURCE_INVALID, api)


def test_sampled_frames_are_extracted_once_per_clip_into_the_data_bucket(api):
    project_id = video_project(api, sim_video.flow(("boxes", "tracks")))  # boxes on every 5th frame
    clip = f"{HOST}/e/crossing.mp4"
    red = av_clips.Sprite((255, 0, 0), lambda frame: (2.0 * frame, 10.0, 12.0, 12.0))
    web_standin.register(clip, Reply(av_clips.video("mp4", width=64, height=48, fps=10, frames=12, sprites=[red])))

    assert submit(api, project_id, [clip])["code"] == 0

    (item,) = ItemModel.query(project_id, consistent_read=True)
    prefix = f"{project_prefix(api.user_id, project_id)}frames/{item.item_id}/"
    listed = client("s3").list_objects_v2(Bucket=get_settings().data_bucket, Prefix=prefix).get("Contents", [])
    assert sorted(entry["Key"] for entry in listed) == [
        frame_key(api.user_id, project_id, item.item_id, f) for f in (0, 5, 10)
    ]
    assert web_standin.hits(clip) == 2  # the check's read and the frame job's: never once per annotator
    jpeg = client("s3").get_object(Bucket=get_settings().data_bucket, Key=listed[2]["Key"])["Body"].read()
    picture = Image.open(io.BytesIO(jpeg)).convert("RGB")
    assert picture.size == (64, 48)
    red_at, grey_at = picture.getpixel((26, 16)), picture.getpixel((5, 40))  # the square is at x 20..32 on frame 10
    assert red_at[0] > 200 > red_at[1] and abs(grey_at[0] - 96) < 10


def test_a_flow_without_detection_extracts_no_frames(api):
    project_id = video_project(api)  # events and tracking: annotators play the clip itself
    clip = f"{HOST}/f/clip.webm"
    web_standin.register(clip, Reply(av_clips.video("webm", frames=10)))

    assert submit(api, project_id, [clip])["code"] == 0

    listed = client("s3").list_objects_v2(
        Bucket=get_settings().data_bucket, Prefix=project_prefix(api.user_id, project_id)
    )
    assert "Contents" not in listed
    assert web_standin.hits(clip) == 1
