"""Reading articles: front matter, headings, and numbered paragraphs."""

from pathlib import Path

import pytest

from quizapp.banks.articles import (
    Article,
    ArticleError,
    Block,
    fold_quote,
    load_article,
    parse_article,
    split_blocks,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_the_seed_article_has_eighteen_paragraphs_and_two_headings() -> None:
    article = load_article(SEEDS / "allies-intelligence-sharing.md")
    assert article.id == "allies-intelligence-sharing"
    assert article.title == "What happens when allies don\u2019t trust America to keep a secret?"
    assert len(article.paragraphs) == 18
    assert [b.text for b in article.blocks if b.level] == [
        "Trump vs. the spies: A long and awkward struggle",
        "How unprecedented is this?",
    ]
    assert article.paragraph(1).startswith("Can allies still trust the United States")
    assert article.paragraph(9).startswith("These concerns were not mollified")
    assert article.paragraph(18).startswith("Alliances like Five Eyes and NATO")
    assert article.paragraph(19) is None and article.paragraph(0) is None
    assert article.meta["image"]["alt"] == "MI6 headquarters seen from a bridge"


def test_a_paragraph_may_span_several_lines() -> None:
    article = parse_article(b"---\nid: a\ntitle: A\n---\nfirst line\nsecond line\n\n# H\nnext\n", "a.md")
    assert article.paragraphs == ["first line second line", "next"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"no front matter\n", "a.md:1:1: article must start with '---' front matter"),
        (b"---\nid: a\ntitle: A\n", "a.md:1:1: front matter has no closing '---'"),
        (b"---\nid: b\ntitle: A\n---\ntext\n", "a.md:2:5: id 'b' must match the file name 'a'"),
        (b"---\nid: a\ntitle: [A\n---\ntext\n",
         "a.md:4:1: YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'"),
        (b"---\nid: a\ntitle: A\n---\n\n## Only a heading\n", "a.md:5:1: article has no paragraphs"),
    ],
)
def test_broken_articles_are_refused_with_a_place(text: bytes, message: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(text, "a.md")
    assert [str(p) for p in caught.value.problems] == [message]


def test_folding_makes_typographic_punctuation_plain() -> None:
    assert fold_quote("\u201cdon\u2019t\u201d \u2014  x\n y") == "\"don't\" - x y"


#: An article as the app stores one written in the browser: blocks as mappings.
STORED_BLOCKS = [
    {"text": "A library for the town", "number": 0, "level": 2},
    {"text": "The town has a new library.", "number": 1, "level": 0},
    {"text": "On Monday the mayor opened it.", "number": 2, "level": 0},
]


def test_an_article_built_from_stored_blocks_numbers_only_its_paragraphs() -> None:
    article = Article.from_blocks("town-library", "A new library", STORED_BLOCKS)
    assert article.paragraphs == ["The town has a new library.", "On Monday the mayor opened it."]
    assert article.paragraph(2) == "On Monday the mayor opened it." and article.paragraph(3) is None
    assert article.quote_in("the  mayor opened", 2) and article.find_quote("new library") == [1]
    assert article.meta == {} and len(article.content_hash) == 64
    # the same body as Markdown splits into the same blocks
    body = "## A library for the town\n\nThe town has a\nnew library.\n\nOn Monday the mayor opened it.\n"
    assert Article.from_blocks("town-library", "A new library", split_blocks(body)) == article
    assert split_blocks(body)[0] == Block("A library for the town", level=2)
    # built directly, an article folds its paragraphs for quotes all the same
    assert Article("town-library", "A new library", {}, article.blocks).quote_in("mayor opened", 2)
    changed = Article.from_paragraphs("town-library", "A new library", ["Other text."])
    assert changed.content_hash != article.content_hash
