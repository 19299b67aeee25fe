"""Bad graphs and bad input fail early, with errors that name the culprit and the fix."""

import pytest

from langgraph_lite.channels import LastValue
from langgraph_lite.errors import EmptyInputError
from langgraph_lite.pregel import NodeBuilder, Pregel


def build(nodes=None, channels=None, **kw):
    kw.setdefault("input_channels", "a")
    kw.setdefault("output_channels", "b")
    return Pregel(
        nodes=nodes or {"n": NodeBuilder().subscribe_only("a").do(lambda x: x).write_to("b")},
        channels=channels or {"a": LastValue(str), "b": LastValue(str)},
        **kw,
    )


def test_a_node_reading_an_unknown_channel_is_named_at_construction():
    with pytest.raises(ValueError, match=r"node 'n' reads channel 'aa'.*Did you mean 'a'"):
        build(nodes={"n": NodeBuilder().subscribe_only("aa").write_to("b")})
    with pytest.raises(ValueError, match=r"node 'n' reads channel 'zz'"):
        build(nodes={"n": NodeBuilder().subscribe_to("a").read_from("zz").write_to("b")})


def test_a_node_writing_an_unknown_channel_is_named_at_construction():
    with pytest.raises(ValueError, match=r"node 'n' writes to channel 'ghost'.*LastValue"):
        build(nodes={"n": NodeBuilder().subscribe_only("a").write_to("ghost")})


@pytest.mark.parametrize(
    ("kw", "what"),
    [
        ({"input_channels": "zzz"}, "input_channels"),
        ({"input_channels": ["a", "zzz"]}, "input_channels"),
        ({"output_channels": "zzz"}, "output_channels"),
        ({"stream_channels": ["zzz"]}, "stream_channels"),
    ],
)
def test_unknown_io_channels_are_named_at_construction(kw, what):
    with pytest.raises(ValueError, match=rf"{what} names 'zzz'"):
        build(**kw)


def test_a_plain_function_as_a_pregel_node_says_to_use_node_builder():
    with pytest.raises(TypeError, match=r"node 'n' is .*NodeBuilder"):
        build(nodes={"n": lambda x: x})


def test_a_non_callable_node_body_is_refused_where_it_is_given():
    with pytest.raises(TypeError, match=r"not callable"):
        NodeBuilder().subscribe_only("a").do(42)


def test_a_node_without_triggers_is_refused():
    with pytest.raises(ValueError, match=r"node 'n' has no triggers"):
        build(nodes={"n": NodeBuilder().read_from("a").write_to("b")})


def test_a_non_channel_in_channels_is_refused():
    with pytest.raises(TypeError, match=r"channel 'b' is 'oops'"):
        build(channels={"a": LastValue(str), "b": "oops"})


def test_subscribe_only_cannot_be_mixed_with_dict_reads():
    with pytest.raises(ValueError, match="subscribe_to"):
        NodeBuilder().subscribe_only("a").read_from("b")
    with pytest.raises(ValueError, match="subscribe_only"):
        NodeBuilder().subscribe_to("a").subscribe_only("b")


def dict_input_graph(ran):
    return Pregel(
        nodes={"n": NodeBuilder().subscribe_to("a", "b").do(lambda d: ran.append(d)).write_to("c")},
        channels={"a": LastValue(str), "b": LastValue(str), "c": LastValue(object)},
        input_channels=["a", "b"],
        output_channels="c",
    )


@pytest.mark.parametrize("bad", ["str", ["a", "b"], 5])
def test_input_of_the_wrong_shape_fails_before_any_node_runs(bad):
    ran = []
    with pytest.raises(TypeError, match=r"input must be a dict with keys among \['a', 'b'\]"):
        dict_input_graph(ran).invoke(bad)
    assert ran == []


def test_input_keys_that_are_not_input_channels_are_ignored_with_a_warning(caplog):
    # LangGraph 1.2.22 logs "Input channel bb not found in ['a', 'b']" and runs on.
    ran = []
    with caplog.at_level("WARNING", logger="langgraph_lite"):
        dict_input_graph(ran).invoke({"a": "x", "bb": "y"})
    assert ran == [{"a": "x"}]
    assert "'bb'" in caplog.text


def test_input_with_only_unknown_keys_is_an_empty_input_error():
    ran = []
    with pytest.raises(EmptyInputError, match=r"no input for channels \['a', 'b'\]"):
        dict_input_graph(ran).invoke({"bb": "y"})
    assert ran == []


@pytest.mark.parametrize("empty", [None, {}])
def test_missing_input_is_an_empty_input_error(empty):
    with pytest.raises(EmptyInputError, match="no input"):
        dict_input_graph([]).invoke(empty)
    with pytest.raises(EmptyInputError, match="no input for channel 'a'"):
        build().invoke(None)


@pytest.mark.anyio
async def test_bad_input_fails_the_same_way_in_async():
    ran = []
    with pytest.raises(TypeError, match="input must be a dict"):
        await dict_input_graph(ran).ainvoke("str")
    with pytest.raises(EmptyInputError, match="no input for channels"):
        async for _ in dict_input_graph(ran).astream({"zz": 1}):
            pass
    assert ran == []


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ("thread-1", "config must be a dict"),
        ({"configurable": "x"}, r"config\['configurable'\] must be a dict"),
        ({"tags": "t"}, r"config\['tags'\] must be a list"),
    ],
)
def test_a_bad_config_is_explained(config, match):
    with pytest.raises(TypeError, match=match):
        build().invoke("x", config)


def test_unknown_output_keys_are_named():
    with pytest.raises(ValueError, match=r"output_keys names 'zz'"):
        build().invoke("x", output_keys="zz")
