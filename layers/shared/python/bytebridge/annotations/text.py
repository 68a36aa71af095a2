"""Free-text answers (OCR, speech-to-text, translation)."""

from pydantic import Field

from bytebridge.annotations.base import Strict


class TranscriptionAnswer(Strict):
    text: str = Field(max_length=100_000)
