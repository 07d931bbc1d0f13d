"""The static import closure behind every step's code inputs (dlrepro.pipeline.codedeps)."""

from __future__ import annotations

import ast

from dlrepro.pipeline import codedeps


def test_a_local_variable_is_not_the_module_function_of_the_same_name():
    # slash's split step binds `train, test = ...`; the module also defines a `train` step
    # whose imports must not become split's code inputs (editing train.py reran the split)
    func = ast.parse(
        "def split(args):\n"
        "    train, test = stratified_split(args)\n"
        "    for fit in train: print(fit)\n"
        "    return helper(train)\n"
    ).body[0]
    assert codedeps._free_names(func) == {"stratified_split", "print", "helper"}


def test_slash_split_does_not_depend_on_the_training_code():
    from dlrepro.pipeline import registry

    split = next(s for s in registry.steps_of("slash") if s.rule == "slash_split")
    train = next(s for s in registry.steps_of("slash") if s.rule == "slash_train_cnn")
    assert "dlrepro.studies.slash.train" not in codedeps.step_modules(split)
    assert "dlrepro.studies.slash.train" in codedeps.step_modules(train)
    assert "dlrepro.studies.slash.data" in codedeps.step_modules(split)
