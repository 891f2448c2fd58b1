"""Text out of Atlassian Document Format (Jira Cloud bodies): every text node, and every URL a
link, card or media node carries — a key pasted as a link target is still a copy."""

from __future__ import annotations

from typing import Any

# Nodes after which the text continues on a new line, so lines in reports mean something.
_BLOCKS = frozenset(
    {"paragraph", "heading", "codeBlock", "blockquote", "listItem", "tableRow", "panel", "rule"}
)


def adf_text(document: dict[str, Any]) -> str:
    parts: list[str] = []
    _walk(document, parts)
    return "".join(parts).strip("\n")


def _walk(node: Any, parts: list[str]) -> None:
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        parts.append(str(node.get("text", "")))
        parts.extend(f" {href}" for href in _link_targets(node))
    elif kind == "hardBreak":
        parts.append("\n")
    attrs = node.get("attrs") or {}
    for name in ("url", "href"):
        if isinstance(attrs.get(name), str):
            parts.append(f" {attrs[name]}")
    for child in node.get("content") or []:
        _walk(child, parts)
    if kind in _BLOCKS:
        parts.append("\n")


def _link_targets(node: dict[str, Any]) -> list[str]:
    return [
        str(mark["attrs"]["href"])
        for mark in node.get("marks") or []
        if mark.get("type") == "link" and "href" in (mark.get("attrs") or {})
    ]
