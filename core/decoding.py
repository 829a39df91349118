"""Greedy and beam search for any autoregressive decoder: written in core.standalone.decoding
(torch only, so that an export ships it), imported from here.
"""

from core.standalone.decoding import (  # noqa: F401  (the translation labs import them from here)
    LENGTH_PENALTY,
    Hypothesis,
    beam_search,
    greedy_search,
)
