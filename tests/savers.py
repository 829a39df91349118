"""A process that overwrites one checkpoint as fast as it can until it is killed (for
test_faults). Its own small module, so the fork server that starts it imports only this, torch
and core.checkpoints: a fresh interpreter per kill would spend its time importing torch."""

from __future__ import annotations

import torch

from core import checkpoints


def save_until_killed(target: str, first_save_done) -> None:
    version = 0
    while True:
        version += 1
        model = torch.nn.Linear(512, 512)
        with torch.no_grad():
            model.weight.fill_(version)
        checkpoints.save_checkpoint(target, model, {"version": version}, {"version": version}, "card")
        first_save_done.set()
