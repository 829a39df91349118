"""What the side-by-side labs share (core/side_by_side.py): the copies' order and the guard that
stops one copy whose loss blows up."""

import math

import torch
from torch import nn

from core.registry import get_lab
from core.side_by_side import (
    SideBySideLab,
    blew_up,
    in_order,
    keep_weights,
    restore_weights,
    weights_of,
)


def test_in_order_keeps_the_labs_order_whatever_the_order_given():
    assert in_order(("batch", "mini-batch", "stochastic"), {"stochastic": 1, "batch": 2}) == [
        "batch",
        "stochastic",
    ]
    assert in_order(("a", "b"), ["c"]) == []


def test_a_loss_blew_up_when_it_is_not_finite_or_a_hundred_times_the_first():
    assert not blew_up(99.0, 1.0)
    assert blew_up(101.0, 1.0)
    assert blew_up(math.nan, 1.0) and blew_up(math.inf, 1.0)


def test_the_kept_weights_come_back_after_a_step_breaks_them():
    model = nn.Linear(3, 2)
    kept = weights_of(model)
    with torch.no_grad():
        model.weight.add_(1.0)
    keep_weights(kept, model)  # the step gave a finite loss: these are the good ones now
    good = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.fill_(math.nan)
    restore_weights(model, kept)
    assert torch.equal(model.weight, good)


def test_the_side_by_side_labs_name_their_copies_in_their_own_order():
    for lab_id in ("gradient-descent", "optimisers", "batch-norm"):
        lab = get_lab(lab_id)
        assert isinstance(lab, SideBySideLab)
        names = list(lab.copy_names)
        assert lab.ordered(dict.fromkeys(reversed(names))) == names
        assert lab.headline({"heldout_accuracy": dict.fromkeys(names, 0.5)}).endswith(
            f"{lab.copy_names[names[-1]]} 50.0%"
        )
