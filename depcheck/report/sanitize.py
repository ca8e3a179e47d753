"""Every string from a scanned repository, made safe for where it lands: the one sanitising module.

depcheck runs on pull requests from strangers, and its output lands in CI logs, pull-request
comments, code scanning and generated files. Three things are done here, and nowhere else:

- **Redaction** (`redact`): anything that looks like a credential is replaced by ``***`` in every
  output: ``Authorization`` header values, ``basic``/``bearer`` tokens, the user and password of
  a URL (``https://user:pass@host`` becomes ``https://***@host``), GitHub, GitLab, npm, Slack and
  AWS token shapes (``ghp_…``, ``github_pat_…``, ``glpat-…``), and ``_authToken=``/``password=``
  style assignments. It runs on each finished document, so no formatter can forget it.
- **Terminal and log text** (`clean`, `log_document`): control characters, line breaks and
  bidirectional overrides are shown as escapes (``\\x1b``, ``\\u202e``), and the two things a
  GitHub Actions runner reads as commands are broken: a line starting with ``::`` (a workflow
  command, even after blanks or colour codes) and ``##[`` anywhere on a line (the runner's legacy
  syntax). ``::`` becomes ``:\\x3a`` and ``##[`` becomes ``#\\x23[``. `log_document` checks the
  whole rendered document line by line, after wrapping, so no terminal width can fold a name so
  that it starts a line with ``::``.
- **Encodings**: a path that is not UTF-8 (Python's `surrogateescape` form) is shown with
  escapes (``\\xff``) in every document, so each stays valid UTF-8 (`escape_surrogates`).
- **Per destination**: GitHub workflow-command messages and properties (`escape_data`,
  `escape_property`: the runner's ``%25``/``%0A``/``%3A`` escapes), JSON documents (`json_document`:
  ``#`` in ``##[`` written as the JSON escape ``\\u0023``, so the parsed content is unchanged) and
  Markdown (`markdown_document`: HTML character references, which render as the same text).

Formatters still escape for their own syntax (Markdown code spans, Mermaid labels, DOT strings);
what they hand back passes through `document` before it is printed or written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# C0 and C1 controls but the tab (ANSI escapes, bells, line breaks that would forge a log line),
# the Unicode line and paragraph separators, and the bidirectional controls that make text
# display in another order than it reads
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_LEGACY_COMMAND = "##["

# --- redaction -----------------------------------------------------------------------------

_SECRET = "***"
# characters a token or header value is made of; never a quote, a backslash (a JSON escape) or
# a blank, so a match stays inside the string it was found in
_VALUE = r"[^\s'\"\\`<>|,;()\[\]{}]+"
# Each redaction: its pattern, its replacement, and the lowercase words one of which every match
# holds (`redact` runs a pattern only on a text that holds one: a substring test on a 20 MB
# document takes milliseconds where the regular expression takes half a second)
_REDACTIONS: tuple[
    tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], tuple[str, ...]], ...
] = (
    # Authorization: <scheme> <value>, as a header, a git config extraheader or a curl -H
    (
        re.compile(
            r"(?i)(\b(?:proxy-)?authorization\s*(?::|%3A|=)\s*)(?:(basic|bearer|token|digest)\s+)?"
            + _VALUE
        ),
        lambda m: m.group(1) + (f"{m.group(2)} " if m.group(2) else "") + _SECRET,
        ("authorization",),
    ),
    # a basic or bearer credential on its own (a value with a digit or base64 padding, so
    # "basic requirements" in prose is left alone)
    (
        re.compile(
            r"(?i)\b(basic|bearer)(\s+)(?=[A-Za-z0-9+/=._~-]*[0-9+/=])[A-Za-z0-9+/=._~-]{8,}"
        ),
        r"\1\2" + _SECRET,
        ("basic", "bearer"),
    ),
    # user information of a URL (`git@` alone is the usual ssh user, not a secret)
    (
        # (the scheme starts where no scheme character stands before it: from inside a run of
        # them, every position would rescan the run)
        re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)(?!git@)[^\s/@'\"\\`<>]+@"),
        r"\1" + _SECRET + "@",
        ("://",),
    ),
    # token shapes of the usual hosts
    (
        re.compile(
            r"\b(gh[pousr]_|github_pat_|glpat-|gldt-|npm_|xox[abprs]-|pypi-)[A-Za-z0-9_\-]{8,}"
        ),
        r"\1" + _SECRET,
        (
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat_",
            "glpat-",
            "gldt-",
            "npm_",
            "xox",
            "pypi-",
        ),
    ),
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), r"\1" + _SECRET, ("akia", "asia")),
    # key = value assignments of the usual secret names (.npmrc, .pypirc, .env, git config)
    (
        re.compile(
            r"(?i)\b(_auth(?:token)?|password|passwd|secret(?:[_-]?key)?|api[_-]?key|"
            r"access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?token)"
            r"(\s*(?::|%3A|=)\s*)" + _VALUE
        ),
        r"\1\2" + _SECRET,
        ("_auth", "password", "passwd", "secret", "apikey", "api_key", "api-key", "token"),
    ),
    # a secret in a URL's query
    (
        re.compile(
            r"(?i)([?&](?:token|access_token|private_token|api_key|apikey|key|password|auth|sig)=)"
            r"[^&#\s'\"\\`<>]+"
        ),
        r"\1" + _SECRET,
        ("?", "&"),
    ),
)


# the letters outside ASCII that `re.IGNORECASE` takes for ASCII ones: dotted and dotless I
# for `i`, the long s for `s`, the Kelvin sign for `k` (tests/report/test_sanitize.py checks
# that there are no others)
_ASCII_FOLDS = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))
_ENCODED_WORDS = tuple(tuple(word.encode() for word in words) for _, _, words in _REDACTIONS)


def _lowered(text: str) -> bytes:
    """A text beyond ASCII as the words of `_REDACTIONS` are looked for in it: UTF-8, with
    every letter a case-insensitive pattern takes for an ASCII letter lowered to that letter.
    (Lowering the bytes changes only ASCII letters, in a third of the time of lowering every
    character; the words are ASCII, so they are found where they stand.)"""
    for char, letter in _ASCII_FOLDS:
        if char in text:
            text = text.replace(char, letter)
    return text.encode("utf-8", "surrogatepass").lower()


#: every word, for a short text's first test
_ALL_WORDS = tuple(word for _, _, words in _REDACTIONS for word in words)
assert not any("\n" in word for word in _ALL_WORDS)  # (`redact` looks for them line by line)
#: up to this length, a text is first tested for any word at all (a formatter redacts a value
#: before it breaks it over lines: most hold none); a longer one is tested pattern by pattern
#: at once, so that no word is searched for twice in a large document
_SHORT = 4096
#: from this length a text's words are looked for in its distinct lines
_DISTINCT_FROM = 256 * 1024


def redact(text: str) -> str:
    """`text` with anything that looks like a credential replaced by ``***``."""
    # where the words are looked for: a long document's distinct lines (no word holds a line
    # break, so a word is in the text when it is in one of its lines; a report repeats its
    # lines, and 27 searches of a 68 MB document took 0.9 s)
    probe = text if len(text) <= _DISTINCT_FROM else "\n".join(dict.fromkeys(text.split("\n")))
    if probe.isascii():
        lowered = probe.lower()
        if len(text) <= _SHORT:
            for word in _ALL_WORDS:
                if word in lowered:
                    break
            else:
                return text
        holds = [any(word in lowered for word in words) for _, _, words in _REDACTIONS]
    else:
        encoded = _lowered(probe)
        holds = [any(word in encoded for word in words) for words in _ENCODED_WORDS]
    for (pattern, replacement, _), held in zip(_REDACTIONS, holds, strict=True):
        if held:
            text = pattern.sub(replacement, text)
    return text


# lone surrogates: a path that is not UTF-8 reaches depcheck as Python's `surrogateescape`
# form (byte 0xff is U+DCFF), and a JSON escape in a lock file can hold one; no UTF-8 document
# can carry them
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _surrogate_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    # U+DC80..U+DCFF stand for the undecodable bytes 0x80..0xff of a file name
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_surrogates(text: str, *, backslash: str = "\\") -> str:
    """`text` with each lone surrogate shown as the escape of the byte it stands for (``\\xff``)
    or of the code point (``\\udc00``); `backslash` is how the target writes a backslash (in a
    JSON string, two of them)."""
    if text.isascii():  # (reads a flag)
        return text
    try:
        text.encode("utf-8")  # (a third of the time of searching for one)
    except UnicodeEncodeError:
        return _SURROGATE_RE.sub(lambda m: backslash + _surrogate_escape(m)[1:], text)
    return text


# --- terminal and log text ---------------------------------------------------------------


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_controls(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0) in "\r\n" else _escape(match)


def clean_printable(text: str) -> str:
    """`clean` for a text known to be printable ASCII: only ``##[`` to break."""
    return text.replace(_LEGACY_COMMAND, "#\\x23[")


