"""SCIM filter expressions (RFC 7644 §3.4.2.2) parsed to a small tree, then to a Django Q.

    filter     = or-expr
    or-expr    = and-expr *("or" and-expr)
    and-expr   = not-expr *("and" not-expr)
    not-expr   = ["not"] ( "(" filter ")" / attrPath "pr" / attrPath compareOp compValue )
    compareOp  = eq / ne / co / sw / ew / gt / ge / lt / le   (case-insensitive)
    compValue  = "string" / number / true / false / null

Attribute names are case-insensitive. Value filters on multi-valued attributes
(`emails[type eq "work"]`) are not supported as filters: the providers we serve send
plain `attrPath op value`. A filter that does not parse, or names an attribute the
resource does not offer, is an `invalidFilter` error (400), never a server error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

MAX_FILTER_LENGTH = 1000
OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr")


class FilterError(ValueError):
    """The filter cannot be used; the message says why."""


@dataclass(frozen=True)
class Compare:
    attribute: str  # lower-cased attribute path, e.g. "username", "name.givenname"
    op: str
    value: Any = None


@dataclass(frozen=True)
class Logical:
    op: str  # "and" / "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    node: Node


Node = Compare | Logical | Not

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\() | (?P<rparen>\)) |
        (?P<string>"(?:[^"\\]|\\.)*") |
        (?P<word>[A-Za-z0-9_:.$\-]+)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise FilterError(f"Unexpected character at position {position + 1} of the filter.")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("The filter ends too early.")
        self.i += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.i += 1
            return token[1].lower()
        return None

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise FilterError(f"Unexpected {self.peek()[1]!r} in the filter.")  # type: ignore[index]
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.keyword("or"):
            node = Logical("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.keyword("and"):
            node = Logical("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.keyword("not"):
            return Not(self.atom())
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "lparen":
            node = self.or_expr()
            if self.take()[0] != "rparen":
                raise FilterError("A parenthesis is not closed.")
            return node
        if kind != "word":
            raise FilterError(f"Expected an attribute name, found {text!r}.")
        attribute = text.lower()
        op_kind, op = self.take()
        op = op.lower()
        if op_kind != "word" or op not in OPERATORS:
            raise FilterError(f"Unknown operator {op!r}.")
        if op == "pr":
            return Compare(attribute, "pr")
        value_kind, raw = self.take()
        if value_kind == "string":
            try:
                value: Any = json.loads(raw)
            except json.JSONDecodeError as error:
                raise FilterError("A quoted value is not valid.") from error
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        elif raw.lower() == "null":
            value = None
        else:
            try:
                value = float(raw) if "." in raw else int(raw)
            except ValueError as error:
                raise FilterError(
                    f"Values are quoted strings, numbers or true/false, not {raw!r}."
                ) from error
        return Compare(attribute, op, value)


def filter_parse(text: str) -> Node:
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"Keep the filter under {MAX_FILTER_LENGTH} characters.")
    if not text.strip():
        raise FilterError("The filter is empty.")
    return _Parser(_tokens(text)).parse()


# An attribute: the model field it reads, and how to turn a filter value into its type.
@dataclass(frozen=True)
class Attribute:
    field: str
    convert: Callable[[Any], Any] = str
    case_exact: bool = False


_LOOKUPS = {
    "eq": "exact",
    "co": "contains",
    "sw": "startswith",
    "ew": "endswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}


def filter_to_q(node: Node, attributes: Mapping[str, Attribute]) -> Q:
    if isinstance(node, Logical):
        left, right = filter_to_q(node.left, attributes), filter_to_q(node.right, attributes)
        return left & right if node.op == "and" else left | right
    if isinstance(node, Not):
        return ~filter_to_q(node.node, attributes)
    # Attributes may carry their schema URN: "urn:…:User:userName".
    name = node.attribute
    if name.startswith("urn:"):
        name = name.rsplit(":", 1)[-1]
    attribute = attributes.get(name)
    if attribute is None:
        raise FilterError(f"Filtering on {node.attribute!r} is not supported.")
    if node.op == "pr":
        return ~Q(**{f"{attribute.field}__isnull": True}) & ~Q(**{attribute.field: ""})
    if node.value is None:
        q = Q(**{f"{attribute.field}__isnull": True})
        return ~q if node.op == "ne" else q
    try:
        value = attribute.convert(node.value)
    except (TypeError, ValueError) as error:
        raise FilterError(f"{node.value!r} is not a valid value for {node.attribute}.") from error
    if node.op == "ne":
        lookup = "exact" if attribute.case_exact or not isinstance(value, str) else "iexact"
        return ~Q(**{f"{attribute.field}__{lookup}": value})
    lookup = _LOOKUPS[node.op]
    if (
        isinstance(value, str)
        and not attribute.case_exact
        and lookup in ("exact", "contains", "startswith", "endswith")
    ):
        lookup = "i" + lookup
    return Q(**{f"{attribute.field}__{lookup}": value})
