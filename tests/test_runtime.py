"""``coerce_context``: a context dict becomes the graph's context_schema, as LangGraph 1.2.22
coerces it (the values here were observed there)."""

from dataclasses import dataclass

import pydantic
import pytest
from typing_extensions import TypedDict

from langgraph_lite.runtime import coerce_context


@dataclass
class Data:
    user: str
    lang: str = "en"


class Model(pydantic.BaseModel):
    user: str
    n: int = 1


class Typed(TypedDict):
    user: str


def test_a_dict_becomes_a_dataclass_or_pydantic_context():
    assert coerce_context(Data, {"user": "u"}) == Data(user="u", lang="en")
    assert coerce_context(Model, {"user": "u"}) == Model(user="u", n=1)


def test_a_typeddict_or_no_schema_keeps_the_dict():
    assert coerce_context(Typed, {"user": "u"}) == {"user": "u"}
    assert coerce_context(None, {"user": "u"}) == {"user": "u"}


def test_an_instance_or_none_is_kept_as_given():
    given = Data(user="x")
    assert coerce_context(Data, given) is given
    assert coerce_context(Data, None) is None


def test_a_dict_that_does_not_fit_raises_what_the_schema_raises():
    with pytest.raises(TypeError, match="'nope'"):
        coerce_context(Data, {"nope": 1})
    with pytest.raises(pydantic.ValidationError, match="n"):
        coerce_context(Model, {"user": "u", "n": "x"})
