"""Rules for quotation marks: stray guillemets, orphan and misplaced curly quotes.

They act only on curly double quotes (“ ”) and guillemets, and leave a paragraph alone
where quoting is ambiguous: straight double quotes, German „ “ or Swedish ” ” quoting.
"""

from __future__ import annotations

import re

from ._text import EMPTY, Context

__all__ = ["EMPTY", "guillemets", "quote_balance"]


def _quoting_ambiguous(text: str) -> bool:
    if '"' in text or "„" in text or "‟" in text:
        return True
    # ” used as an opening quote (Swedish, Finnish; or markup such as type=”big”):
    # directly before a word
    return re.search(r"”(?=\w)", text) is not None


def guillemets(text: str, ctx: Context) -> str:
    """Mend a lone guillemet in a paragraph of an article that quotes with “ ”.

    A lone » that would close an open “ becomes ”, a lone « that would open an
    orphan ” becomes “; any other lone guillemet is removed.

    >>> ctx = Context(curly=True)
    >>> guillemets("“following team establishment,» small-scale sales,” he said", ctx)
    '“following team establishment, small-scale sales,” he said'
    >>> guillemets("He said “we will sell abroad». Then he left.", ctx)
    'He said “we will sell abroad”. Then he left.'
    >>> guillemets("He said «we will sell abroad.” Then he left.", ctx)
    'He said “we will sell abroad.” Then he left.'

    Correct French (or Russian, or German) quotations stay:

    >>> guillemets("Il a dit : « Nous allons vendre à l’étranger ».", ctx)
    'Il a dit : « Nous allons vendre à l’étranger ».'
    >>> guillemets("Er sagte: »Wir verkaufen im Ausland.«", ctx)
    'Er sagte: »Wir verkaufen im Ausland.«'
    """
    if not ctx.curly or ("«" in text) == ("»" in text) or _quoting_ambiguous(text):
        return text
    opens, closes = text.count("“"), text.count("”")
    if "»" in text:
        if text.count("»") != 1:
            return text
        i = text.index("»")
        if opens > closes and _closer_position(text, i):
            return text[:i] + "”" + text[i + 1:]
        return _remove(text, i)
    if text.count("«") != 1:
        return text
    i = text.index("«")
    if closes > opens and _opener_position(text, i):
        return text[:i] + "“" + text[i + 1:]
    return _remove(text, i)


def _closer_position(text: str, i: int) -> bool:
    """Whether a quote at ``i`` follows words and is not glued to a next word."""
    before = text[:i].rstrip()[-1:]
    after = text[i + 1:i + 2]
    return bool(before) and before not in "([{“" and (not after or not after.isalnum())


def _opener_position(text: str, i: int) -> bool:
    """Whether a quote at ``i`` comes before words and is not glued to a previous word."""
    before = text[i - 1:i]
    after = text[i + 1:].lstrip()[:1]
    return (not before or before.isspace() or before in "([—–") and (
        after.isalnum() or after == "…"
    )


def _remove(text: str, i: int) -> str:
    """Remove the character at ``i`` and any space it leaves doubled."""
    before, after = text[:i], text[i + 1:]
    if before.endswith(" ") and after.startswith(" "):
        after = after[1:]
    elif before.endswith(" ") and (not after or after[0] in ".,;:!?"):
        before = before[:-1]
    return before + after


_MOVED_CLOSER = re.compile(r"(?<=[\w.!?,;:])”(\s+)(?=[^\W\d_])")


def quote_balance(text: str, ctx: Context) -> str:
    """Balance a paragraph's curly double quotes where a spinner broke them.

    - a closing quote that opens a quotation (``further.” To amplify this,”``) moves
      to the word it opens;
    - an orphan closing quote at the paragraph's end is removed;
    - an opening quote with no words after it at the paragraph's end is removed.

    >>> quote_balance("to grow further.” To amplify this effort,” Lu said globally.”", EMPTY)
    'to grow further. “To amplify this effort,” Lu said globally.'
    >>> quote_balance("aspiring new standards planning“;", EMPTY)
    'aspiring new standards planning;'

    Balanced quotes, quotations running on into the next paragraph, and paragraphs
    with straight or Swedish quotes stay:

    >>> quote_balance("“We sell,” he said. “We grow.”", EMPTY)
    '“We sell,” he said. “We grow.”'
    >>> quote_balance("“We sell abroad. We grow every year.", EMPTY)
    '“We sell abroad. We grow every year.'
    >>> quote_balance('"Open the door! We’re coming in!” an officer shouts.', EMPTY)
    '"Open the door! We’re coming in!” an officer shouts.'
    >>> quote_balance("were ”dwindling.”", EMPTY)
    'were ”dwindling.”'
    >>> quote_balance('[button url=”https://x.org/” type=”big” newwindow=”yes”]', EMPTY)
    '[button url=”https://x.org/” type=”big” newwindow=”yes”]'
    """
    if ("“" not in text and "”" not in text) or _quoting_ambiguous(text):
        return text
    # an opening quote followed by nothing but punctuation at the end
    text = re.sub(r"\s*“(?=[^\w“”]*$)", "", text)
    orphans = _orphan_closers(text)
    if not orphans:
        return text
    edits: list[tuple[int, str]] = []  # (position of an orphan, what to do)
    k = 0
    while k < len(orphans):
        i = orphans[k]
        m = _MOVED_CLOSER.match(text, i)
        if m and k + 1 < len(orphans):
            edits.append((i, "move"))
            k += 2  # the next orphan closes the quotation this one opens
            continue
        if not text[i + 1:].strip():
            edits.append((i, "drop"))
        k += 1
    for i, what in reversed(edits):
        if what == "drop":
            text = text[:i] + text[i + 1:]
        else:
            m = _MOVED_CLOSER.match(text, i)
            assert m is not None
            text = text[:i] + m.group(1) + "“" + text[m.end():]
    return text


def _orphan_closers(text: str) -> list[int]:
    """Positions of closing quotes that no opening quote matches."""
    depth = 0
    orphans = []
    for m in re.finditer("[“”]", text):
        if m.group(0) == "“":
            depth += 1
        elif depth:
            depth -= 1
        else:
            orphans.append(m.start())
    return orphans
