"""The messages of docs/ENGINE.md, pinned on both sides: every message the agent sends has the
structure of its golden file in src/test/resources/golden/engine-*.json (the Java server's
EngineGoldenTest reads the same files through its own parser), and the server's golden commands
and requests are understood by the agent. Structure means the same field names and JSON types,
recursively; each array element must match the golden array's first element; a golden null
accepts any value and a golden {} any object (the rules of the Java GoldenJsonTest)."""
import json
import os

from agent_harness import attached, command, train_steps

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden")


def golden(name):
    with open(os.path.join(GOLDEN, f"engine-{name}.json")) as f:
        return json.load(f)


def differences(golden_value, actual, at="$"):
    if golden_value is None:
        return []
    if type(golden_value) is not type(actual) and not (_number(golden_value) and _number(actual)):
        return [f"{at}: expected {type(golden_value).__name__}, got {type(actual).__name__}"]
    if isinstance(golden_value, dict):
        if not golden_value:
            return []
        if set(golden_value) != set(actual):
            return [f"{at}: expected fields {sorted(golden_value)}, got {sorted(actual)}"]
        return [d for key in golden_value for d in differences(golden_value[key], actual[key], f"{at}.{key}")]
    if isinstance(golden_value, list) and golden_value:
        return [d for i, item in enumerate(actual) for d in differences(golden_value[0], item, f"{at}[{i}]")]
    return []


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def sent_by_the_agent():
    """One of each message the agent sends, from a real run of the paper's model."""
    run, transport, clock = attached()
    train_steps(run, 3, clock, seconds_per_step=0.05)
    server_command = golden("command")
    transport.push(server_command)
    train_steps(run, 1, clock, seconds_per_step=0.05)
    command(transport, "add-filters", {"layer": "nope", "count": 1}, message_id="bad")
    transport.push(golden("vectors-request"))
    train_steps(run, 1, clock, seconds_per_step=0.05)
    run.close()
    by_type = {}
    for message in transport.sent:
        kind = "error" if message["type"] == "error" and message.get("id") == "bad" else message["type"]
        by_type.setdefault(kind, message)
    return by_type, server_command["id"]


def test_every_agent_message_has_its_golden_structure():
    messages, command_id = sent_by_the_agent()
    assert sorted(messages) == ["ack", "architecture", "bye", "error", "hello", "snapshot", "vectors"]
    assert messages["ack"]["id"] == command_id  # the golden command was understood and applied
    assert messages["ack"]["payload"]["changes"]["addedFilters"]
    for kind, message in messages.items():
        assert differences(golden(kind), message) == [], kind


def test_the_structure_check_can_fail():
    assert differences({"a": 1, "b": [{"c": "x"}]}, {"a": 1, "b": [{"c": 2}]}) == ["$.b[0].c: expected str, got int"]
    assert differences({"a": 1}, {"a": 1, "z": 0}) == ["$: expected fields ['a'], got ['a', 'z']"]
