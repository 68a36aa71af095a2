"""Answers that pick among the node's options."""

from pydantic import Field

from bytebridge.annotations.base import Strict


class SingleChoiceAnswer(Strict):
    choice: str


class MultipleChoiceAnswer(Strict):
    choices: list[str] = Field(max_length=100)
