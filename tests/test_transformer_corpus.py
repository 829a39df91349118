"""The translation labs' shared text pieces: the generated corpus and its held-out split, the
tokeniser and vocabulary, and sacreBLEU."""

from __future__ import annotations

import pytest

from core import corpus
from core.bleu import corpus_bleu, evaluate_translator
from core.corpus import CorpusError, generate_pairs, is_heldout, load_corpus
from core.tokens import EOS, PAD, SOS, UNK, Vocab, detokenize, tokenize

# --- the generated corpus ------------------------------------------------------------------


def test_generation_is_deterministic_and_distinct():
    pairs = generate_pairs(300, seed=5)
    assert pairs == generate_pairs(300, seed=5)
    assert pairs != generate_pairs(300, seed=6)
    assert len({english for english, _ in pairs}) == 300


def test_sentences_have_three_to_fifteen_words_and_end_with_a_full_stop():
    for english, french in generate_pairs(500, seed=0):
        assert 3 <= corpus._word_count(english) <= 15
        assert english.endswith(".") and french.endswith(".")


def test_the_grammar_agrees_and_reorders():
    rng_pairs = dict(generate_pairs(20_000, seed=0))
    # Adjectives of colour follow the noun and agree with it.
    assert any("voiture rouge" in f for e, f in rng_pairs.items() if "red car" in e)
    assert any("maisons blanches" in f for e, f in rng_pairs.items() if "white houses" in e)
    # Object pronouns come before the verb; negation goes round it.
    assert rng_pairs.get("she sees him.") in (None, "elle le voit.")
    negated = [f for e, f in rng_pairs.items() if " does not " in e]
    assert negated and all(" pas" in f for f in negated)
    # Elision: je, le, la, ne before a vowel.
    assert any(f.startswith("j'") for f in rng_pairs.values())
    assert not any(" le a" in f or " je a" in f or " la é" in f for f in rng_pairs.values())


def test_the_heldout_split_is_fixed_and_never_trained_on():
    small, large = load_corpus(size=2_000), load_corpus(size=8_000, seed=3)
    assert small.heldout == large.heldout  # fixed whatever the size or seed
    assert len(small.train) == 2_000 and len(small.heldout) == corpus.HELDOUT_SIZE
    trained = {english for english, _ in large.train}
    assert not trained & {english for english, _ in large.heldout}
    assert all(is_heldout(english) for english, _ in large.heldout)
    assert "generated" in small.description and "held-out" in small.description


def test_longer_heldout_sentences_can_be_picked():
    data = load_corpus(size=1_000)
    long = data.longer_than(10)
    assert long and all(corpus._word_count(english) > 10 for english, _ in long)
    assert len(long) < len(data.heldout)


def test_the_bundled_tatoeba_pairs_load_offline_split_by_english_sentence(monkeypatch):
    monkeypatch.setenv("DLL_OFFLINE", "1")  # shipped in the repository: nothing to download
    data = load_corpus("tatoeba", size=200_000)
    assert data.name == "tatoeba" and "Tatoeba Project" in data.description
    assert len(data.heldout) == corpus.TATOEBA_HELDOUT_SIZE and len(data.train) > 60_000
    train_english = {e.lower() for e, _ in data.train}
    assert not train_english & {e.lower() for e, _ in data.heldout}  # never trained on
    # Every translation of a held-out sentence is a reference; many have several.
    scored = data.scored(data.heldout)
    assert all(refs[0] == first for (_, first), (_, refs) in zip(data.heldout, scored, strict=True))
    assert sum(len(refs) > 1 for _, refs in scored) > 100
    # An English sentence with several translations gives a training pair per translation.
    english = [e for e, _ in data.train]
    assert len(english) > len(set(english))
    assert load_corpus("tatoeba", size=500, seed=1).train != load_corpus("tatoeba", size=500).train
    assert load_corpus("tatoeba", size=500, seed=1).heldout == data.heldout


