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


def test_tatoeba_offline_falls_back_to_the_generated_corpus_and_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("DLL_OFFLINE", "1")
    data = load_corpus("tatoeba", size=500, data_dir=str(tmp_path))
    assert data.name == "generated" and "fallback" in data.description and "offline" in data.description


def test_tatoeba_reads_a_local_file_and_splits_by_english_sentence(tmp_path):
    lines = [f"Sentence number {i}.\tPhrase numéro {i}." for i in range(400)]
    lines += ["Sentence number 1.\tAutre traduction.", "far too long " * 10 + "\tx"]
    (tmp_path / "eng-fra.txt").write_text("\n".join(lines), encoding="utf-8")
    data = load_corpus("tatoeba", size=1_000, data_dir=str(tmp_path))
    assert data.name == "tatoeba" and "Tatoeba" in data.description
    assert len(data.train) + len(data.heldout) == 400  # duplicates and long lines dropped
    assert not {e for e, _ in data.train} & {e for e, _ in data.heldout}


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
