"""The Transformer lab: masks and attention, greedy and beam search, a tiny training through the
runner, the bundled model's translations with their attention, bad input, and the CLI."""

from __future__ import annotations

import json

import pytest
import torch

from core.cli import main
from core.decoding import beam_search, greedy_search
from core.events import EpochEnd, Progress, Samples
from core.history import TrainingHistory
from core.interactions import result_json
from core.labs.transformer import model as transformer
from core.labs.transformer.interactions import translate
from core.registry import get_lab
from core.runner import TrainingRunner
from core.sentence_pairs import MAX_SOURCE_TOKENS
from core.specs import SpecError
from core.tokens import EOS, PAD, SOS, TextInputError, Vocab

LAB = get_lab("transformer")
TINY = {"corpus_size": 500, "d_model": 32, "heads": 2, "layers": 1, "ff_size": 64, "epochs": 1}
GENERATED = {"corpus": "generated"}
SENTENCE = "the small cat does not see the red car near the old house."
TWO = ["my sister does not like the green apples.", "we sleep."]


def tiny_model(seed: int = 0) -> transformer.Translator:
    torch.manual_seed(seed)
    source = Vocab.build(["the cat sees the red car .", "a dog sleeps"])
    target = Vocab.build(["le chat voit la voiture rouge .", "un chien dort"])
    return transformer.Translator(
        source, target, d_model=16, heads=4, layers=2, ff_size=32, dropout=0.0
    ).eval()


# --- the model -----------------------------------------------------------------------------


def test_the_causal_mask_hides_later_target_tokens():
    model = tiny_model()
    source = torch.tensor([[4, 5, 6, EOS]])
    target = torch.tensor([[SOS, 4, 5, 6, 7]])
    changed = target.clone()
    changed[0, 3:] = 8
    with torch.no_grad():
        a, b = model(source, target), model(source, changed)
    assert torch.allclose(a[0, :3], b[0, :3], atol=1e-5)  # positions before the change agree
    assert not torch.allclose(a[0, 3:], b[0, 3:])


def test_source_padding_changes_nothing():
    model = tiny_model()
    target = torch.tensor([[SOS, 4, 5]])
    with torch.no_grad():
        plain = model(torch.tensor([[4, 5, EOS]]), target)
        padded = model(torch.tensor([[4, 5, EOS, PAD, PAD]]), target)
    assert torch.allclose(plain, padded, atol=1e-5)


def test_recorded_attention_weights_are_distributions_that_skip_padding():
    model = tiny_model()
    attention = {"encoder": [], "cross": []}
    with torch.no_grad():
        logits = model(torch.tensor([[4, 5, EOS, PAD]]), torch.tensor([[SOS, 4, 5]]), attention)
        fused = model(torch.tensor([[4, 5, EOS, PAD]]), torch.tensor([[SOS, 4, 5]]))
    assert torch.allclose(logits, fused, atol=1e-5)  # the explicit path computes the same thing
    assert len(attention["cross"]) == len(attention["encoder"]) == 2  # one per layer
    cross = attention["cross"][0]
    assert cross.shape == (1, 4, 3, 4)
    assert torch.allclose(cross.sum(-1), torch.ones(1, 4, 3))
    assert torch.all(cross[..., 3] == 0)  # the <pad> column
    assert attention["encoder"][0].shape == (1, 4, 4, 4)


def test_sinusoidal_positions_follow_the_formula():
    table = transformer.sinusoidal_positions(10, 8)
    assert table[3, 0] == pytest.approx(torch.sin(torch.tensor(3.0)).item())
    assert table[3, 1] == pytest.approx(torch.cos(torch.tensor(3.0)).item())
    assert table[5, 2] == pytest.approx(torch.sin(torch.tensor(5 / 10_000 ** (2 / 8))).item())