def test_without_its_file_tatoeba_falls_back_to_the_generated_corpus_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(corpus, "TATOEBA_FILE", tmp_path / "missing.tsv.gz")
    corpus.tatoeba_translations.cache_clear()
    corpus._load_corpus_cached.cache_clear()
    try:
        data = load_corpus("tatoeba", size=500, data_dir=str(tmp_path))
        assert data.name == "generated" and "fallback" in data.description and "missing" in data.description
    finally:
        corpus.tatoeba_translations.cache_clear()
        corpus._load_corpus_cached.cache_clear()


def test_tatoeba_reads_a_local_file_and_splits_by_english_sentence(tmp_path):
    lines = [f"Sentence number {i}.\tPhrase numéro {i}." for i in range(400)]
    lines += ["Sentence number 1.\tAutre traduction.", "far too long " * 10 + "\tx"]
    (tmp_path / "eng-fra.txt").write_text("\n".join(lines), encoding="utf-8")
    data = load_corpus("tatoeba", size=1_000, data_dir=str(tmp_path))
    assert data.name == "tatoeba" and "Tatoeba" in data.description
    # 400 English sentences, one of them with two translations; the long line dropped.
    assert len({e for e, _ in data.train}) + len(data.heldout) == 400
    assert not {e for e, _ in data.train} & {e for e, _ in data.heldout}
    if "Sentence number 1." in data.references:
        assert data.references["Sentence number 1."] == ["Phrase numéro 1.", "Autre traduction."]
    else:
        assert {f for e, f in data.train if e == "Sentence number 1."} == {
            "Phrase numéro 1.",
            "Autre traduction.",
        }


@pytest.mark.parametrize(("name", "size"), [("klingon", 100), ("generated", 0), ("generated", 10**7)])
def test_bad_corpus_requests_are_refused_clearly(name, size):
    with pytest.raises(CorpusError):
        load_corpus(name, size=size)


# --- tokens --------------------------------------------------------------------------------


def test_tokenize_lowercases_and_splits_punctuation_and_elision():
    assert tokenize("L'homme n'aime pas l'école, non?") == [
        "l'",
        "homme",
        "n'",
        "aime",
        "pas",
        "l'",
        "école",
        ",",
        "non",
        "?",
    ]
    assert tokenize("The boy's dog.") == ["the", "boy", "'s", "dog", "."]
    assert tokenize("  ") == []


@pytest.mark.parametrize(
    ("text", "tokens", "written"),
    [
        ("C'est l'homme.", ["c'", "est", "l'", "homme", "."], "c'est l'homme."),
        ("Qu'est-ce que c'est ?", ["qu'", "est", "-ce", "que", "c'", "est", "?"], "qu'est-ce que c'est?"),
        ("A-t-il peut-être vu Marie\u202f!", ["a", "-t", "-il", "peut", "-être", "vu", "marie", "!"], None),
        ("Aujourd'hui, jusqu'à demain.", ["aujourd'hui", ",", "jusqu'", "à", "demain", "."], None),
        ("I don't think Tom's here.", ["i", "do", "n't", "think", "tom", "'s", "here", "."], None),
        ("I'm sure you're right, can't you?", None, "i'm sure you're right, can't you?"),
        ("Je l’ai vu à l’école.", ["je", "l'", "ai", "vu", "à", "l'", "école", "."], "je l'ai vu à l'école."),
        ("Ça, c'est très cher.", ["ça", ",", "c'", "est", "très", "cher", "."], None),
    ],
)
def test_real_text_is_tokenised_with_its_apostrophes_hyphens_and_accents(text, tokens, written):
    if tokens is not None:
        assert tokenize(text) == tokens
    expected = written or text.lower().replace("\u202f!", "!").replace("’", "'")
    assert detokenize(tokenize(text)) == expected


def test_detokenize_inverts_tokenize_on_the_tatoeba_pairs():
    """Up to typography (a space before ! and ?, curly apostrophes), every sentence comes back."""

    def plain(text: str) -> str:
        return text.lower().replace("\u202f", "").replace("\u2009", "").replace("\xa0", "").replace(" ", "")

    pairs = [(e, f) for e, frenches in corpus.tatoeba_translations().items() for f in frenches]
    changed = [
        f for _, f in pairs if plain(detokenize(tokenize(f))) != plain(f).replace("’", "'").replace("‘", "'")
    ]
    assert len(pairs) > 70_000 and not changed[:5]


