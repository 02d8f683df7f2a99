from __future__ import annotations

from allmende.generated import ALPHABET, _Generator


def test_generated_secret_has_the_length_and_alphabet_and_differs_each_time() -> None:
    provider = _Generator()
    first, second = provider.create({"length": 40}), provider.create({"length": 40})
    assert len(first.outs["result"]) == 40 and set(first.outs["result"]) <= set(ALPHABET)
    assert first.outs["result"] != second.outs["result"] and first.id != second.id


def test_generated_secret_is_kept_unless_its_length_changes() -> None:
    provider = _Generator()
    assert provider.diff("x", {"length": 40, "result": "a"}, {"length": 40, "result": None}).changes is False
    changed = provider.diff("x", {"length": 40, "result": "a"}, {"length": 48, "result": None})
    assert changed.changes is True and changed.replaces == ["length"]
