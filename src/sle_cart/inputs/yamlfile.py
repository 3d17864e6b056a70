"""YAML read with bounded work: a hostile document is refused before it is built.

Two shapes make a small file expensive: aliases that expand to billions of
values (the "billion laughs"), and nesting so deep that building the document
recurses past Python's stack.  Both are measured on the parser's event stream,
which PyYAML produces without recursion, before anything is composed.
"""

from __future__ import annotations

import yaml

from .errors import Violation

#: Largest YAML document, counted in nodes after expanding aliases: far above any real
#: dataset.yml, far below an alias bomb (9 nested levels of 9 aliases is 387 million nodes).
MAX_YAML_NODES = 10_000
#: Deepest nesting of lists and mappings, aliases expanded: a dataset.yml needs 3 levels;
#: composing and constructing recurse a few frames per level, and Python stops near 1,000.
MAX_YAML_DEPTH = 50


def _problem(file: str, rule: str, code: str) -> Violation:
    return Violation(file, None, None, None, rule, code=code)


def _expanded_depth(text: str) -> int:
    """The deepest nesting of the document with every alias expanded, read from the events.

    An alias placed at depth d reaches d plus the height of its anchor's subtree, so a
    chain of anchors, each nesting the one before, counts as deep as its expansion.
    """
    heights: dict[str, int] = {}  # anchor -> levels its node spans (a scalar spans 0)
    open_: list[list] = []  # per open collection: [anchor, deepest level reached below it]
    deepest = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        depth = len(open_)
        if isinstance(event, yaml.CollectionStartEvent):
            open_.append([event.anchor, depth + 1])
            reached = depth + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, reached = open_.pop()
            if anchor is not None:
                heights[anchor] = reached - depth + 1
        elif isinstance(event, yaml.AliasEvent):
            reached = depth + heights.get(event.anchor, 0)
        else:
            continue
        if open_:
            open_[-1][1] = max(open_[-1][1], reached)
        deepest = max(deepest, reached)
        if deepest > MAX_YAML_DEPTH:
            break  # no need to read further: the document is refused
    return deepest


def _expanded_size(node, memo: dict | None = None) -> int:
    """Nodes in a composed YAML document with every alias expanded, without expanding anything.

    Recursive, but only ever called once :func:`_expanded_depth` has bounded the depth.
    """
    if node is None:
        return 0
    memo = {} if memo is None else memo
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a cycle (a recursive alias) counts once instead of looping
    if isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(n, memo) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        total = 1
    memo[id(node)] = total
    return total


def load_yaml(text: str, errors: list[Violation], file: str = "dataset.yml", loader=yaml.SafeLoader):
    """The parsed document ({} when empty), or None (and an error) when it is too deep,
    too large once expanded, or not YAML.  ``loader``: a SafeLoader or a subclass of it."""
    try:
        depth = _expanded_depth(text)
        if depth > MAX_YAML_DEPTH:
            rule = f"nests lists or mappings too deeply (more than {MAX_YAML_DEPTH} levels); write it flat"
            errors.append(_problem(file, rule, "yaml-too-deep"))
            return None
        size = _expanded_size(yaml.compose(text, Loader=yaml.SafeLoader))
        if size > MAX_YAML_NODES:
            rule = (
                f"is too large once its YAML aliases are expanded "
                f"({size:,} values; at most {MAX_YAML_NODES:,}); write the values out"
            )
            errors.append(_problem(file, rule, "yaml-too-large"))
            return None
        return yaml.load(text, Loader=loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(_problem(file, f"is not valid YAML ({where}{problem})", "invalid"))
        return None