def test_a_vocabulary_keeps_counts_and_the_usual_case_of_names():
    vocab = Vocab.build(["Tom aime Marie.", "Je vois Tom.", "Tom dort.", "C'est un chat."], min_count=2)
    assert "marie" not in vocab and vocab.seen("marie") == 1 and vocab.seen("tom") == 3
    assert vocab.seen("zèbre") == 0
    assert vocab.sentence(["tom", "dort", "."]) == "Tom dort."
    assert vocab.sentence(["c'", "est", "tom", "."]) == "C'est Tom."
    again = Vocab.from_dict(vocab.to_dict())
    assert again.cased == {"tom": "Tom"} and again.counts == vocab.counts
    old = Vocab.from_dict({"words": vocab.words})  # a checkpoint from before: no counts, no case
    assert old.seen("tom") == 1 and old.seen("marie") == 0 and old.sentence(["tom", "dort"]) == "tom dort"


def test_detokenize_inverts_tokenize_on_the_corpus():
    for english, french in generate_pairs(300, seed=1):
        assert detokenize(tokenize(english)) == english
        assert detokenize(tokenize(french)) == french


def test_vocab_keeps_unknown_words_visible():
    vocab = Vocab.build(["the cat sleeps.", "the dog sleeps."])
    assert vocab.words[:4] == ["<pad>", "<sos>", "<eos>", "<unk>"] and (PAD, SOS, EOS, UNK) == (0, 1, 2, 3)
    ids = vocab.encode("The zebra sleeps 🙂")
    assert ids[1] == UNK and ids[3] == UNK and PAD not in ids
    assert vocab.unknown_words("the zebra and the zebra 🙂") == ["zebra", "and", "🙂"]
    assert vocab.decode([SOS, *ids, EOS, vocab.index["cat"]]) == ["the", "<unk>", "sleeps", "<unk>"]
    assert Vocab.from_dict(vocab.to_dict()) == vocab


def test_a_vocabulary_must_start_with_the_specials():
    with pytest.raises(ValueError, match="must start with"):
        Vocab(["cat", "dog"])


# --- BLEU ----------------------------------------------------------------------------------


def test_bleu_is_sacrebleu_on_the_whole_corpus():
    references = ["le chat dort.", "la maison est grande."]
    assert corpus_bleu(references, references) == pytest.approx(100.0)
    assert corpus_bleu(["Le chat dort.", "La maison est grande."], references) == pytest.approx(100.0)
    assert corpus_bleu(["un chien mange.", "nous courons vite."], references) < 10
    with pytest.raises(ValueError):
        corpus_bleu(["one"], [])


def test_bleu_counts_a_match_with_any_of_several_references():
    hypotheses = ["je ne le sais pas du tout.", "il pleut très fort ce matin."]
    one = [["je n'en sais rien."], "il pleut très fort ce matin."]
    several = [["je n'en sais rien.", "je ne le sais pas du tout."], "il pleut très fort ce matin."]
    assert corpus_bleu(hypotheses, several) == pytest.approx(100.0)
    assert corpus_bleu(hypotheses, one) < 60
    report = evaluate_translator(lambda batch: hypotheses, list(zip(["a", "b"], several, strict=True)))
    assert report.exact == 1.0 and " / " in report.examples[0]["reference"]
    with pytest.raises(ValueError, match="at least one reference"):
        corpus_bleu(["x"], [[]])


def test_evaluate_translator_batches_and_reports_examples():
    pairs = [(f"s{i}", f"le chat numéro {i} dort.") for i in range(7)]
    calls = []

    def translate(batch):
        calls.append(len(batch))
        return [f"le chat numéro {s[1:]} dort." for s in batch]

    report = evaluate_translator(translate, pairs, batch_size=3, examples=2)
    assert calls == [3, 3, 1] and report.size == 7 and report.exact == 1.0
    assert report.bleu == pytest.approx(100.0) and len(report.examples) == 2
    assert report.to_dict()["bleu"] == 100.0