@pytest.mark.parametrize(("d_model", "heads"), [(128, 3), (48, 5)])
def test_heads_that_do_not_divide_the_width_are_refused_before_queueing(tmp_path, d_model, heads):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    with pytest.raises(SpecError, match=f"{heads} heads do not divide the model width {d_model}"):
        runner.submit(LAB, {"d_model": d_model, "heads": heads})
    assert not runner.active_jobs()


# --- search --------------------------------------------------------------------------------


def scripted(table: dict[tuple[int, ...], dict[int, float]], vocab: int = 6):
    """A next-token function from a table: prefix (after SOS) -> {token: probability}."""

    def next_log_probs(prefixes: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        out = torch.full((len(prefixes), vocab), -1e9)
        for i, prefix in enumerate(prefixes.tolist()):
            for token, p in table.get(tuple(prefix[1:]), {EOS: 1.0}).items():
                out[i, token] = torch.log(torch.tensor(p))
        return out

    return next_log_probs


def test_beam_search_finds_what_greedy_misses():
    # Greedy takes 4 (0.6) and then has to choose among weak options; 5 (0.4) leads to a sure end.
    table = {(): {4: 0.6, 5: 0.4}, (4,): {4: 0.34, 5: 0.33, EOS: 0.33}, (5,): {EOS: 1.0}}
    assert greedy_search(scripted(table), batch=1, max_len=5) == [[4, 4]]
    best = beam_search(scripted(table), beam=3, max_len=5)[0][0]
    assert best.tokens == [5]
    both = beam_search(scripted(table), beam=3, max_len=5, batch=2)  # sentences advance together
    assert [best[0].tokens for best in both] == [[5], [5]]


def test_searches_stop_at_the_length_limit():
    forever = {(): {4: 1.0}, **{(4,) * n: {4: 1.0} for n in range(1, 10)}}
    assert greedy_search(scripted(forever), batch=2, max_len=3) == [[4, 4, 4], [4, 4, 4]]
    assert beam_search(scripted(forever), beam=2, max_len=3)[0][0].tokens == [4, 4, 4]


# --- training ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_tiny_training_streams_loss_and_bleu_and_saves_a_loadable_checkpoint(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, TINY | GENERATED | {"batch_size": 250}, max_steps=2)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    assert {"loss", "learning_rate"} <= set(progress[0].metrics)
    assert any("heldout_bleu" in e.metrics for e in progress)  # the live held-out checks
    (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
    assert {"train_loss", "heldout_bleu", "heldout_loss"} <= set(epoch.metrics)
    samples = [e for e in events if isinstance(e, Samples)]
    assert samples and samples[-1].title.startswith("Held-out sentences at epoch")
    assert len(samples[-1].captions) == 4 and all("→" in line for line in samples[-1].captions)
    history = TrainingHistory()
    history.extend(events)
    _loss, bleu, table = LAB.training_figures(history)  # the translations drawn as a table
    assert list(table.data[0].cells.values[0]) == list(samples[-1].captions) and bleu.data

    metrics = job.result.metrics
    assert metrics["heldout_size"] == 500 and 0 <= metrics["heldout_bleu"] <= 100
    assert metrics["steps"] == 2 and "generated English→French" in metrics["corpus"]
    config = json.loads((job.checkpoint_dir / "config.json").read_text())
    assert config["source_vocab"]["words"][:4] == ["<pad>", "<sos>", "<eos>", "<unk>"]
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.model.target_vocab == job.result.model.target_vocab
    result = translate(reloaded, "the cat sleeps.")
    assert result.source_tokens[-1] == "<eos>" and result.cross_attention.shape[:2] == (1, 2)


# --- the bundled model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    """The bundled model of the generated corpus: its translations are exact, so the tests of
    search and attention can name them."""
    return LAB.load_bundled(GENERATED)


@pytest.fixture(scope="module")
def tatoeba():
    """The default bundled model, trained on the real Tatoeba pairs."""
    return LAB.load_bundled()


def test_the_bundled_model_reached_the_target_on_heldout_sentences(bundled):
    assert bundled.origin == "bundled" and "generated English→French" in bundled.data_source
    assert bundled.metrics["heldout_bleu"] >= 90 and bundled.metrics["heldout_size"] == 500
    assert "held-out BLEU" in LAB.headline(bundled.metrics)


def test_the_default_bundled_model_learnt_the_real_pairs_and_says_so(tatoeba):
    assert (
        LAB.bundled_checkpoint().name == "transformer-en-fr" and tatoeba.config["data"]["name"] == "tatoeba"
    )
    assert LAB.bundled_checkpoint(GENERATED).name == "transformer-generated"
    metrics = tatoeba.metrics
    assert metrics["heldout_size"] == 1000 and metrics["corpus_name"] == "tatoeba"
    assert LAB.headline(metrics).startswith("Tatoeba held-out BLEU")
    assert metrics["heldout_bleu"] > 15  # far above a model that learnt nothing (BLEU ~0)
    card = (LAB.bundled_checkpoint() / "README.md").read_text()
    assert "Tatoeba Project" in card and "CC-BY 2.0 France" in card  # the attribution


def test_real_sentences_keep_names_apostrophes_and_case(tatoeba):
    result = translate(tatoeba, "Tom doesn't like Mary.")
    assert "<unk>" not in result.source_tokens and result.unknown_words == []
    assert result.source_tokens[:5] == ["tom", "does", "n't", "like", "mary"]
    # Names come through with their capitals (Tatoeba's French writes Mary as Marie, so may the model).
    assert "Tom" in result.translation and ("Mary" in result.translation or "Marie" in result.translation)
    assert result.translation[0].isupper() and " '" not in result.translation
    assert result.cross_attention.shape[:2] == (
        tatoeba.config["model"]["layers"],
        tatoeba.config["model"]["heads"],
    )
    beam = translate(tatoeba, "Tom doesn't like Mary.", beam=4)
    assert beam.beam == 4 and beam.log_prob >= result.log_prob - 1e-4  # beam finds one at least as likely


def test_each_typed_word_is_marked_seen_or_unseen_in_training(tatoeba):
    result = LAB.interaction("translate")(tatoeba, {"text": "Tom saw a zorblax."})
    rows = {row["word"]: row for row in result["words"]}
    assert list(rows) == ["tom", "saw", "a", "zorblax", "."]
    assert rows["zorblax"]["seen in training"] == "never: unknown" and rows["zorblax"]["read as"] == "<unk>"
    counts = tatoeba.model.source_vocab.counts
    assert rows["tom"]["seen in training"].startswith(f"{counts['tom']:,}×") and counts["tom"] > 1000
    assert "short everyday English sentences" in result["details"]  # the honest limits
    assert "`zorblax`" in result["details"]


def test_a_translation_comes_with_tokens_and_attention_per_layer_and_head(bundled):
    result = translate(bundled, SENTENCE)
    assert result.translation == "le petit chat ne voit pas la voiture rouge près de la vieille maison."
    layers, heads = bundled.config["model"]["layers"], bundled.config["model"]["heads"]
    rows, columns = len(result.target_tokens), len(result.source_tokens)
    assert result.cross_attention.shape == (layers, heads, rows, columns)
    assert result.encoder_attention.shape == (layers, heads, columns, columns)
    assert result.cross_attention.sum(-1) == pytest.approx(1.0, abs=1e-4)
    assert result.target_tokens[-1] == "<eos>" and result.source_tokens[-1] == "<eos>"
    interaction = LAB.interaction("translate")
    as_json = json.loads(json.dumps(result_json(interaction, interaction(bundled, {"text": SENTENCE}))))
    every = as_json["every_head"]  # the API's answer carries every layer's and head's weights
    assert len(every) == layers * heads and len(every[0]["z"]) == rows and len(every[0]["z"][0]) == columns
    beam = translate(bundled, SENTENCE, beam=4)
    assert beam.beam == 4 and beam.translation == result.translation
    one_by_one = [transformer.translate_texts(bundled.model, [text], beam=3)[0] for text in TWO]
    assert transformer.translate_texts(bundled.model, TWO, beam=3) == one_by_one


def test_unknown_words_stay_visible_as_unk(bundled):
    result = translate(bundled, "the zebra sees the red car 🙂")
    assert result.source_tokens.count("<unk>") == 2
    assert result.unknown_words == ["zebra", "🙂"] and "zebra" in result.notes[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the text is empty"),
        ("   ", "the text is empty"),
        ("the cat " * 250, "2,000 characters long"),
        ("🙂🙂 😀", "None of these words"),
        ("Съешь же ещё этих булок", "None of these words"),
        ("xylophone quixotic", "None of these words"),
    ],
)
def test_bad_text_gets_a_one_line_message(bundled, text, message):
    with pytest.raises(TextInputError, match=message):
        translate(bundled, text)


@pytest.mark.parametrize(("asked", "used"), [(0, 1), (-3, 1), (100, 10)])
def test_beam_widths_out_of_range_are_clamped_and_said(bundled, asked, used):
    result = translate(bundled, "the cat sleeps.", beam=asked)
    assert result.beam == used and f"Beam width {asked} was changed to {used}" in result.notes[0]


def test_a_very_long_sentence_is_cut_and_said(bundled):
    result = translate(bundled, "the cat sleeps and " * 15 + "the dog runs.")
    assert len(result.source_tokens) == MAX_SOURCE_TOKENS
    assert any("Only the first" in note for note in result.notes)


# --- the declared interactions ------------------------------------------------------------


def test_the_translate_interaction_draws_the_chosen_layer_and_head(bundled):
    interaction = LAB.interaction("translate")
    result = interaction(bundled, {"text": SENTENCE})
    assert result["translation"] == "le petit chat ne voit pas la voiture rouge près de la vieille maison."
    assert result["details"].startswith("greedy search · log-probability -")
    cross, encoder = result["cross_attention"], result["encoder_attention"]
    full = translate(bundled, SENTENCE)
    assert cross.y == tuple(full.target_tokens) and cross.x == tuple(full.source_tokens)
    assert cross.values == pytest.approx(full.cross_attention[-1].mean(0))  # the last layer, averaged
    assert encoder.x == encoder.y == tuple(full.source_tokens)
    heads = bundled.config["model"]["heads"]
    assert len(result["every_head"].data) == bundled.config["model"]["layers"] * heads
    head = interaction(bundled, {"text": SENTENCE, "layer": 1, "head": 2})
    assert head["cross_attention"].values == pytest.approx(full.cross_attention[0, 1])
    assert "layer 1, head 2" in head["cross_attention"].title
    beyond = interaction(bundled, {"text": SENTENCE, "layer": 6, "head": 16, "beam": 4})
    assert "beam search, width 4" in beyond["details"]
    assert "This model has 2 layers: layer 2 is shown." in beyond["details"]
    assert f"This model has {heads} heads: their average is shown." in beyond["details"]


def test_unknown_words_are_shown_in_code_so_no_front_swallows_them(bundled):
    details = LAB.interaction("translate")(bundled, {"text": "the <b>zebra</b> sleeps."})["details"]
    assert "read as `<unk>`: `<`, `b`, `>`, `zebra`, `/`." in details


def test_a_heldout_sentence_is_shown_with_its_reference(bundled):
    interaction = LAB.interaction("heldout")
    result = interaction(bundled, {"index": 0})
    sentence = result["source"].split("`")[1]
    assert result["source"] == f"Held-out sentence 0: `{sentence}`"
    assert len([w for w in sentence.split() if w.isalpha()]) > 10  # long ones first
    assert "Reference (a held-out sentence, never trained on): `" in result["details"]
    typed = LAB.interaction("translate")(bundled, {"text": sentence})
    assert "Reference (a held-out sentence" in typed["details"]  # typed by hand, still recognised
    with pytest.raises(SpecError, match="pick a number from 0 to 499"):
        interaction(bundled, {"index": 500})


def test_a_tatoeba_heldout_sentence_is_shown_with_all_its_references(tatoeba):
    from core import corpus

    data = corpus.load_corpus("tatoeba", 1)
    index = next(i for i, (source, _) in enumerate(data.heldout) if len(data.references[source]) > 2)
    result = LAB.interaction("heldout")(tatoeba, {"index": index, "beam": 1, "layer": 0, "head": 0})
    source = data.heldout[index][0]
    assert result["source"] == f"Held-out sentence {index}: `{source}`"
    assert f"{len(data.references[source])} correct translations" in result["details"]
    assert all(f"`{reference}`" in result["details"] for reference in data.references[source])


@pytest.mark.parametrize(
    ("values", "message"), [({"beam": 11}, r"out of range \[1, 10\]"), ({"text": ""}, "empty")]
)
def test_the_interaction_refuses_bad_input_with_a_message(bundled, values, message):
    with pytest.raises((SpecError, TextInputError), match=message):
        LAB.interaction("translate")(bundled, values)


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_translate_prints_tokens_and_cross_attention(capsys):
    code, out, _ = run(capsys, "transformer", "translate", SENTENCE, "--model", "generated", "--json")
    result = json.loads(out)
    assert code == 0 and result["translation"].startswith("le petit chat ne voit pas la voiture rouge")
    cross = result["cross_attention"]
    assert len(cross["values"]) == len(cross["y"]) and len(cross["values"][0]) == len(cross["x"])
    assert cross["y"][-1] == cross["x"][-1] == "<eos>"
    code, out, _ = run(
        capsys, "transformer", "translate", "the cat sleeps.", "--beam", "3", "--model", "generated"
    )
    assert code == 0 and out.splitlines()[0] == "le chat dort."
    assert "beam search, width 3" in out
    code, out, _ = run(capsys, "transformer", "heldout", "--index", "1", "--layer", "1", "--head", "2")
    assert code == 0 and "Held-out sentence 1:" in out and "Reference" in out


def test_cli_translates_many_sentences_one_json_line_each(capsys, monkeypatch):
    import io

    code, out, _ = run(capsys, "transformer", "translate", "Tom is here.", "I'm hungry.", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["text"] for line in lines] == ["Tom is here.", "I'm hungry."]
    assert all(line["translation"] and line["model"] for line in lines)
    monkeypatch.setattr("sys.stdin", io.StringIO("Tom is here.\n\n🙂🙂\nI'm hungry.\n"))
    code, out, _ = run(capsys, "transformer", "translate", "-", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # one line could not be translated; the others were
    assert [line["text"] for line in lines] == ["Tom is here.", "🙂🙂", "I'm hungry."]
    assert "None of these words" in lines[1]["error"] and "translation" in lines[2]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "transformer", "translate", "-")
    assert code == 2 and "read no lines" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["   "], "the text is empty"),
        (["🙂"], "None of these words"),
        (["the cat", "--beam", "0"], "out of range"),
    ],
)
def test_cli_translate_bad_input_is_one_line(capsys, argv, message):
    code, _, err = run(capsys, "transformer", "translate", *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_evaluate_reports_heldout_sacrebleu(capsys, bundled):
    code, out, _ = run(capsys, "evaluate", "transformer", "--json")
    result = json.loads(out)
    assert code == 0 and result["heldout_size"] == 1000 and result["corpus_name"] == "tatoeba"
    assert result["heldout_bleu"] == LAB.load_bundled().metrics["heldout_bleu"]
    assert result["beam"]["width"] == 4 and result["beam"]["size"] == 100
