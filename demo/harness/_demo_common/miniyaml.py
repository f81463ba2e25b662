"""A small YAML reader for task configs, stdlib only.

The real harnesses parse task YAML with PyYAML, which is not in the standard library. Task files use a narrow
subset (block mappings and sequences, quoted and plain scalars, short flow lists, `!function` tags, `|`/`>`
block scalars), so this reader covers that subset and raises YamlError on anything else; callers skip such a
file. Plain scalars resolve like PyYAML's YAML 1.1 rules for the common cases (null, bools, ints, floats).
"""
from __future__ import annotations

import re


class YamlError(ValueError):
    pass


class FunctionTag(str):
    """The dotted name after `!function`; kept opaque, never imported (as the harnesses do when indexing)."""


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
    " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip


def resolve_plain(text: str):
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    if text.lower() in (".inf", "+.inf"):
        return float("inf")
    if text.lower() == "-.inf":
        return float("-inf")
    if text.lower() == ".nan":
        return float("nan")
    return text


def _strip_comment(line: str) -> str:
    """Drop a trailing `# comment` that is outside quotes (a `#` must follow whitespace to start one)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                continue
        elif ch in "\"'" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _split_key(content: str):
    """Return (key, rest) when the line is `key: rest` / `key:`; None when it is not a mapping entry."""
    if content[:1] in "[{&*!|>%@`":
        return None
    if content[:1] in "\"'":
        q = content[0]
        end = content.find(q, 1)
        while q == '"' and end > 0 and content[end - 1] == "\\":
            end = content.find(q, end + 1)
        if end < 0 or not content[end + 1 :].startswith(":"):
            return None
        rest = content[end + 2 :]
        if rest and not rest.startswith(" "):
            return None
        return _parse_scalar(content[: end + 1]), rest.strip()
    m = re.match(r"^([^#]*?):(?:\s+(.*)|$)", content)
    if not m or not m.group(1).strip():
        return None
    return m.group(1).strip(), (m.group(2) or "").strip()


def _parse_double(text: str) -> str:
    out, i = [], 1
    while i < len(text) - 1:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1]
            if nxt in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[nxt]
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            if nxt not in _ESCAPES:
                raise YamlError(f"unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _parse_scalar(text: str):
    text = text.strip()
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise YamlError(f"unterminated string: {text}")
        return _parse_double(text)
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise YamlError(f"unterminated string: {text}")
        return text[1:-1].replace("''", "'")
    if text.startswith("!function"):
        name = text[len("!function") :].strip()
        return FunctionTag(_parse_scalar(name) if name[:1] in "\"'" else name)
    if text.startswith("!!"):
        tag, _, body = text.partition(" ")
        value = _parse_scalar(body)
        casts = {"!!str": str, "!!int": int, "!!float": float, "!!bool": bool, "!!null": lambda v: None}
        if tag not in casts:
            raise YamlError(f"unsupported tag {tag}")
        return casts[tag]("" if value is None and tag == "!!str" else value)
    if text[:1] in "!&*|>":
        raise YamlError(f"unsupported YAML construct: {text[:20]}")
    if text.startswith("[") or text.startswith("{"):
        value, end = _parse_flow(text, 0)
        if text[end:].strip():
            raise YamlError(f"trailing text after flow value: {text}")
        return value
    return resolve_plain(text)


def _scan_flow_scalar(text: str, i: int, in_map: bool) -> int:
    """Index where the scalar starting at text[i] ends inside a flow collection (quotes and escapes honoured)."""
    if text[i] in "\"'":
        q, j = text[i], i + 1
        while j < len(text):
            if q == '"' and text[j] == "\\":
                j += 2
                continue
            if text[j] == q:
                if q == "'" and text[j + 1 : j + 2] == "'":
                    j += 2
                    continue
                return j + 1
            j += 1
        raise YamlError("unterminated string in flow collection")
    j = i
    while j < len(text):
        ch = text[j]
        if ch in ",]}" or (in_map and ch == ":" and text[j + 1 : j + 2] in (" ", "", ",", "}")):
            break
        j += 1
    return j


def _parse_flow(text: str, i: int):
    """Parse a `[...]` or `{...}` starting at text[i]; return (value, index after it)."""
    opener = text[i]
    closer = "]" if opener == "[" else "}"
    items: list = []
    mapping: dict = {}

    def skip(k: int) -> int:
        while k < len(text) and text[k] in " \t":
            k += 1
        return k

    def item(k: int):
        if text[k] in "[{":
            return _parse_flow(text, k)
        end = _scan_flow_scalar(text, k, opener == "{")
        return _parse_scalar(text[k:end]), end

    i = skip(i + 1)
    while True:
        if i >= len(text):
            raise YamlError("unterminated flow collection")
        if text[i] == closer:
            return (items if opener == "[" else mapping), i + 1
        value, i = item(i)
        i = skip(i)
        if opener == "{":
            if i < len(text) and text[i] == ":":
                i = skip(i + 1)
                if i < len(text) and text[i] in ",}":
                    mapping[value] = None
                else:
                    mapping[value], i = item(i)
            else:
                mapping[value] = None  # `{key}` is a key with a null value
        else:
            items.append(value)
        i = skip(i)
        if i < len(text) and text[i] == ",":
            i = skip(i + 1)
        elif i < len(text) and text[i] != closer:
            raise YamlError(f"expected ',' or '{closer}' in flow collection")


class _Parser:
    def __init__(self, text: str) -> None:
        self.raw = text.splitlines()
        self.i = 0

    def peek(self):
        """(indent, content) of the next significant line, skipping blanks, comments and document markers."""
        while self.i < len(self.raw):
            line = self.raw[self.i]
            body = line.lstrip(" ")
            if body.startswith("\t"):
                raise YamlError(f"tab indentation on line {self.i + 1}")
            content = _strip_comment(body)
            if content and not (len(body) == len(line) and (content in ("---", "...") or content.startswith("%"))):
                return len(line) - len(body), content
            self.i += 1
        return None

    def node(self, indent: int):
        p = self.peek()
        if p is None or p[0] < indent:
            return None
        ind, content = p
        if content == "-" or content.startswith("- "):
            return self.seq(ind)
        if _split_key(content):
            return self.mapping(ind)
        self.i += 1
        return self.value(content, ind - 1)

    def mapping(self, ind: int) -> dict:
        out: dict = {}
        while True:
            p = self.peek()
            if p is None or p[0] < ind:
                return out
            if p[0] > ind:
                raise YamlError(f"bad indentation on line {self.i + 1}")
            kv = _split_key(p[1])
            if kv is None:
                if p[1] == "-" or p[1].startswith("- "):
                    return out  # a sequence at the parent's indent belongs to the parent key
                raise YamlError(f"expected 'key: value' on line {self.i + 1}")
            self.i += 1
            key, rest = kv
            if isinstance(key, str) and key.startswith(("'", '"')):
                key = _parse_scalar(key)
            out[key] = self.value(rest, ind)

    def seq(self, ind: int) -> list:
        items: list = []
        while True:
            p = self.peek()
            if p is None or p[0] != ind or not (p[1] == "-" or p[1].startswith("- ")):
                return items
            rest = p[1][1:].strip()
            if not rest:
                self.i += 1
                nxt = self.peek()
                items.append(self.node(nxt[0]) if nxt and nxt[0] > ind else None)
            elif _split_key(rest) or rest == "-" or rest.startswith("- "):
                # `- key: v` opens a mapping whose keys align with `key`: blank out the dash and re-read the line.
                line = self.raw[self.i]
                self.raw[self.i] = line[:ind] + " " + line[ind + 1 :]
                items.append(self.node(ind + 1))
            else:
                self.i += 1
                items.append(self.value(rest, ind))

    def value(self, rest: str, ind: int):
        """The value after `key:` or `- ` on a line indented `ind`; may continue on following lines."""
        if rest == "":
            p = self.peek()
            if p and p[0] > ind:
                return self.node(p[0])
            if p and p[0] == ind and (p[1] == "-" or p[1].startswith("- ")):
                return self.seq(ind)
            return None
        if rest[0] in "|>":
            return self.block_scalar(rest, ind)
        text, blanks = rest, 0
        # Multi-line quoted strings and flow collections run until they close; YAML folds each line break
        # into a space, blank lines into newlines, and a double-quoted line ending in `\` joins directly.
        while self._unfinished(text):
            if self.i >= len(self.raw):
                raise YamlError("unterminated value at end of file")
            piece = self.raw[self.i].strip()
            self.i += 1
            if not piece:
                blanks += 1
                continue
            if text[0] == '"' and re.search(r"(?<!\\)(\\\\)*\\$", text):
                text = text[:-1] + piece
            else:
                text = text.rstrip(" \t") + ("\n" * blanks if blanks else " ") + piece
            blanks = 0
        if text[0] not in "\"'[{!":
            # A plain scalar continues on lines indented deeper than its key.
            while True:
                p = self.peek()
                if p is None or p[0] <= ind or _split_key(p[1]):
                    break
                text += " " + p[1]
                self.i += 1
        return _parse_scalar(text)

    @staticmethod
    def _unfinished(text: str) -> bool:
        if text[0] in "\"'":
            body = text[1:]
            if text[0] == '"':
                body = re.sub(r"\\.", "", body)
            else:
                body = body.replace("''", "")
            return text[0] not in body
        if text[0] in "[{":
            depth, quote, escaped = 0, None, False
            for ch in text:
                if quote:
                    if escaped:
                        escaped = False
                    elif ch == "\\" and quote == '"':
                        escaped = True
                    elif ch == quote:
                        quote = None
                elif ch in "\"'":
                    quote = ch
                elif ch in "[{":
                    depth += 1
                elif ch in "]}":
                    depth -= 1
            return depth > 0
        return False

    def block_scalar(self, header: str, ind: int) -> str:
        style, chomp = header[0], ("-" if "-" in header else "+" if "+" in header else "")
        lines: list = []
        block_indent = None
        while self.i < len(self.raw):
            line = self.raw[self.i]
            if line.strip() == "":
                lines.append("")
                self.i += 1
                continue
            width = len(line) - len(line.lstrip(" "))
            if block_indent is None:
                if width <= ind:
                    break
                block_indent = width
            if width < block_indent:
                break
            lines.append(line[block_indent:])
            self.i += 1
        trailing = 0
        while lines and lines[-1] == "":
            lines.pop()
            trailing += 1
        if style == "|":
            body = "\n".join(lines)
        else:
            body, prev_blank = "", True
            for line in lines:
                if line == "":
                    body += "\n"
                    prev_blank = True
                elif line.startswith(" "):
                    body += ("" if prev_blank else "\n") + line + "\n"
                    prev_blank = True
                else:
                    body += ("" if prev_blank else " ") + line
                    prev_blank = False
            body = body.rstrip("\n")
        if not lines:
            return ""
        if chomp == "-":
            return body
        if chomp == "+":
            return body + "\n" * (trailing + 1)
        return body + "\n"


def loads(text: str):
    parser = _Parser(text.lstrip("\ufeff"))
    p = parser.peek()
    if p is None:
        return None
    value = parser.node(p[0])
    if parser.peek() is not None:
        raise YamlError(f"unexpected content on line {parser.i + 1}")
    return value


def load_file(path: str):
    with open(path, encoding="utf-8") as f:
        return loads(f.read())