def clean(text: str, *, keep_line_breaks: bool = False) -> str:
    """A value from a scanned file, for a terminal or a log: control characters (ANSI escapes,
    bells, line breaks, bidi overrides) shown as their escapes, `\\x1b` or `\\u202e`, and the
    runner's legacy ``##[`` broken. `keep_line_breaks` leaves CR and LF for a format that
    encodes them itself."""
    if text.isascii() and text.isprintable():  # (most text: no control, no surrogate)
        return clean_printable(text)
    text = _CONTROL_RE.sub(_escape_controls if keep_line_breaks else _escape, text)
    return clean_printable(escape_surrogates(text))


# a line whose first visible characters are `::`: blanks and colour codes before it do not count
# (a line starts after any character that some reader takes as a line break)
_COMMAND_START_RE = re.compile(
    r"(?:^|(?<=[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]))((?:[ \t\f\v]|\x1b\[[0-9;]*m)*):(?=:)",
    re.MULTILINE,
)
# line breaks to Python's `str.splitlines` that JSON leaves raw (the C0 ones it escapes itself)
_JSON_RAW_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _guard_lines(text: str, colon: str, hash_sign: str) -> str:
    if "::" in text:
        text = _COMMAND_START_RE.sub(lambda m: m.group(1) + colon, text)
    while _LEGACY_COMMAND in text:
        text = text.replace(_LEGACY_COMMAND, "#" + hash_sign + "[")
    return text


def log_document(text: str) -> str:
    """A whole text document for a terminal or a CI log (the text report, `why`, `plan`, DOT,
    GraphML, Mermaid, standard error), redacted, with no line that starts with ``::`` and no
    ``##[``."""
    return _guard_lines(redact(escape_surrogates(text)), "\\x3a", "\\x23")


def json_document(text: str) -> str:
    """A JSON (or SARIF) document, redacted, with ``##[`` written ``#\\u0023[``: the same string
    for a JSON reader, inert for a runner that `cat`s the file. Lines of an indented JSON
    document start with a blank or a bracket, never with ``::``."""
    # a surrogate can only stand inside a JSON string, where a backslash is written twice
    text = escape_surrogates(text, backslash="\\\\")
    for char, escape in _JSON_RAW_BREAKS.items():
        text = text.replace(char, escape)
    return _guard_lines(redact(text), "\\u003a", "\\u0023")


def markdown_document(text: str) -> str:
    """A Markdown document, redacted, with ``::`` at a line start and ``##[`` written as HTML
    character references (which render as the same characters)."""
    return _guard_lines(redact(escape_surrogates(text)), "&#58;", "&#35;")


def github_document(text: str) -> str:
    """Workflow commands, redacted. Their own lines start with ``::``; every value in them went
    through `escape_data`/`escape_property`, so no value can start a line or hold ``##[``."""
    return redact(escape_surrogates(text))


def document(kind: str, text: str) -> str:
    """`text`, a finished document of `kind` (an output format or a graph format), made safe
    for where it lands."""
    choose: dict[str, Callable[[str], str]] = {
        "json": json_document,
        "sarif": json_document,
        "markdown": markdown_document,
        "github": github_document,
    }
    return choose.get(kind, log_document)(text)


# --- GitHub workflow commands --------------------------------------------------------------


def escape_data(value: str) -> str:
    """A workflow command's message: ``%``, CR and LF as ``%25``, ``%0D``, ``%0A`` (the runner
    decodes them), other control characters shown as `\\x1b`, ``##[`` broken."""
    value = clean(value, keep_line_breaks=True)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value (``file``, ``title``, ...): also ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
